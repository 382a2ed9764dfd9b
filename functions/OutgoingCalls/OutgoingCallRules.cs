using System.Net;
using Polly;
using Polly.Timeout;

namespace CleverTapSegment.OutgoingCalls;

/// <summary>What one answer from CleverTap or Segment means for the call that got it.</summary>
public enum CallAnswer
{
    /// <summary>2xx: the service took the request (CleverTap's 200 body can still refuse records; its client reads that).</summary>
    Success,

    /// <summary>429: the service is pacing us. Retried after its <c>Retry-After</c> or a backoff; never counted as an outage.</summary>
    Throttled,

    /// <summary>This attempt failed but the next may not (408, 5xx but 501): retried, and counted as an outage by the circuit breakers.</summary>
    Transient,

    /// <summary>401/403: our credentials (or CleverTap region) are wrong. Repeating cannot help until the settings change.</summary>
    CredentialsRefused,

    /// <summary>The same request will get the same answer (400, 404, 413, 501, …): never retried.</summary>
    Permanent,
}

/// <summary>
/// The one retry-classification table for every outgoing call: the CleverTap upload and export pipelines, the Segment
/// Tracking API pipeline, and the clients that turn a final answer into a record or export outcome all read it, so a
/// status cannot be retried by one path and treated as final by another.
/// </summary>
public static class OutgoingCallRules
{
    /// <summary>The table. Each row says why; vendor-specific rows link the vendor's documentation.</summary>
    public static CallAnswer Classify(int status) => status switch
    {
        >= 200 and <= 299 => CallAnswer.Success,

        // 408 Request Timeout: the server gave up waiting for the request and "the client MAY repeat that request"
        // (https://www.rfc-editor.org/rfc/rfc9110#name-408-request-timeout); nothing was processed, so it is transient.
        408 => CallAnswer.Transient,

        // 429 Too Many Requests (https://www.rfc-editor.org/rfc/rfc6585#section-4).
        // CleverTap: more concurrent calls than the account allows, no Retry-After documented
        // (https://developer.clevertap.com/docs/api-request-limit).
        // Segment: over the rate limit, with Retry-After in seconds
        // (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#rate-limits).
        429 => CallAnswer.Throttled,

        // CleverTap answers 401 for a wrong account id or passcode, and for a right one sent to another region's host
        // (https://developer.clevertap.com/docs/api-errors). Segment's Tracking API does not check write keys, so it
        // does not send these (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#errors).
        401 or 403 => CallAnswer.CredentialsRefused,

        // 501 Not Implemented: the server "does not support the functionality required to fulfill the request" and the
        // answer is heuristically cacheable, i.e. the same request gets it again
        // (https://www.rfc-editor.org/rfc/rfc9110#name-501-not-implemented). Neither vendor documents a 501.
        501 => CallAnswer.Permanent,

        // Other 5xx: the server failed this time (https://www.rfc-editor.org/rfc/rfc9110#name-server-error-5xx).
        // CleverTap documents 500/503 "Service Unavailable. Please retry later." (https://developer.clevertap.com/docs/api-errors);
        // Segment's own libraries retry 5xx (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations).
        >= 500 => CallAnswer.Transient,

        // Any other status is the answer to this request. Segment: 400 is an oversized batch or invalid JSON
        // (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#errors).
        _ => CallAnswer.Permanent,
    };

    public static CallAnswer Classify(HttpStatusCode status) => Classify((int)status);

    /// <summary>Whether another attempt is worth making after this answer.</summary>
    public static bool IsRetried(CallAnswer answer) => answer is CallAnswer.Throttled or CallAnswer.Transient;

    /// <summary>
    /// Whether a pipeline should try again after this outcome: the table for an answer; for no answer, network
    /// failures, attempt timeouts and cancellations the caller did not ask for (a connect timeout surfaces as one).
    /// An open circuit is not retried: it is the breaker saying "not now".
    /// </summary>
    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) => outcome switch
    {
        { Result: { } response } => IsRetried(Classify(response.StatusCode)),
        { Exception: { } exception } => IsTransportFailure(exception, callerToken),
        _ => false,
    };

    /// <summary>
    /// Whether this outcome says the service (or the way to it) is failing, for the circuit breakers: transient
    /// answers and transport failures. A 429 is the service pacing us, which backoff already handles.
    /// </summary>
    public static bool IsOutage(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) => outcome switch
    {
        { Result: { } response } => Classify(response.StatusCode) == CallAnswer.Transient,
        { Exception: { } exception } => IsTransportFailure(exception, callerToken),
        _ => false,
    };

    /// <summary>No answer arrived, for a reason that may not repeat: the network, an attempt timeout, or a cancellation the caller did not ask for.</summary>
    public static bool IsTransportFailure(Exception exception, CancellationToken callerToken) => exception switch
    {
        HttpRequestException or TimeoutRejectedException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// The server's own <c>Retry-After</c> (seconds or a date, https://www.rfc-editor.org/rfc/rfc9110#name-retry-after),
    /// or <c>null</c> to fall back to the pipeline's backoff. A date in the past means "now".
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
