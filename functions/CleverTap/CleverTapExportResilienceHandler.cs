using CleverTapSegment.OutgoingCalls;
using CleverTapSegment.Storage;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CleverTapSegment.CleverTap;

/// <summary>
/// The export client's pipeline. Per attempt: wait for one of the account's 3 export slots, send and read the whole
/// body inside the slot (bounded by an attempt timeout), and recognise "Request still in progress". Around the
/// attempts: "still in progress" retried on the same cursor with backoff, then 429/5xx/network/timeout retried with
/// jittered backoff. All delays use the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class CleverTapExportResilienceHandler : DelegatingHandler
{
    /// <summary>Identifies the account whose concurrency slots a request takes (set by the client on every request).</summary>
    internal static readonly HttpRequestOptionsKey<string> AccountKey = new("CleverTapSegment.CleverTapExportAccount");

    internal const string SlotScope = "export";

    /// <summary>The attempt timeout: a page of 5000 records is a few MB; two minutes leaves room for a slow export node.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A crashed holder's slot frees itself this long after its attempt would have timed out.</summary>
    internal static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    private readonly CleverTapExportLimiters _limiters;
    private readonly LeasedSlots? _slots;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ResiliencePipeline _attemptTimeout;

    public CleverTapExportResilienceHandler(CleverTapExportLimiters limiters, TimeProvider timeProvider, ILogger<CleverTapExportResilienceHandler> logger, LeasedSlots? slots = null)
    {
        _limiters = limiters;
        _slots = slots;
        _pipeline = BuildPipeline(timeProvider, logger);
        // Bounds one attempt once it holds a slot: waiting for a slot behind slow pages of other items is not a failure.
        _attemptTimeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddTimeout(AttemptTimeout).Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var account = request.Options.TryGetValue(AccountKey, out var key) ? key : request.RequestUri?.Authority ?? "";
        var limiter = _limiters.For(account);
        return await _pipeline.ExecuteAsync(token => SendOnceAsync(request, account, limiter, token), cancellationToken);
    }

    private async ValueTask<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, string account, RateLimiter limiter, CancellationToken ct)
    {
        // The slot is held until the body is read: CleverTap counts a call as running until it has answered in full.
        // The in-process limiter first (cheap, keeps this instance's callers queued in order), then the account's slot
        // shared by every instance, so the 3-call limit holds across a scaled-out app.
        using var lease = await limiter.AcquireAsync(1, ct);
        if (!lease.IsAcquired)
            throw new HttpRequestException("The CleverTap export concurrency queue refused the request.");
        await using var slot = _slots is null
            ? SlotLease.Degraded
            : await _slots.AcquireAsync(SlotScope, account, CleverTapExportLimiters.ConcurrentCallsPerAccount, AttemptTimeout + LeaseMargin, ct);
        var (response, buffered) = await _attemptTimeout.ExecuteAsync(async token =>
        {
            var response = await base.SendAsync(request, token);
            try
            {
                return (response, new CleverTapBufferedContent(await CleverTapResponseBody.ReadAsync(response.Content, token)));
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, ct);
        foreach (var header in response.Content.Headers)
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content.Dispose();
        response.Content = buffered;
        if (CleverTapExportAnswer.Read(buffered.Span).IsStillInProgress)
        {
            response.Dispose();
            throw new CleverTapExportStillInProgressException();
        }
        return response;
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildPipeline(TimeProvider timeProvider, ILogger logger)
    {
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            // A page being prepared asynchronously: ask for the same cursor again; ingestr waits 6 × 2 s
            // (bruin-data/ingestr pkg/source/clevertap/clevertap.go, isRequestInProgress).
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<CleverTapExportStillInProgressException>(),
                MaxRetryAttempts = 6,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(2),
                MaxDelay = TimeSpan.FromSeconds(20),
                UseJitter = true,
                OnRetry = args =>
                {
                    logger.LogInformation("CleverTap export request still in progress; asking again in {Delay} (attempt {Attempt}).", args.RetryDelay, args.AttemptNumber + 1);
                    return default;
                },
            })
            // 429 means "more than 3 concurrent calls" (no Retry-After is documented, honoured if sent); 5xx and network
            // failures are transient. https://developer.clevertap.com/docs/api-request-limit
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => OutgoingCallRules.IsRetried(OutgoingCallRules.Classify(response.StatusCode))),
                MaxRetryAttempts = 5,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                UseJitter = true,
                DelayGenerator = args => ValueTask.FromResult(OutgoingCallRules.RetryAfter(args.Outcome.Result, timeProvider)),
                OnRetry = args =>
                {
                    logger.LogWarning("CleverTap export request failed ({Failure}); retrying in {Delay} (attempt {Attempt}).",
                        args.Outcome.Result is { } result ? (int)result.StatusCode : args.Outcome.Exception?.GetType().Name, args.RetryDelay, args.AttemptNumber + 1);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

}

/// <summary>
/// One concurrency limiter per CleverTap account, shared by every export call of this process: CleverTap allows 3
/// concurrent Get Events / Get User Profiles calls per account. https://developer.clevertap.com/docs/api-request-limit
/// </summary>
public sealed class CleverTapExportLimiters : IDisposable
{
    public const int ConcurrentCallsPerAccount = 3;

    private readonly ConcurrentDictionary<string, ConcurrencyLimiter> _limiters = new(StringComparer.Ordinal);

    internal RateLimiter For(string account) => _limiters.GetOrAdd(account, static _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
    {
        PermitLimit = ConcurrentCallsPerAccount,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    }));

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
            limiter.Dispose();
    }
}

/// <summary>CleverTap is still preparing this page; thrown inside the pipeline so the same request is retried.</summary>
internal sealed class CleverTapExportStillInProgressException : Exception
{
    public CleverTapExportStillInProgressException() : base("CleverTap: request still in progress, please retry later.") { }
}

/// <summary>The envelope of an export answer: <c>{"status":"success"|"fail","error":…,"code":…}</c>.</summary>
internal readonly record struct CleverTapExportAnswer(string? Status, string? Error, int? Code)
{
    public bool IsSuccess => string.Equals(Status, "success", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// "Request still in progress, please retry later"; a third-party connector saw <c>code 2</c> for the same state.
    /// https://developer.clevertap.com/docs/get-events-api
    /// </summary>
    public bool IsStillInProgress => string.Equals(Status, "fail", StringComparison.OrdinalIgnoreCase)
        && (Error?.Contains("still in progress", StringComparison.OrdinalIgnoreCase) == true || Code == 2);

    /// <summary>Notification events are refused: "Export not allowed for this event" (HTTP 400, code 400).</summary>
    public bool IsNotAllowed => Error?.Contains("not allowed", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Reads only the top-level envelope, stopping at a success status so a page's records are not scanned twice.</summary>
    public static CleverTapExportAnswer Read(ReadOnlySpan<byte> body)
    {
        string? status = null, error = null;
        int? code = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                        break;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML error page, say): the status code decides.
        }
        return new CleverTapExportAnswer(status, error, code);
    }
}
