using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;
using CleverTapSegment.Tests.CleverTap;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.OutgoingCalls;

/// <summary>The three typed clients as the app composes them, over a scripted network and a fake clock.</summary>
public sealed class OutgoingCallPipelinesTests
{
    public enum Client { CleverTapUpload, CleverTapExport, SegmentTracking }

    /// <summary>Never reached: the scripted network answers below the pipelines.</summary>
    private static readonly Uri Unreachable = new("http://127.0.0.1:9/");

    private static readonly CleverTapAccount BrokenAccount = Account("BROKEN-ACCOUNT");
    private static readonly CleverTapAccount HealthyAccount = Account("HEALTHY-ACCOUNT");

    public static TheoryData<Client, int, bool> StatusesPerClient()
    {
        // The same rows for every client: they all read one table.
        (int Status, bool Retried)[] rows = [(400, false), (401, false), (403, false), (404, false), (408, true), (413, false), (429, true), (500, true), (501, false), (502, true), (503, true), (504, true)];
        var data = new TheoryData<Client, int, bool>();
        foreach (var client in Enum.GetValues<Client>())
        {
            foreach (var (status, retried) in rows)
                data.Add(client, status, retried);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(StatusesPerClient))]
    public async Task Every_client_retries_exactly_the_statuses_the_table_retries(Client client, int status, bool retried)
    {
        var clock = new RetryDelayClock();
        var network = new ScriptedNetwork((_, number) => number == 1 ? new HttpResponseMessage((HttpStatusCode)status) : Success(client));
        await using var services = Services(clock, network);

        var succeeded = await clock.RunAsync(() => CallAsync(services, client, HealthyAccount, clock));

        Assert.Equal(retried ? 2 : 1, network.Requests);
        Assert.Equal(retried, succeeded);
    }

    [Theory]
    [InlineData(Client.CleverTapUpload)]
    [InlineData(Client.CleverTapExport)]
    [InlineData(Client.SegmentTracking)]
    public async Task Every_client_waits_as_long_as_retry_after_says(Client client)
    {
        var clock = new RetryDelayClock();
        var network = new ScriptedNetwork((_, number) => number == 1 ? TooManyRequests(TimeSpan.FromSeconds(3)) : Success(client));
        await using var services = Services(clock, network);

        var succeeded = await clock.RunAsync(() => CallAsync(services, client, HealthyAccount, clock));

        Assert.True(succeeded);
        Assert.Equal([TimeSpan.FromSeconds(3)], clock.Delays);
        Assert.Equal(2, network.Requests);
    }

    [Fact]
    public async Task An_upload_is_not_retried_when_retry_after_reaches_past_the_segment_deadline()
    {
        var clock = new RetryDelayClock();
        var network = new ScriptedNetwork((_, _) => TooManyRequests(TimeSpan.FromSeconds(30)));
        await using var services = Services(clock, network);
        var upload = services.GetRequiredService<CleverTapClient>();

        var results = await clock.RunAsync(() =>
            upload.UploadAsync(HealthyAccount, [CleverTapClientTests.Event("u1")], clock.GetUtcNow().AddSeconds(4), CancellationToken.None));

        // Segment is told to retry the event later rather than CleverTap being asked again before it said it would answer.
        Assert.Equal(RecordOutcome.Throttled, results[0].Outcome);
        Assert.Equal(1, network.Requests);
        Assert.Empty(clock.Delays);
    }

    [Theory]
    [InlineData(Client.CleverTapUpload)]
    [InlineData(Client.CleverTapExport)]
    public async Task One_accounts_outage_opens_only_that_accounts_circuit(Client client)
    {
        var clock = new RetryDelayClock();
        var network = new ScriptedNetwork((request, _) => request.Headers.GetValues("X-CleverTap-Account-Id").Single() == BrokenAccount.AccountId
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : Success(client));
        await using var services = Services(clock, network);

        // Calls fail (each after its retries) until the breaker opens: then a call sends nothing at all.
        int sentBefore, calls = 0;
        do
        {
            sentBefore = network.RequestsFor(BrokenAccount.AccountId);
            Assert.False(await clock.RunAsync(() => CallAsync(services, client, BrokenAccount, clock)));
        }
        while (network.RequestsFor(BrokenAccount.AccountId) > sentBefore && ++calls < 10);
        var healthySucceeded = await clock.RunAsync(() => CallAsync(services, client, HealthyAccount, clock));

        Assert.Equal(sentBefore, network.RequestsFor(BrokenAccount.AccountId));
        Assert.True(healthySucceeded);
        Assert.Equal(1, network.RequestsFor(HealthyAccount.AccountId));
    }

    [Fact]
    public async Task Composing_a_client_twice_does_not_stack_its_retries()
    {
        var clock = new RetryDelayClock();
        var network = new ScriptedNetwork((_, _) => new HttpResponseMessage(HttpStatusCode.BadGateway));
        await using var services = Services(clock, network, services => services.AddSegmentTrackingClient());

        Assert.False(await clock.RunAsync(() => CallAsync(services, Client.SegmentTracking, HealthyAccount, clock)));

        Assert.Equal(7, network.Requests); // one attempt and six retries, not seven times seven
    }

    private static CleverTapAccount Account(string accountId) => new(accountId.ToLowerInvariant(), accountId, "passcode", Unreachable, 3, TimeZoneInfo.Utc);

    private static ServiceProvider Services(RetryDelayClock clock, ScriptedNetwork network, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Segment:ApiBaseUrl"] = Unreachable.AbsoluteUri })
            .Build());
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddCleverTapClient();
        services.AddCleverTapExportClient();
        services.AddSegmentTrackingClient();
        services.AddHttpClient<CleverTapClient>().ConfigurePrimaryHttpMessageHandler(() => network);
        services.AddHttpClient<CleverTapExportClient>().ConfigurePrimaryHttpMessageHandler(() => network);
        services.AddHttpClient<SegmentTrackingClient>().ConfigurePrimaryHttpMessageHandler(() => network);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>One call through <paramref name="client"/>; true when it delivered, false when it gave up.</summary>
    private static async Task<bool> CallAsync(IServiceProvider services, Client client, CleverTapAccount account, TimeProvider clock)
    {
        switch (client)
        {
            case Client.CleverTapUpload:
                var results = await services.GetRequiredService<CleverTapClient>()
                    .UploadAsync(account, [CleverTapClientTests.Event("u1")], clock.GetUtcNow().AddSeconds(10), CancellationToken.None);
                return results[0].Outcome == RecordOutcome.Delivered;
            case Client.CleverTapExport:
                try
                {
                    var day = new DateOnly(2026, 11, 1);
                    await services.GetRequiredService<CleverTapExportClient>().OpenCursorAsync(account, ExportDataType.Events, "Charged", day, day, 10, CancellationToken.None);
                    return true;
                }
                catch (CleverTapExportException)
                {
                    return false;
                }
            case Client.SegmentTracking:
                try
                {
                    var batch = Encoding.UTF8.GetBytes("""{"batch":[{"type":"track","event":"Charged","userId":"u1","messageId":"m-1"}]}""");
                    await services.GetRequiredService<SegmentTrackingClient>().SendBatchAsync(new SegmentDestination("write-key", SegmentRegion.US), batch, CancellationToken.None);
                    return true;
                }
                catch (SegmentRequestException)
                {
                    return false;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(client), client, null);
        }
    }

    private static HttpResponseMessage Success(Client client) => Json(client switch
    {
        Client.CleverTapUpload => """{"status":"success","processed":1,"unprocessed":[]}""",
        Client.CleverTapExport => """{"status":"success","cursor":"cursor-1"}""",
        _ => """{"success":true}""",
    });

    private static HttpResponseMessage TooManyRequests(TimeSpan retryAfter) => new(HttpStatusCode.TooManyRequests)
    {
        Headers = { RetryAfter = new RetryConditionHeaderValue(retryAfter) },
    };

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
    };
}
