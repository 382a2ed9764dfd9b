using System.Text.Json;
using CleverTapSegment.DevHost.Rpc;
using CleverTapSegment.DevHost.Worker;
using Microsoft.AspNetCore.Http.Features;

namespace CleverTapSegment.DevHost.Http;

/// <summary>
/// Serves one HTTP request as the host does for a worker with ASP.NET Core integration: the request goes, as it
/// came (method, path, query, headers, streamed body), to the worker's own <c>HttpUri</c> with
/// <c>x-ms-invocation-id</c>, while an <c>invocation_request</c> with the same id carries an empty <c>RpcHttp</c>
/// (the worker pairs the two). The worker's Kestrel answers 200 with an empty body when the function throws, so
/// the status comes from the invocation: a failed invocation answers 500.
/// </summary>
internal sealed class HttpForwarder(WorkerSupervisor supervisor, FunctionInvoker invoker, ILogger logger) : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";
    private const int ChunkSize = 16 * 1024;

    // Connection-level headers that describe one hop, not the message (RFC 9110 §7.6.1), plus those Kestrel sets itself.
    private static readonly HashSet<string> s_notForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Date", "Server",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task ForwardAsync(HttpContext context, HostFunction function)
    {
        var session = supervisor.Current;
        if (session?.HttpUri is not { } workerUri)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(session is null
                ? "No worker is running (it was killed or crashed)."
                : "The worker announced no HttpUri: it needs ConfigureFunctionsWebApplication() (ASP.NET Core integration).");
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        var callerBody = new CallerRequestBody(context.Request.Body);
        if (HasBody(context.Request) && !await callerBody.PrimeAsync(context.RequestAborted))
        {
            AnswerFailure(context, callerBody, StatusCodes.Status400BadRequest);
            return;
        }
        // The invocation is cancelled only when the forward itself failed. A caller that hangs up cuts the forward off
        // (abortForward), and the function sees its request aborted and ends; cancelled over the protocol instead, an
        // invocation whose request had not reached the worker yet was logged by the worker as a failed invocation.
        using var abort = new CancellationTokenSource();
        using var abortForward = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, context.RequestAborted);
        using var request = BuildRequest(context, callerBody, workerUri, invocationId);
        var invocation = invoker.InvokeAsync(session, function.Name, invocationId, "This function was programmatically called via the host APIs.",
            rpc => Describe(rpc, function, context), abort.Token);
        var sending = _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abortForward.Token);
        try
        {
            if (await Task.WhenAny(invocation, sending) == invocation && !(await invocation).Succeeded)
            {
                await abort.CancelAsync();
                await Observe(sending);
                await callerBody.SettledAsync();
                AnswerFailure(context, callerBody, StatusCodes.Status500InternalServerError);
                return;
            }
            using var response = await sending;
            if (!await RelayAsync(context, response, invocation, abortForward))
            {
                await callerBody.SettledAsync();
                AnswerFailure(context, callerBody, StatusCodes.Status500InternalServerError);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; the forward went with it, and the invocation ends as the worker sees that.
            await Observe(invocation);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            // The forward broke (connection refused or cut, the worker's answer cut short). When the caller's body
            // stalled or broke, both Kestrels refuse it at about the same moment, each on its own heartbeat, so the
            // caller's read is let settle first: Kestrel's refusal of it makes this the caller's fault. Then the worker
            // has the request and refuses the body cut short itself, so its invocation ends on its own (cancelled, it
            // would be logged as a failed invocation).
            await callerBody.SettledAsync();
            if (callerBody.Refusal is null)
            {
                await abort.CancelAsync();
                logger.LogError("Forwarding {Method} {Path} to the worker at {WorkerUri} failed: {Error}",
                    context.Request.Method, context.Request.Path, workerUri, exception.Message);
            }
            await Observe(invocation);
            AnswerFailure(context, callerBody, StatusCodes.Status502BadGateway);
        }
    }

    /// <summary>
    /// A forward that failed: when Kestrel refused the caller's body (bad framing, too large, stalled) that is the
    /// answer, Kestrel's own status for it, and an ordinary event logged once at Information without a stack trace,
    /// the way the Functions host treats a bad request; otherwise <paramref name="statusCode"/>.
    /// </summary>
    private void AnswerFailure(HttpContext context, CallerRequestBody callerBody, int statusCode)
    {
        if (callerBody.Refusal is { } refusal)
        {
            logger.LogInformation("Bad request from the client on {Method} {Path}: {Reason} (answered {StatusCode})",
                context.Request.Method, context.Request.Path, refusal.Reason, refusal.StatusCode);
            statusCode = refusal.StatusCode;
        }
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = statusCode;
        }
        else
        {
            // Status and part of the body are gone: only a cut connection tells the caller the answer is incomplete.
            context.Abort();
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// The worker writes the body before it reports the outcome, so the body is read (and held) while waiting for
    /// the invocation; once it succeeded, status, headers and body go to the caller and the rest streams through.
    /// False, with nothing sent, when the invocation failed.
    /// </summary>
    private static async Task<bool> RelayAsync(HttpContext context, HttpResponseMessage response, Task<FunctionInvocationResult> invocation, CancellationTokenSource abort)
    {
        var body = await response.Content.ReadAsStreamAsync(abort.Token);
        var held = new MemoryStream();
        var ended = false;
        Task<int>? reading = null;
        var chunk = new byte[ChunkSize];
        while (!invocation.IsCompleted && !ended)
        {
            reading ??= body.ReadAsync(chunk, abort.Token).AsTask();
            if (await Task.WhenAny(reading, invocation) == reading)
            {
                var read = await reading;
                reading = null;
                if (read == 0)
                {
                    ended = true;
                }
                else
                {
                    held.Write(chunk, 0, read);
                    chunk = new byte[ChunkSize];
                }
            }
        }

        var result = await invocation;
        if (!result.Succeeded)
        {
            await abort.CancelAsync();
            if (reading is not null)
            {
                await Observe(reading);
            }
            return false;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!s_notForwarded.Contains(header.Key))
            {
                context.Response.Headers[header.Key] = header.Value.ToArray();
            }
        }
        if (reading is not null)
        {
            var read = await reading;
            if (read == 0)
            {
                ended = true;
            }
            else
            {
                held.Write(chunk, 0, read);
            }
        }
        held.Position = 0;
        await held.CopyToAsync(context.Response.Body, abort.Token);
        if (!ended)
        {
            await body.CopyToAsync(context.Response.Body, abort.Token);
        }
        return true;
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0;

    private static HttpRequestMessage BuildRequest(HttpContext context, Stream body, Uri workerUri, string invocationId)
    {
        // The raw target keeps the path and query exactly as the caller encoded them.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw.StartsWith('/')
            ? raw
            : context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(workerUri, target));
        if (HasBody(context.Request))
        {
            request.Content = new CallerBodyContent(body, ChunkSize);
            if (context.Request.ContentLength is { } length)
            {
                request.Content.Headers.ContentLength = length;
            }
        }
        else if (context.Request.ContentLength == 0)
        {
            request.Content = new ByteArrayContent([]);
        }
        foreach (var header in context.Request.Headers)
        {
            if (s_notForwarded.Contains(header.Key) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }
        // The app sees the host name the caller used, as behind the real host.
        request.Headers.Host = context.Request.Host.Value;
        request.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        return request;
    }

    /// <summary>
    /// The trigger input is an empty <c>RpcHttp</c> (the worker reads the real request itself); the trigger metadata
    /// carries the route values (so <c>string? connection</c> binds from <c>{connection?}</c>), the query and the
    /// headers, as the host's binding data does.
    /// </summary>
    private static void Describe(InvocationRequest request, HostFunction function, HttpContext context)
    {
        request.InputData.Add(new ParameterBinding { Name = function.TriggerBindingName, Data = new TypedData { Http = new RpcHttp() } });
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value?.ToString() is { } text)
            {
                request.TriggerMetadata[name] = new TypedData { String = text };
            }
        }
        request.TriggerMetadata["Query"] = new TypedData
        {
            Json = JsonSerializer.Serialize(context.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.ToString())),
        };
        request.TriggerMetadata["Headers"] = new TypedData
        {
            Json = JsonSerializer.Serialize(context.Request.Headers.ToDictionary(pair => pair.Key, pair => pair.Value.ToString())),
        };
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task;
            if (task is Task<HttpResponseMessage> { Result: var unused })
            {
                unused.Dispose();
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException)
        {
            // Cancelled on purpose: the outcome is already decided.
        }
    }
}
