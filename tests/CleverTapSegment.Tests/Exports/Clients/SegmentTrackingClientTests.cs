using System.Net;
using System.Text;
using CleverTapSegment.Segment;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Tests.Exports.Clients;

public sealed class SegmentTrackingClientTests
{
    private static readonly byte[] OneTrack = Encoding.UTF8.GetBytes(
        """{"batch":[{"type":"track","event":"Charged","userId":"u1","messageId":"ct-1"}],"sentAt":"2026-11-22T04:00:00.000Z"}""");

    [Fact]
    public async Task Batch_is_accepted_with_basic_auth_of_the_write_key()
    {
        await using var segment = await FakeSegment.StartAsync(new() { WriteKeys = ["abc123"] });
        await using var harness = ExportClientsHarness.ForSegment(segment.BaseAddress);

        await harness.Segment.SendBatchAsync(new SegmentDestination("abc123", SegmentRegion.US), OneTrack, CancellationToken.None);

        Assert.Equal(1, segment.UniqueMessages);
        Assert.Equal("abc123", Assert.Single(segment.Requests).WriteKey);
    }

    [Fact]
    public async Task Authorization_header_is_the_documented_basic_encoding()
    {
        var capture = new CapturingHandler(HttpStatusCode.OK);
        await using var harness = ExportClientsHarness.ForSegment(null, services => CapturePrimary(services, capture));

        await harness.Segment.SendBatchAsync(new SegmentDestination("abc123", SegmentRegion.US), OneTrack, CancellationToken.None);

        // The worked example of https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#authentication
        Assert.Equal("Basic YWJjMTIzOg==", capture.Requests.Single().Authorization);
        Assert.Equal("application/json", capture.Requests.Single().ContentType);
    }

    [Theory]
    [InlineData(SegmentRegion.US, "https://api.segment.io/v1/batch")]
    [InlineData(SegmentRegion.EU, "https://events.eu1.segmentapis.com/v1/batch")]
    public async Task Region_selects_the_tracking_api_host(SegmentRegion region, string expected)
    {
        var capture = new CapturingHandler(HttpStatusCode.OK);
        await using var harness = ExportClientsHarness.ForSegment(null, services => CapturePrimary(services, capture));

        await harness.Segment.SendBatchAsync(new SegmentDestination("key", region), OneTrack, CancellationToken.None);

        Assert.Equal(expected, capture.Requests.Single().Uri);
    }

    [Fact]
    public async Task Base_url_setting_overrides_every_region()
    {
        await using var segment = await FakeSegment.StartAsync(new() { WriteKeys = ["eu-key"] });
        await using var harness = ExportClientsHarness.ForSegment(segment.BaseAddress);

        await harness.Segment.SendBatchAsync(new SegmentDestination("eu-key", SegmentRegion.EU), OneTrack, CancellationToken.None);

        Assert.Equal(new Uri(segment.BaseAddress, "v1/batch"), harness.Segment.BatchUriFor(new SegmentDestination("eu-key", SegmentRegion.EU)));
        Assert.Equal(1, segment.UniqueMessages);
    }

    [Fact]
    public async Task Bad_request_is_permanent_and_not_retried()
    {
        await using var segment = await FakeSegment.StartAsync();
        await using var harness = ExportClientsHarness.ForSegment(segment.BaseAddress);
        var oversized = Encoding.UTF8.GetBytes("{\"batch\":[{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"p\":\"" + new string('a', 600 * 1024) + "\"}]}");

        var failure = await Assert.ThrowsAsync<SegmentRequestException>(
            () => harness.Segment.SendBatchAsync(new SegmentDestination("test-write-key", SegmentRegion.US), oversized, CancellationToken.None));

        Assert.False(failure.IsTransient);
        Assert.Equal(400, failure.StatusCode);
        Assert.Equal(1, segment.RequestCount);
    }

    [Fact]
    public async Task Server_errors_are_transient_after_the_retries()
    {
        await using var segment = await FakeSegment.StartAsync();
        await using var harness = ExportClientsHarness.ForSegment(segment.BaseAddress);
        segment.FailNext(100, 502);

        var failure = await Assert.ThrowsAsync<SegmentRequestException>(
            () => harness.Segment.SendBatchAsync(new SegmentDestination("test-write-key", SegmentRegion.US), OneTrack, CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Equal(502, failure.StatusCode);
        Assert.Equal(7, segment.RequestCount);
        Assert.Equal(0, segment.AcceptedMessages);
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after_then_succeeds()
    {
        await using var segment = await FakeSegment.StartAsync();
        await using var harness = ExportClientsHarness.ForSegment(segment.BaseAddress);
        segment.FailNext(1, 429, retryAfter: TimeSpan.FromSeconds(7));

        await harness.Segment.SendBatchAsync(new SegmentDestination("test-write-key", SegmentRegion.US), OneTrack, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(7), Assert.Single(harness.Clock.Delays));
        Assert.Equal(1, segment.UniqueMessages);
    }

    [Fact]
    public async Task Unreachable_host_is_transient_and_the_write_key_stays_out_of_the_message()
    {
        var server = await LoopbackServer.StartAsync(_ => { });
        var closed = server.BaseAddress;
        await server.DisposeAsync();
        await using var harness = ExportClientsHarness.ForSegment(closed);

        var failure = await Assert.ThrowsAsync<SegmentRequestException>(
            () => harness.Segment.SendBatchAsync(new SegmentDestination("secret-write-key-9876", SegmentRegion.US), OneTrack, CancellationToken.None));

        Assert.True(failure.IsTransient);
        Assert.Null(failure.StatusCode);
        Assert.DoesNotContain("secret-write-key", failure.ToString());
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("http://127.0.0.1:9999", true)]
    [InlineData("not a url", false)]
    [InlineData("ftp://example.test/", false)]
    public void Base_url_setting_is_validated_naming_the_variable(string? value, bool valid)
    {
        var result = new SegmentOptionsValidator().Validate(null, new SegmentOptions { ApiBaseUrl = value });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
            Assert.Contains("Segment__ApiBaseUrl", result.FailureMessage);
    }

    [Fact]
    public void Destination_never_prints_its_write_key()
    {
        var destination = new SegmentDestination("super-secret-key-WXYZ", SegmentRegion.EU);

        Assert.DoesNotContain("super-secret", destination.ToString());
        Assert.EndsWith("…WXYZ)", destination.ToString());
    }

    private static void CapturePrimary(IServiceCollection services, CapturingHandler capture)
        => services.AddHttpClient<SegmentTrackingClient>().ConfigurePrimaryHttpMessageHandler(() => capture);

    /// <summary>Stands in for the network: records each request and answers it, sending nothing anywhere.</summary>
    private sealed class CapturingHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public List<(string Uri, string? Authorization, string? ContentType)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.RequestUri!.AbsoluteUri, request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType));
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{\"success\":true}") });
        }
    }
}
