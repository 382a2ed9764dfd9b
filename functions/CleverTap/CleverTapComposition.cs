using CleverTapSegment.OutgoingCalls;
using CleverTapSegment.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace CleverTapSegment.CleverTap;

/// <summary>Registers the CleverTap settings, validated at start-up, the resolved accounts and the upload client with its pipeline.</summary>
public static class CleverTapComposition
{
    /// <summary>Slots of this scope limit concurrent uploads and deletes per account (<see cref="CleverTapAccount.MaxConcurrentUploads"/>).</summary>
    internal const string UploadSlotScope = "upload";

    /// <summary>
    /// One attempt may take this long. CleverTap answers uploads in well under a second; a longer wait is better
    /// spent on a second attempt inside Segment's ~5 s patience.
    /// </summary>
    internal static readonly TimeSpan UploadAttemptTimeout = TimeSpan.FromSeconds(2.5);

    /// <summary>Below this much time left before the deadline another attempt cannot finish, so none is started.</summary>
    internal static readonly TimeSpan MinimumUsefulAttempt = TimeSpan.FromMilliseconds(250);

    /// <summary>A crashed holder's upload slot frees itself this long after the call's deadline.</summary>
    internal static readonly TimeSpan UploadLeaseMargin = TimeSpan.FromSeconds(10);

    /// <summary>The slot lease when a call has no deadline (never the case for ingest): longer than any sane upload.</summary>
    internal static readonly TimeSpan UploadLeaseWithoutDeadline = TimeSpan.FromMinutes(2);

    public static IServiceCollection AddCleverTapAccounts(this IServiceCollection services)
    {
        services.AddOptions<CleverTapOptions>().BindConfiguration(CleverTapOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CleverTapOptions>, CleverTapOptionsValidator>());
        services.TryAddSingleton<CleverTapAccounts>();
        return services;
    }

    /// <summary>The typed upload/delete client; its resilience pipeline has one instance per account.</summary>
    public static IServiceCollection AddCleverTapClient(this IServiceCollection services)
    {
        // Idempotent: a second resilience handler on the same client would retry every retry.
        if (services.Any(service => service.ServiceType == typeof(CleverTapClient)))
            return services;
        services.AddCleverTapAccounts();
        services.AddOutgoingCallTelemetry();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<CleverTapClient>(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline bounds every call
            .AddResilienceHandler("upload", (pipeline, context) => ConfigureUploadPipeline(pipeline, context.ServiceProvider))
            .SelectPipelineBy(_ => CleverTapCall.PipelineKey);
        return services;
    }

    /// <summary>
    /// Outermost first: the account's upload slot for the whole call (waiting for it counts against the deadline);
    /// retries of what <see cref="OutgoingCallRules"/> calls retryable, none started unless it can finish before the
    /// caller's deadline; a circuit breaker fed by outages only; the attempt timeout; the body read inside the attempt.
    /// </summary>
    private static void ConfigureUploadPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        // Without storage (unit tests of the client) calls are limited only by the coalescer's in-process count.
        if (services.GetService<LeasedSlots>() is { } slots)
        {
            pipeline.AddStrategy(
                _ => new LeasedSlotStrategy(slots, UploadSlotScope, account => account.MaxConcurrentUploads, request => UploadLease(request, time)),
                new CleverTapStrategyOptions("UploadSlot"));
        }
        pipeline
            .AddRetry(new HttpRetryStrategyOptions
            {
                // The retries must leave the Segment request time to answer (Ingest__DeadlineSeconds): a retry that
                // cannot finish before the deadline, or would have to ignore the server's Retry-After to, is not started.
                ShouldHandle = args => ValueTask.FromResult(
                    OutgoingCallRules.ShouldRetry(args.Outcome, args.Context.CancellationToken)
                    && (OutgoingCallRules.RetryAfter(args.Outcome.Result, time) ?? TimeSpan.Zero) + MinimumUsefulAttempt < Remaining(args.Context, time)),
                MaxRetryAttempts = 10,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(UploadRetryDelay(args.Outcome, args.Context, args.AttemptNumber, time)),
            })
            .AddCircuitBreaker(OutgoingCallStrategies.BreakOnOutages(
                minimumThroughput: 20, samplingDuration: TimeSpan.FromSeconds(30), breakDuration: TimeSpan.FromSeconds(5)))
            .AddTimeout(new HttpTimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(Min(UploadAttemptTimeout, Remaining(args.Context, time))),
            })
            .AddStrategy(_ => new ReadBodyInFullStrategy(), new CleverTapStrategyOptions("ReadBodyInFull"));
    }

    /// <summary>
    /// The server's <c>Retry-After</c> when given (proxies and gateways send it; CleverTap documents none,
    /// https://developer.clevertap.com/docs/api-request-limit), else exponential backoff (100 ms doubling, at most 1 s)
    /// with jitter so coalesced uploads refused together do not come back together. Never waits past the point where
    /// one more attempt could still finish before the deadline. Computed here rather than by the strategy's own
    /// backoff because a delay generator cannot see (and so cannot cap) the delay the strategy would have chosen.
    /// </summary>
    private static TimeSpan UploadRetryDelay(Outcome<HttpResponseMessage> outcome, ResilienceContext context, int attempt, TimeProvider time)
    {
        var wanted = OutgoingCallRules.RetryAfter(outcome.Result, time)
            ?? TimeSpan.FromMilliseconds(Math.Min(1000, 100 * Math.Pow(2, attempt)) * (0.5 + (Random.Shared.NextDouble() / 2)));
        var room = Remaining(context, time) - MinimumUsefulAttempt;
        return room > TimeSpan.Zero ? Min(wanted, room) : TimeSpan.Zero;
    }

    /// <summary>Time left before the caller's deadline (<see cref="TimeSpan.MaxValue"/> without one); never zero, so a timeout can still be set.</summary>
    private static TimeSpan Remaining(ResilienceContext context, TimeProvider time)
    {
        var deadline = CleverTapCall.DeadlineOf(context.GetRequestMessage());
        if (deadline == DateTimeOffset.MaxValue)
            return TimeSpan.MaxValue;
        var remaining = deadline - time.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>The retries stay inside the deadline, so the slot is needed at most until then.</summary>
    private static TimeSpan UploadLease(HttpRequestMessage request, TimeProvider time)
    {
        var deadline = CleverTapCall.DeadlineOf(request);
        var remaining = deadline == DateTimeOffset.MaxValue ? UploadLeaseWithoutDeadline : deadline - time.GetUtcNow();
        var bounded = remaining < UploadLeaseWithoutDeadline ? (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) : UploadLeaseWithoutDeadline;
        return bounded + UploadLeaseMargin;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
