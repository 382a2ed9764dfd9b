using System.Threading.RateLimiting;
using CleverTapSegment.OutgoingCalls;
using CleverTapSegment.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace CleverTapSegment.CleverTap;

/// <summary>Registers the typed export client with its resilience pipeline, one instance per CleverTap account.</summary>
public static class CleverTapExportComposition
{
    /// <summary>
    /// CleverTap allows 3 concurrent Get Events / Get User Profiles calls per account.
    /// https://developer.clevertap.com/docs/api-request-limit
    /// </summary>
    public const int ConcurrentCallsPerAccount = 3;

    /// <summary>Slots of this scope hold the per-account export limit across instances.</summary>
    internal const string ExportSlotScope = "export";

    /// <summary>The attempt timeout: a page of 5000 records is a few MB; two minutes leaves room for a slow export node.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A crashed holder's slot frees itself this long after its attempt would have timed out.</summary>
    internal static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddCleverTapExportClient(this IServiceCollection services)
    {
        // Idempotent: a second resilience handler on the same client would retry every retry.
        if (services.Any(service => service.ServiceType == typeof(CleverTapExportClient)))
            return services;
        services.AddCleverTapAccounts();
        services.AddOutgoingCallTelemetry();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<CleverTapExportClient>(client =>
            {
                // The pipeline bounds each attempt; a client-wide timeout would cut its retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("export", (pipeline, context) => ConfigureExportPipeline(pipeline, context.ServiceProvider))
            .SelectPipelineBy(_ => CleverTapCall.PipelineKey);
        return services;
    }

    /// <summary>
    /// Outermost first: "still in progress" asked again on the same cursor; retries of what
    /// <see cref="OutgoingCallRules"/> calls retryable, honouring <c>Retry-After</c>; a circuit breaker fed by outages;
    /// then per attempt: a place in this instance's queue for the account (3 at once, oldest first), one of the
    /// account's slots shared by every instance, the attempt timeout (not counting the wait for a slot: waiting behind
    /// other items' slow pages is not a failure), and the body read in full inside all of that.
    /// </summary>
    private static void ConfigureExportPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CleverTapExportClient).FullName!);
        pipeline
            // A page being prepared asynchronously: ask for the same cursor again; ingestr waits 6 × 2 s
            // (bruin-data/ingestr pkg/source/clevertap/clevertap.go, isRequestInProgress).
            // https://developer.clevertap.com/docs/get-events-api
            .AddRetry(new HttpRetryStrategyOptions
            {
                Name = "StillInProgress",
                ShouldHandle = args => ValueTask.FromResult(IsStillInProgress(args.Outcome)),
                ShouldRetryAfterHeader = false,
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
            // 429 means more than 3 concurrent calls (no Retry-After is documented, honoured if sent); 5xx and network
            // failures are transient. https://developer.clevertap.com/docs/api-request-limit
            .AddRetry(OutgoingCallStrategies.RetryTransientFailures(time, logger, "CleverTap export request",
                maxRetryAttempts: 5, delay: TimeSpan.FromSeconds(1), maxDelay: TimeSpan.FromSeconds(30)))
            .AddCircuitBreaker(OutgoingCallStrategies.BreakOnOutages(
                minimumThroughput: 10, samplingDuration: TimeSpan.FromMinutes(2), breakDuration: TimeSpan.FromSeconds(30)))
            // This pipeline instance is the account's, so this limiter is too: the in-process queue keeps this
            // instance's callers in order, cheaply, before they compete for the shared slots.
            .AddRateLimiter(new HttpRateLimiterStrategyOptions
            {
                DefaultRateLimiterOptions = new ConcurrencyLimiterOptions
                {
                    PermitLimit = ConcurrentCallsPerAccount,
                    QueueLimit = int.MaxValue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                },
            });
        if (services.GetService<LeasedSlots>() is { } slots)
        {
            pipeline.AddStrategy(
                _ => new LeasedSlotStrategy(slots, ExportSlotScope, _ => ConcurrentCallsPerAccount, _ => AttemptTimeout + LeaseMargin),
                new CleverTapStrategyOptions("ExportSlot"));
        }
        pipeline
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = AttemptTimeout })
            .AddStrategy(_ => new ReadBodyInFullStrategy(), new CleverTapStrategyOptions("ReadBodyInFull"));
    }

    /// <summary>CleverTap answered, but the page is not ready yet ("Request still in progress, please retry later").</summary>
    internal static bool IsStillInProgress(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.Content is CleverTapBufferedContent body && CleverTapExportAnswer.Read(body.Span).IsStillInProgress;
}
