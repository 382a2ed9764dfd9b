namespace CleverTapSegment.Hosting;

/// <summary>
/// A request body the client did not send right: Kestrel refused its framing (a malformed or overflowing chunk), its
/// size (over the limit) or its pace (below the minimum data rate), or the connection ended inside it. The client's
/// fault, answered 400 / 413 / 408 and logged once at Information without a stack trace: a sender must not be able
/// to flood the logs with errors or page anyone.
/// </summary>
internal static partial class RequestBodyFaults
{
    public const string LogCategory = "CleverTapSegment.Hosting.RequestBodyFaults";

    /// <summary>The status that answers <paramref name="exception"/>, thrown while reading <paramref name="request"/>'s body, if it is a body fault.</summary>
    public static bool TryGetStatusCode(Exception exception, HttpRequest request, out int statusCode)
    {
        statusCode = exception switch
        {
            BadHttpRequestException refused => refused.StatusCode,
            // The connection ended inside the body (Kestrel's "Unexpected end of request content" and resets come as IOException).
            IOException => StatusCodes.Status400BadRequest,
            // The client's connection was aborted mid-body: no one is left to answer, and nothing failed here.
            OperationCanceledException when request.HttpContext.RequestAborted.IsCancellationRequested => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        return statusCode != 0;
    }

    /// <summary>Logs the fault once for this request (through the request's own services: the readers are static).</summary>
    public static void Log(HttpRequest request, int statusCode, Exception exception)
    {
        if (request.HttpContext.RequestServices?.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggers)
            LogBadRequestBody(loggers.CreateLogger(LogCategory), request.Method, request.Path, exception.Message, statusCode);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bad request body from the client on {Method} {Path}: {Reason} (answered {StatusCode})")]
    private static partial void LogBadRequestBody(ILogger logger, string method, string path, string reason, int statusCode);
}
