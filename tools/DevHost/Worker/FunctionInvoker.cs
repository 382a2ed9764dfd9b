using System.Diagnostics;
using CleverTapSegment.DevHost.Rpc;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>
/// Sends <c>invocation_request</c>s to the ready worker and logs them as the host does ("Executing
/// 'Functions.X' (Reason=…)", "Executed … (Succeeded|Failed, Duration=…)"). Past the host.json
/// <c>functionTimeout</c> the invocation is cancelled and counted as failed.
/// </summary>
internal sealed class FunctionInvoker(WorkerSupervisor supervisor, TimeSpan functionTimeout, ILogger logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _warnedOutputs = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a ready worker, then invokes.</summary>
    public async Task<FunctionInvocationResult> InvokeAsync(
        string functionName, string reason, Action<InvocationRequest> describe, CancellationToken cancellationToken)
    {
        var session = await supervisor.WaitForSessionAsync(cancellationToken);
        return await InvokeAsync(session, functionName, Guid.NewGuid().ToString(), reason, describe, cancellationToken);
    }

    public async Task<FunctionInvocationResult> InvokeAsync(
        WorkerSession session, string functionName, string invocationId, string reason,
        Action<InvocationRequest> describe, CancellationToken cancellationToken)
    {
        if (!session.FunctionIds.TryGetValue(functionName, out var functionId))
        {
            throw new InvalidOperationException($"The worker did not load a function named {functionName}.");
        }
        // The worker reads the trace context unconditionally; an empty one means "no parent activity".
        var request = new InvocationRequest { InvocationId = invocationId, FunctionId = functionId, TraceContext = new RpcTraceContext() };
        describe(request);
        logger.LogInformation("Executing 'Functions.{FunctionName}' (Reason='{Reason}', Id={InvocationId})", functionName, reason, invocationId);
        var started = Stopwatch.GetTimestamp();
        FunctionInvocationResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(functionTimeout);
        try
        {
            var response = await session.Channel.InvokeAsync(request, timeout.Token);
            var succeeded = response.Result?.Status == StatusResult.Types.Status.Success;
            result = new FunctionInvocationResult(invocationId, succeeded, succeeded ? null : Describe(response.Result));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            result = new FunctionInvocationResult(invocationId, false, $"Timeout value of {functionTimeout} exceeded by function 'Functions.{functionName}'.");
        }
        catch (WorkerLostException lost)
        {
            result = new FunctionInvocationResult(invocationId, false, lost.Message) { WorkerLost = true };
        }
        var duration = Stopwatch.GetElapsedTime(started);
        if (result.Succeeded)
        {
            logger.LogInformation("Executed 'Functions.{FunctionName}' (Succeeded, Id={InvocationId}, Duration={Duration}ms)",
                functionName, invocationId, (long)duration.TotalMilliseconds);
        }
        else
        {
            logger.LogError("Executed 'Functions.{FunctionName}' (Failed, Id={InvocationId}, Duration={Duration}ms): {Error}",
                functionName, invocationId, (long)duration.TotalMilliseconds, result.Error);
        }
        return result;
    }

    /// <summary>
    /// Output bindings (queue, blob, …) are written by the host's extensions, which the dev host does not have:
    /// say so once per function and binding rather than dropping the values silently.
    /// </summary>
    private void WarnAboutDroppedOutputs(string functionName, InvocationResponse response)
    {
        foreach (var output in response.OutputData)
        {
            if (output.Data is { DataCase: not TypedData.DataOneofCase.None } && _warnedOutputs.TryAdd($"{functionName}/{output.Name}", true))
            {
                logger.LogWarning("{FunctionName} returned a value for its output binding '{Binding}'; the dev host does not implement output bindings, so it is dropped",
                    functionName, output.Name);
            }
        }
    }

    private static string Describe(StatusResult? result) =>
        result?.Exception is { } exception
            ? string.IsNullOrEmpty(exception.Type) ? exception.Message : $"{exception.Type}: {exception.Message}"
            : result?.Status == StatusResult.Types.Status.Cancelled ? "Cancelled" : result?.Result ?? "Failed";
}
