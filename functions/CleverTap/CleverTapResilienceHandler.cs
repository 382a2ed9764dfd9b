using CleverTapSegment.OutgoingCalls;
using CleverTapSegment.Storage;
using System.Collections.Concurrent;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CleverTapSegment.CleverTap;

/// <summary>
/// Runs every CleverTap call through the account's resilience pipeline: retry with jittered backoff for
/// 429/5xx/network/timeouts honouring <c>Retry-After</c>, a circuit breaker, and a per-attempt timeout, all bounded
/// by the caller's deadline (<see cref="DeadlineOption"/>) so a Segment request is still answered in time.
/// The whole call runs inside one of the account's upload slots shared by every instance (<see cref="LeasedSlots"/>):
/// CleverTap limits concurrent upload/delete calls per account, not per instance
/// (https://developer.clevertap.com/docs/api-request-limit). Waiting for a slot counts against the deadline.
/// </summary>
public sealed class CleverTapResilienceHandler(CleverTapResiliencePipelines pipelines, TimeProvider timeProvider, LeasedSlots? slots = null) : DelegatingHandler
{
    internal const string SlotScope = "upload";

    /// <summary>A crashed holder's slot frees itself this long after the call's deadline.</summary>
    internal static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(10);

    /// <summary>The lease when a call has no deadline (never the case for ingest): longer than any sane upload.</summary>
    internal static readonly TimeSpan LeaseWithoutDeadline = TimeSpan.FromMinutes(2);

    /// <summary>When the caller must have an answer; retries and attempt timeouts stay inside it.</summary>
    public static readonly HttpRequestOptionsKey<DateTimeOffset> DeadlineOption = new("CleverTap.Deadline");

    /// <summary>The account name: the circuit breaker is per account.</summary>
    public static readonly HttpRequestOptionsKey<string> AccountOption = new("CleverTap.Account");

    /// <summary>The account's concurrency slots: its key (id and API host) and how many calls may run at once.</summary>
    public static readonly HttpRequestOptionsKey<(string Key, int Slots)> SlotsOption = new("CleverTap.Slots");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var deadline = request.Options.TryGetValue(DeadlineOption, out var value) ? value : DateTimeOffset.MaxValue;
        var account = request.Options.TryGetValue(AccountOption, out var name) ? name : request.RequestUri?.Host ?? "";
        // Buffered once so every attempt sends an identical, fresh request.
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);

        await using var slot = slots is not null && request.Options.TryGetValue(SlotsOption, out var limit)
            ? await slots.AcquireAsync(SlotScope, limit.Key, limit.Slots, LeaseFor(deadline), cancellationToken)
            : SlotLease.Degraded;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CleverTapResiliencePipelines.DeadlineKey, deadline);
        try
        {
            var response = await pipelines.For(account).ExecuteAsync(
                static (ctx, state) => state.Handler.SendAttemptAsync(state.Request, state.Body, ctx.CancellationToken),
                context,
                (Handler: this, Request: request, Body: body));
            // Read inside the slot: CleverTap counts a call as running until it has answered in full.
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            return response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // The retries stay inside the deadline, so the call cannot outlast it.
    private TimeSpan LeaseFor(DateTimeOffset deadline)
    {
        var remaining = deadline == DateTimeOffset.MaxValue ? LeaseWithoutDeadline : deadline - timeProvider.GetUtcNow();
        return (remaining < LeaseWithoutDeadline ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : LeaseWithoutDeadline) + LeaseMargin;
    }

    private async ValueTask<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage original, byte[]? body, CancellationToken cancellationToken)
    {
        using var attempt = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
        foreach (var header in original.Headers)
            attempt.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null)
        {
            attempt.Content = new ByteArrayContent(body);
            foreach (var header in original.Content!.Headers)
                attempt.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return await base.SendAsync(attempt, cancellationToken);
    }
}

/// <summary>One resilience pipeline per CleverTap account (so one account's outage opens only its own circuit).</summary>
public sealed class CleverTapResiliencePipelines(TimeProvider timeProvider)
{
    internal static readonly ResiliencePropertyKey<DateTimeOffset> DeadlineKey = new("CleverTap.Deadline");

    /// <summary>
    /// One attempt may take this long. CleverTap answers uploads in well under a second; a longer wait is better
    /// spent on a second attempt inside Segment's ~5 s patience.
    /// </summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2.5);

    /// <summary>Below this much time left another attempt cannot finish, so the last answer is returned instead.</summary>
    internal static readonly TimeSpan MinimumUsefulAttempt = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.OrdinalIgnoreCase);

    public ResiliencePipeline<HttpResponseMessage> For(string account) => _pipelines.GetOrAdd(account, _ => Build());

    private ResiliencePipeline<HttpResponseMessage> Build() => new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            // CleverTap's 429 means "too many concurrent requests" and carries no Retry-After
            // (https://developer.clevertap.com/docs/api-request-limit): back off exponentially with jitter.
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken) && Remaining(args.Context) > MinimumUsefulAttempt),
            MaxRetryAttempts = 10,
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(NextDelay(args.Outcome, args.Context, args.AttemptNumber)),
            OnRetry = args =>
            {
                args.Outcome.Result?.Dispose();
                return default;
            },
        })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            // Only outages trip it: a 429 is CleverTap pacing us, already handled by backoff.
            ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome, args.Context.CancellationToken)),
            FailureRatio = 0.5,
            MinimumThroughput = 20,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(5),
        })
        .AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(Min(AttemptTimeout, Remaining(args.Context))),
        })
        .Build();

    private TimeSpan Remaining(ResilienceContext context)
    {
        var deadline = context.Properties.GetValue(DeadlineKey, DateTimeOffset.MaxValue);
        if (deadline == DateTimeOffset.MaxValue)
            return TimeSpan.MaxValue;
        var remaining = deadline - timeProvider.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>
    /// Exponential backoff (100 ms doubling, at most 1 s) with full jitter so coalesced uploads that were refused
    /// together do not come back together; <c>Retry-After</c> wins when given (proxies and gateways send it).
    /// Never waits past the point where one more attempt could still finish before the deadline.
    /// </summary>
    private TimeSpan NextDelay(Outcome<HttpResponseMessage> outcome, ResilienceContext context, int attempt)
    {
        var wanted = OutgoingCallRules.RetryAfter(outcome.Result, timeProvider)
            ?? TimeSpan.FromMilliseconds(Math.Min(1000, 100 * Math.Pow(2, attempt)) * (0.5 + Random.Shared.NextDouble() / 2));
        var room = Remaining(context) - MinimumUsefulAttempt;
        return Max(TimeSpan.Zero, Min(wanted, room));
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) => outcome switch
    {
        { Result: { } response } => OutgoingCallRules.IsRetried(OutgoingCallRules.Classify(response.StatusCode)),
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: OperationCanceledException } => !callerToken.IsCancellationRequested,
        _ => false,
    };

    private static bool IsOutage(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) =>
        outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && IsTransient(outcome, callerToken);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
