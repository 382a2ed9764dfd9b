using CleverTapSegment.OutgoingCalls;
using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CleverTapSegment.Segment;

/// <summary>
/// The Tracking API client's pipeline: 429 (honouring <c>Retry-After</c>), 5xx, network failures and attempt timeouts
/// retried with jittered exponential backoff; 400 and other 4xx are returned at once (permanent). Delays use the
/// injected <see cref="TimeProvider"/>. Write keys are never logged (only status codes and delays are).
/// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#errors
/// </summary>
public sealed class SegmentTrackingResilienceHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public SegmentTrackingResilienceHandler(TimeProvider timeProvider, ILogger<SegmentTrackingResilienceHandler> logger)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(response => OutgoingCallRules.IsRetried(OutgoingCallRules.Classify(response.StatusCode))),
                // The official .NET library retries 7 times from 100 ms up to 6.4 s
                // (https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations).
                MaxRetryAttempts = 6,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                UseJitter = true,
                DelayGenerator = args => ValueTask.FromResult(OutgoingCallRules.RetryAfter(args.Outcome.Result, timeProvider)),
                OnRetry = args =>
                {
                    logger.LogWarning("Segment batch failed ({Failure}); retrying in {Delay} (attempt {Attempt}).",
                        args.Outcome.Result is { } result ? (int)result.StatusCode : args.Outcome.Exception?.GetType().Name, args.RetryDelay, args.AttemptNumber + 1);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            // analytics-next waits 10 s per request; a 480 KB batch on a slow link needs some more.
            .AddTimeout(TimeSpan.FromSeconds(30))
            .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => await _pipeline.ExecuteAsync(async token => await base.SendAsync(request, token), cancellationToken);
}
