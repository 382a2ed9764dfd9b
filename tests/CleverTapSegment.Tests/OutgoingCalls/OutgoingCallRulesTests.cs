using System.Net;
using System.Net.Http.Headers;
using CleverTapSegment.CleverTap;
using CleverTapSegment.OutgoingCalls;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CleverTapSegment.Tests.OutgoingCalls;

public sealed class OutgoingCallRulesTests
{
    [Theory]
    [InlineData(200, CallAnswer.Success, false)]
    [InlineData(202, CallAnswer.Success, false)]
    [InlineData(301, CallAnswer.Permanent, false)]
    [InlineData(400, CallAnswer.Permanent, false)]
    [InlineData(401, CallAnswer.CredentialsRefused, false)]
    [InlineData(403, CallAnswer.CredentialsRefused, false)]
    [InlineData(404, CallAnswer.Permanent, false)]
    [InlineData(408, CallAnswer.Transient, true)] // RFC 9110: the client may repeat the request
    [InlineData(409, CallAnswer.Permanent, false)]
    [InlineData(413, CallAnswer.Permanent, false)]
    [InlineData(429, CallAnswer.Throttled, true)]
    [InlineData(500, CallAnswer.Transient, true)]
    [InlineData(501, CallAnswer.Permanent, false)] // RFC 9110: the same request gets the same answer
    [InlineData(502, CallAnswer.Transient, true)]
    [InlineData(503, CallAnswer.Transient, true)]
    [InlineData(504, CallAnswer.Transient, true)]
    [InlineData(599, CallAnswer.Transient, true)]
    public void Each_status_has_one_answer_and_one_retry_decision(int status, CallAnswer expected, bool retried)
    {
        Assert.Equal(expected, OutgoingCallRules.Classify(status));
        Assert.Equal(retried, OutgoingCallRules.IsRetried(OutgoingCallRules.Classify(status)));
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        Assert.Equal(retried, OutgoingCallRules.ShouldRetry(Outcome.FromResult(response), CancellationToken.None));
        Assert.Equal(expected == CallAnswer.Transient, OutgoingCallRules.IsOutage(Outcome.FromResult(response), CancellationToken.None));
    }

    [Fact]
    public void Upload_outcomes_agree_with_the_table_for_every_status()
    {
        for (var status = 100; status <= 599; status++)
        {
            var outcome = UploadClassification.Classify(status);
            var answer = OutgoingCallRules.Classify(status);
            // Retried by the pipeline ⇒ Segment is told to retry too. Not retried ⇒ settled (delivered or rejected),
            // except refused credentials, which Segment must keep until an operator fixes the settings.
            var segmentRetries = new RecordResult(outcome).IsTransient;
            Assert.Equal(OutgoingCallRules.IsRetried(answer) || answer == CallAnswer.CredentialsRefused, segmentRetries);
            Assert.Equal(answer == CallAnswer.Success, outcome == RecordOutcome.Delivered);
            Assert.Equal(answer == CallAnswer.Permanent, outcome == RecordOutcome.Rejected);
        }
    }

    public static TheoryData<Exception, bool, bool> Failures => new()
    {
        { new HttpRequestException("connection refused"), false, true },
        { new TimeoutRejectedException(), false, true },
        { new TaskCanceledException("connect timeout"), false, true },
        { new TaskCanceledException("the caller gave up"), true, false },
        { new BrokenCircuitException(), false, false },
        { new InvalidOperationException(), false, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_call_without_an_answer_is_retried_only_for_transport_failures(Exception failure, bool callerCancelled, bool retried)
    {
        using var caller = new CancellationTokenSource();
        if (callerCancelled)
            caller.Cancel();

        Assert.Equal(retried, OutgoingCallRules.ShouldRetry(Outcome.FromException<HttpResponseMessage>(failure), caller.Token));
        Assert.Equal(retried, OutgoingCallRules.IsOutage(Outcome.FromException<HttpResponseMessage>(failure), caller.Token));
    }

    [Fact]
    public void Retry_after_is_read_as_seconds_or_as_a_date_on_the_app_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero));
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)) } };
        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(30)) } };
        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new RetryConditionHeaderValue(clock.GetUtcNow().AddSeconds(-30)) } };
        using var none = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Equal(TimeSpan.FromSeconds(7), OutgoingCallRules.RetryAfter(seconds, clock));
        Assert.Equal(TimeSpan.FromSeconds(30), OutgoingCallRules.RetryAfter(date, clock));
        Assert.Equal(TimeSpan.Zero, OutgoingCallRules.RetryAfter(past, clock));
        Assert.Null(OutgoingCallRules.RetryAfter(none, clock));
    }
}
