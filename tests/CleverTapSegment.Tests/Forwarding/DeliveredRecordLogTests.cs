using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.Tests.Forwarding;

[Collection("Azurite")]
public sealed class DeliveredRecordLogTests(AzuriteFixture azurite)
{
    /// <summary>Counts the storage requests the log makes, to prove the steady state makes none per event.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private static (DeliveredRecordLog Log, CountingHandler Requests) CreateLog(AzuriteFixture azurite, TimeProvider? time = null)
    {
        var requests = new CountingHandler();
        var tables = new TableServiceClient(azurite.ConnectionString, new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(requests)) });
        return (new DeliveredRecordLog(tables, time ?? TimeProvider.System, NullLogger<DeliveredRecordLog>.Instance), requests);
    }

    [Fact]
    public async Task Remembered_records_are_found_by_a_later_instance()
    {
        var account = azurite.UniqueTableName("acct");
        var (writer, _) = CreateLog(azurite);
        var keys = Enumerable.Range(0, 3000).Select(i => DeliveredRecordLog.RecordKey($"msg-{i}", i % 2)).ToList();

        await writer.RememberAsync(account, keys, CancellationToken.None);
        var (reader, _) = CreateLog(azurite);
        var found = await reader.FindDeliveredAsync(account, [keys[0], keys[2999], DeliveredRecordLog.RecordKey("msg-other", 0)], CancellationToken.None);

        Assert.Equal([keys[0], keys[2999]], found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Steady_state_costs_one_marker_read_per_refresh_not_a_call_per_event()
    {
        var account = azurite.UniqueTableName("acct");
        var (log, requests) = CreateLog(azurite);
        await log.FindDeliveredAsync(account, ["warm-up#0"], CancellationToken.None); // reads the marker once
        var before = requests.Count;

        for (var request = 0; request < 100; request++)
        {
            var found = await log.FindDeliveredAsync(account, Enumerable.Range(0, 50).Select(i => $"m{request}-{i}#0").ToList(), CancellationToken.None);
            Assert.Empty(found);
        }

        Assert.Equal(before, requests.Count);
    }

    [Fact]
    public async Task Accounts_are_kept_apart()
    {
        var (log, _) = CreateLog(azurite);
        var first = azurite.UniqueTableName("acct");
        var second = azurite.UniqueTableName("acct");

        await log.RememberAsync(first, ["shared#0"], CancellationToken.None);

        Assert.Single(await log.FindDeliveredAsync(first, ["shared#0"], CancellationToken.None));
        Assert.Empty(await log.FindDeliveredAsync(second, ["shared#0"], CancellationToken.None));
    }

    [Fact]
    public async Task While_entries_are_live_lookups_are_answered_from_memory()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var account = azurite.UniqueTableName("acct");
        var (writer, _) = CreateLog(azurite, time);
        await writer.RememberAsync(account, ["seen#0"], CancellationToken.None);
        var (reader, requests) = CreateLog(azurite, time);
        Assert.Single(await reader.FindDeliveredAsync(account, ["seen#0"], CancellationToken.None)); // loads once
        var before = requests.Count;

        for (var request = 0; request < 100; request++)
            Assert.Empty(await reader.FindDeliveredAsync(account, [$"new{request}#0"], CancellationToken.None));

        Assert.Equal(before, requests.Count);
    }

    [Fact]
    public async Task Entries_written_by_another_instance_are_seen_after_the_refresh_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var account = azurite.UniqueTableName("acct");
        var (writer, _) = CreateLog(azurite, time);
        var (reader, _) = CreateLog(azurite, time);
        await writer.RememberAsync(account, ["first#0"], CancellationToken.None);
        Assert.Single(await reader.FindDeliveredAsync(account, ["first#0"], CancellationToken.None));

        await writer.RememberAsync(account, ["second#0"], CancellationToken.None);
        time.Advance(DeliveredRecordLog.MarkerRefresh);

        Assert.Single(await reader.FindDeliveredAsync(account, ["second#0"], CancellationToken.None));
    }

    [Fact]
    public async Task Entries_expire_after_the_retention()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var account = azurite.UniqueTableName("acct");
        var (log, _) = CreateLog(azurite, time);
        await log.RememberAsync(account, ["old#0"], CancellationToken.None);

        time.Advance(DeliveredRecordLog.Retention + TimeSpan.FromSeconds(1));

        Assert.Empty(await log.FindDeliveredAsync(account, ["old#0"], CancellationToken.None));
    }
}
