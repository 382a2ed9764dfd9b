namespace CleverTapSegment.Hosting;

/// <summary>When an HTTP-triggered invocation should stop working.</summary>
internal static class InvocationCancellation
{
    /// <summary>Cancelled when the host cancels the invocation (shutdown, timeout) or the caller hangs up, whichever comes first.</summary>
    public static CancellationTokenSource Link(HttpRequest request, CancellationToken invocation) =>
        CancellationTokenSource.CreateLinkedTokenSource(invocation, request.HttpContext.RequestAborted);
}
