using CleverTapSegment.OutgoingCalls;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace CleverTapSegment.Segment;

/// <summary>Registers the Tracking API client, its settings and its resilience pipeline.</summary>
public static class SegmentComposition
{
    /// <summary>analytics-next waits 10 s per request; a 480 KB batch on a slow link needs some more.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddSegmentTrackingClient(this IServiceCollection services)
    {
        // Idempotent: a second resilience handler on the same client would retry every retry.
        if (services.Any(service => service.ServiceType == typeof(SegmentTrackingClient)))
            return services;
        services.AddOptions<SegmentOptions>().BindConfiguration(SegmentOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SegmentOptions>, SegmentOptionsValidator>());
        services.AddOutgoingCallTelemetry();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<SegmentTrackingClient>(client =>
            {
                // The pipeline bounds each attempt; a client-wide timeout would cut its retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("tracking", (pipeline, context) => ConfigureTrackingPipeline(pipeline, context.ServiceProvider))
            // One instance per Tracking API host (US, EU, or the override): an outage of one region leaves the other's circuit closed.
            .SelectPipelineByAuthority();
        return services;
    }

    /// <summary>
    /// Outermost first: retries of what <see cref="OutgoingCallRules"/> calls retryable (429 after its
    /// <c>Retry-After</c>, 408, 5xx, network, attempt timeouts), a circuit breaker fed by outages, the attempt timeout.
    /// 400 and other 4xx are returned at once. Write keys are never logged (only status codes and delays are).
    /// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#errors
    /// </summary>
    private static void ConfigureTrackingPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, IServiceProvider services)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SegmentTrackingClient).FullName!);
        pipeline
            // The official .NET library retries 7 times from 100 ms up to 6.4 s
            // (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations); a 429
            // carries Retry-After in seconds (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#rate-limits).
            .AddRetry(OutgoingCallStrategies.RetryTransientFailures(time, logger, "Segment batch",
                maxRetryAttempts: 6, delay: TimeSpan.FromMilliseconds(200), maxDelay: TimeSpan.FromSeconds(10)))
            .AddCircuitBreaker(OutgoingCallStrategies.BreakOnOutages(
                minimumThroughput: 20, samplingDuration: TimeSpan.FromMinutes(1), breakDuration: TimeSpan.FromSeconds(30)))
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = AttemptTimeout });
    }
}
