using System.Net;

namespace CleverTapSegment.Hosting;

/// <summary>Rules every outgoing client's resilience pipeline shares, so CleverTap and Segment calls back off alike.</summary>
internal static class HttpRetryRules
{
    /// <summary>429 (pacing) and 5xx (outage) are worth another attempt; other statuses are the answer.</summary>
    public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// The server's own <c>Retry-After</c> (seconds or a date, https://www.rfc-editor.org/rfc/rfc9110#name-retry-after),
    /// or <c>null</c> to fall back to the pipeline's backoff.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider timeProvider)
    {
        var retryAfter = response?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
            return delta;
        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
