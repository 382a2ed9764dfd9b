using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Telemetry;

namespace CleverTapSegment.OutgoingCalls;

/// <summary>Strategy options the outgoing pipelines share, so they all retry and break on <see cref="OutgoingCallRules"/>.</summary>
internal static class OutgoingCallStrategies
{
    /// <summary>
    /// Polly logs every pipeline run and every attempt at Information: three lines per call that needed nothing,
    /// in the app's own log (and the dev host's console) at the level it shows. Those two routine events go to
    /// Debug; retries, handled attempts, timeouts and circuit changes keep their Warning/Error.
    /// </summary>
    public static IServiceCollection AddOutgoingCallTelemetry(this IServiceCollection services) =>
        services.Configure<TelemetryOptions>(options => options.SeverityProvider = args =>
            args.Event.Severity == ResilienceEventSeverity.Information && args.Event.EventName is "PipelineExecuted" or "ExecutionAttempt"
                ? ResilienceEventSeverity.Debug
                : args.Event.Severity);

    /// <summary>
    /// Retries what the table retries, with exponential backoff and jitter; the server's <c>Retry-After</c> wins when
    /// given. It is read on the app's clock: Http.Resilience's own reader takes a date against the system clock.
    /// Logs the status or exception type and the delay, never the request (it carries credentials).
    /// </summary>
    public static HttpRetryStrategyOptions RetryTransientFailures(
        TimeProvider time, ILogger logger, string what, int maxRetryAttempts, TimeSpan delay, TimeSpan maxDelay) => new()
    {
        ShouldHandle = args => ValueTask.FromResult(OutgoingCallRules.ShouldRetry(args.Outcome, args.Context.CancellationToken)),
        MaxRetryAttempts = maxRetryAttempts,
        BackoffType = DelayBackoffType.Exponential,
        Delay = delay,
        MaxDelay = maxDelay,
        UseJitter = true,
        DelayGenerator = args => ValueTask.FromResult(OutgoingCallRules.RetryAfter(args.Outcome.Result, time)),
        OnRetry = args =>
        {
            logger.LogWarning("{What} failed ({Failure}); retrying in {Delay} (attempt {Attempt}).",
                what, args.Outcome.Result is { } result ? (int)result.StatusCode : args.Outcome.Exception?.GetType().Name, args.RetryDelay, args.AttemptNumber + 1);
            return default;
        },
    };

    /// <summary>
    /// Opens when at least half of the attempts in <paramref name="samplingDuration"/> (and at least
    /// <paramref name="minimumThroughput"/>) were outages. Only outages count: a 429 is the service pacing us, which
    /// backoff already handles, and a 4xx is our request's fault, not the service's.
    /// </summary>
    public static HttpCircuitBreakerStrategyOptions BreakOnOutages(int minimumThroughput, TimeSpan samplingDuration, TimeSpan breakDuration) => new()
    {
        ShouldHandle = args => ValueTask.FromResult(OutgoingCallRules.IsOutage(args.Outcome, args.Context.CancellationToken)),
        FailureRatio = 0.5,
        MinimumThroughput = minimumThroughput,
        SamplingDuration = samplingDuration,
        BreakDuration = breakDuration,
    };
}
