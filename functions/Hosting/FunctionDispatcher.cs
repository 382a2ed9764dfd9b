using System.Diagnostics;
using System.Text.Json;

namespace CleverTapSegment.Hosting;

/// <summary>The outcome of one invocation: the status the handler answers the host with, and the envelope.</summary>
public sealed record FunctionInvocationResult(int StatusCode, InvocationResponse Response)
{
    /// <summary>The host treats any non-2xx as a failed invocation (queue retry, then poison).</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;
}

/// <summary>
/// Runs a registered function for a <c>{Data, Metadata}</c> envelope: the one code path behind both the real host's
/// <c>POST /{FunctionName}</c> and the standalone trigger runner. Each invocation gets its own DI scope.
/// </summary>
public sealed class FunctionDispatcher
{
    private readonly Dictionary<string, RegisteredFunction> _functions;
    private readonly IServiceScopeFactory _scopeFactory;
    private readonly FunctionCatalog _catalog;
    private readonly ILogger<FunctionDispatcher> _logger;

    public FunctionDispatcher(
        IEnumerable<RegisteredFunction> functions,
        IServiceScopeFactory scopeFactory,
        FunctionCatalog catalog,
        ILogger<FunctionDispatcher> logger)
    {
        _functions = new Dictionary<string, RegisteredFunction>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            if (!_functions.TryAdd(function.Name, function))
            {
                throw new InvalidOperationException($"The function '{function.Name}' is registered twice.");
            }
        }
        _scopeFactory = scopeFactory;
        _catalog = catalog;
        _logger = logger;
    }

    public IReadOnlyCollection<RegisteredFunction> Functions => _functions.Values;

    public RegisteredFunction? Find(string functionName) => _functions.GetValueOrDefault(functionName);

    public async Task<FunctionInvocationResult> InvokeAsync(
        string functionName, JsonElement envelope, string? invocationId, CancellationToken cancellationToken)
    {
        invocationId ??= Guid.NewGuid().ToString();
        if (!_functions.TryGetValue(functionName, out var function))
        {
            _logger.LogError("Invocation {InvocationId} names the unknown function {FunctionName}", invocationId, functionName);
            return new(StatusCodes.Status404NotFound, InvocationResponse.WithLogs($"No function named '{functionName}' is registered."));
        }

        using var logScope = _logger.BeginScope(new Dictionary<string, object>
        {
            ["FunctionName"] = function.Name,
            ["InvocationId"] = invocationId,
        });
        var bindingName = _catalog.Find(function.Name)?.Trigger?.Name;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var request = InvocationRequest.Parse(envelope);
            await using var scope = _scopeFactory.CreateAsyncScope();
            var implementation = scope.ServiceProvider.GetRequiredService(function.ImplementationType);
            string detail;
            switch (function.Kind)
            {
                case RegisteredFunctionKind.Queue:
                    var message = request.ToQueueTrigger(bindingName);
                    detail = $"message {message.MessageId ?? "?"}, dequeue count {message.DequeueCount}";
                    await ((IQueueTriggeredFunction)implementation).RunAsync(message, cancellationToken);
                    break;
                case RegisteredFunctionKind.Timer:
                    var timer = request.ToTimerTrigger(bindingName);
                    detail = timer.IsPastDue ? "past due" : "on schedule";
                    await ((ITimerTriggeredFunction)implementation).RunAsync(timer, cancellationToken);
                    break;
                default:
                    throw new UnreachableException($"Unknown function kind {function.Kind}.");
            }
            _logger.LogInformation("Executed {FunctionName} ({Detail}): succeeded in {ElapsedMs} ms",
                function.Name, detail, stopwatch.ElapsedMilliseconds);
            return new(StatusCodes.Status200OK,
                InvocationResponse.WithLogs($"Executed '{function.Name}' ({detail}) in {stopwatch.ElapsedMilliseconds} ms."));
        }
        catch (InvalidEnvelopeException exception)
        {
            _logger.LogError("Invocation of {FunctionName} has an unusable envelope: {Reason}", function.Name, exception.Message);
            return new(StatusCodes.Status400BadRequest,
                InvocationResponse.WithLogs($"Function '{function.Name}' got an unusable envelope: {exception.Message}"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Invocation of {FunctionName} was cancelled after {ElapsedMs} ms", function.Name, stopwatch.ElapsedMilliseconds);
            return new(StatusCodes.Status500InternalServerError,
                InvocationResponse.WithLogs($"Function '{function.Name}' was cancelled."));
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Executed {FunctionName}: failed after {ElapsedMs} ms", function.Name, stopwatch.ElapsedMilliseconds);
            return new(StatusCodes.Status500InternalServerError,
                InvocationResponse.WithLogs($"Function '{function.Name}' failed: {exception.GetType().Name}: {exception.Message}"));
        }
    }
}
