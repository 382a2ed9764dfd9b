using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// Counts of the last 24 hours per CleverTap account for the dashboard's Segment → CleverTap page and
/// <c>GET /api/ingest/stats</c>. Counting happens in memory; each instance writes one row per account per flush
/// (once a minute), so the cost is a few storage writes a minute, never one per event.
/// </summary>
public sealed class IngestStatsRecorder(TimeProvider timeProvider)
{
    private ConcurrentDictionary<string, AccountTally> _tallies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Latest> _latest = new(StringComparer.OrdinalIgnoreCase);

    public void Received(string account, int count) => Interlocked.Add(ref Tally(account).ReceivedCount, count);

    public void Delivered(string account, int count) => Interlocked.Add(ref Tally(account).DeliveredCount, count);

    public void Skipped(string account, int count) => Interlocked.Add(ref Tally(account).SkippedCount, count);

    public void Rejected(string account, string reasonCategory, int count) =>
        Tally(account).Rejected.AddOrUpdate(reasonCategory, count, (_, total) => total + count);

    public void UploadSucceeded(string account) =>
        _latest.AddOrUpdate(account, _ => new Latest(timeProvider.GetUtcNow(), null, null),
            (_, latest) => latest with { LastSuccessfulUploadAt = timeProvider.GetUtcNow() });

    /// <summary>The last upload error, as a person would read it; <paramref name="message"/> must carry no secret.</summary>
    public void UploadFailed(string account, string message) =>
        _latest.AddOrUpdate(account, _ => new Latest(null, timeProvider.GetUtcNow(), message),
            (_, latest) => latest with { LastErrorAt = timeProvider.GetUtcNow(), LastError = message });

    /// <summary>Takes what was counted since the last call (the flusher writes it).</summary>
    internal IReadOnlyDictionary<string, AccountTally> TakeTallies() =>
        Interlocked.Exchange(ref _tallies, new ConcurrentDictionary<string, AccountTally>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Counted but not written yet: the reader adds it, so this instance's latest minute shows at once.</summary>
    internal IReadOnlyDictionary<string, AccountTally> PeekTallies() => _tallies;

    internal IReadOnlyDictionary<string, Latest> LatestByAccount => _latest;

    private AccountTally Tally(string account) => _tallies.GetOrAdd(account, static _ => new AccountTally());

    internal sealed class AccountTally
    {
        public long ReceivedCount;
        public long DeliveredCount;
        public long SkippedCount;

        public ConcurrentDictionary<string, long> Rejected { get; } = new(StringComparer.Ordinal);

        public bool IsEmpty => ReceivedCount == 0 && DeliveredCount == 0 && SkippedCount == 0 && Rejected.IsEmpty;
    }

    internal sealed record Latest(DateTimeOffset? LastSuccessfulUploadAt, DateTimeOffset? LastErrorAt, string? LastError);
}

/// <summary>One account's last 24 hours, as <c>GET /api/ingest/stats</c> answers it.</summary>
public sealed record AccountIngestStats(
    string Account,
    string AccountId,
    string Region,
    DateTimeOffset From,
    DateTimeOffset To,
    long Received,
    long Delivered,
    long Skipped,
    RejectedStats Rejected,
    DateTimeOffset? LastSuccessfulUploadAt,
    IngestError? LastError);

public sealed record RejectedStats(long Total, IReadOnlyDictionary<string, long> ByReason);

public sealed record IngestError(DateTimeOffset At, string Message);

public sealed record IngestStatsResponse(IReadOnlyList<AccountIngestStats> Accounts);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestStatsResponse))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class IngestStatsJsonContext : JsonSerializerContext;

/// <summary>
/// The <c>ingeststats</c> table: partition = account; rows <c>m{minute}_{instance}_{sequence}</c> hold one flush of
/// counts, and <c>latest_{instance}</c> holds that instance's last upload and last error. Rows older than two days
/// are deleted by the flusher.
/// </summary>
public sealed partial class IngestStatsStore(TableServiceClient tables, CleverTapAccounts accounts, IngestStatsRecorder recorder, TimeProvider timeProvider)
{
    public const string TableName = "ingeststats";
    internal static readonly TimeSpan Window = TimeSpan.FromHours(24);
    internal static readonly TimeSpan Retention = TimeSpan.FromDays(2);
    private const string MinuteFormat = "yyyyMMddHHmm";
    private static readonly string InstanceId =
        Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } id ? id[..Math.Min(id.Length, 16)] : Guid.NewGuid().ToString("N")[..16];

    private long _sequence;

    private TableClient Table => tables.GetTableClient(TableName);

    /// <summary>Writes what was counted since the last flush: one row per account that saw anything, plus its latest-row.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (account, tally) in recorder.TakeTallies())
        {
            if (tally.IsEmpty)
                continue;
            var entity = new TableEntity(account, $"m{now.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture)}_{InstanceId}_{Interlocked.Increment(ref _sequence):D6}")
            {
                ["Received"] = tally.ReceivedCount,
                ["Delivered"] = tally.DeliveredCount,
                ["Skipped"] = tally.SkippedCount,
                ["RejectedByReason"] = JsonSerializer.Serialize(new Dictionary<string, long>(tally.Rejected), IngestStatsJsonContext.Default.DictionaryStringInt64),
            };
            await Table.AddEntityAsync(entity, cancellationToken);
        }
        foreach (var (account, latest) in recorder.LatestByAccount)
        {
            await Table.UpsertEntityAsync(new TableEntity(account, $"latest_{InstanceId}")
            {
                ["LastSuccessfulUploadAt"] = latest.LastSuccessfulUploadAt,
                ["LastErrorAt"] = latest.LastErrorAt,
                ["LastError"] = latest.LastError,
            }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>Deletes count rows older than <see cref="Retention"/>.</summary>
    public async Task PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = "m" + (timeProvider.GetUtcNow() - Retention).UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture);
        await foreach (var old in Table.QueryAsync<TableEntity>(e => e.RowKey.CompareTo("m") >= 0 && e.RowKey.CompareTo(cutoff) < 0,
                           select: [nameof(TableEntity.PartitionKey), nameof(TableEntity.RowKey)], cancellationToken: cancellationToken))
        {
            await Table.DeleteEntityAsync(old.PartitionKey, old.RowKey, ETag.All, cancellationToken);
        }
    }

    public async Task<IngestStatsResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var to = timeProvider.GetUtcNow();
        var from = to - Window;
        var fromKey = "m" + from.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture);
        var unflushed = recorder.PeekTallies();
        var result = new List<AccountIngestStats>();
        foreach (var account in new[] { accounts.Default }.Concat(accounts.Named.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)))
        {
            long received = 0, delivered = 0, skipped = 0;
            var rejected = new Dictionary<string, long>(StringComparer.Ordinal);
            DateTimeOffset? lastUpload = null;
            IngestError? lastError = null;
            await foreach (var row in QueryPartitionAsync(account.Name, cancellationToken))
            {
                if (row.RowKey.StartsWith("latest_", StringComparison.Ordinal))
                {
                    lastUpload = Later(lastUpload, row.GetDateTimeOffset("LastSuccessfulUploadAt"));
                    if (row.GetDateTimeOffset("LastErrorAt") is { } errorAt && (lastError is null || errorAt > lastError.At))
                        lastError = new IngestError(errorAt, row.GetString("LastError") ?? "");
                    continue;
                }
                if (string.CompareOrdinal(row.RowKey, fromKey) < 0)
                    continue;
                received += row.GetInt64("Received") ?? 0;
                delivered += row.GetInt64("Delivered") ?? 0;
                skipped += row.GetInt64("Skipped") ?? 0;
                if (row.GetString("RejectedByReason") is { Length: > 0 } json
                    && JsonSerializer.Deserialize(json, IngestStatsJsonContext.Default.DictionaryStringInt64) is { } byReason)
                    AddAll(rejected, byReason);
            }
            if (unflushed.TryGetValue(account.Name, out var tally))
            {
                received += tally.ReceivedCount;
                delivered += tally.DeliveredCount;
                skipped += tally.SkippedCount;
                AddAll(rejected, tally.Rejected);
            }
            if (recorder.LatestByAccount.TryGetValue(account.Name, out var latest))
            {
                lastUpload = Later(lastUpload, latest.LastSuccessfulUploadAt);
                if (latest.LastErrorAt is { } at && (lastError is null || at > lastError.At))
                    lastError = new IngestError(at, latest.LastError ?? "");
            }
            result.Add(new AccountIngestStats(account.Name, account.AccountId, account.ApiBaseUri.Host, from, to, received, delivered, skipped,
                new RejectedStats(rejected.Values.Sum(), rejected), lastUpload, lastError));
        }
        return new IngestStatsResponse(result);
    }

    private async IAsyncEnumerable<TableEntity> QueryPartitionAsync(string account, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AsyncPageable<TableEntity> rows;
        try
        {
            rows = Table.QueryAsync<TableEntity>(e => e.PartitionKey == account, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException missing) when (missing.Status == 404)
        {
            yield break;
        }
        await foreach (var row in rows)
            yield return row;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static void AddAll(Dictionary<string, long> into, IEnumerable<KeyValuePair<string, long>> counts)
    {
        foreach (var (reason, count) in counts)
            into[reason] = into.GetValueOrDefault(reason) + count;
    }
}

/// <summary>Writes the counts once a minute (and when the worker stops), and prunes old rows once an hour.</summary>
public sealed partial class IngestStatsFlusher(IngestStatsStore store, TimeProvider timeProvider, ILogger<IngestStatsFlusher> logger) : BackgroundService
{
    internal static readonly TimeSpan FlushEvery = TimeSpan.FromMinutes(1);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushEvery, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await FlushQuietlyAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushQuietlyAsync(cancellationToken);
    }

    private async Task FlushQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.FlushAsync(cancellationToken);
            if (timeProvider.GetUtcNow() - _lastPrune >= TimeSpan.FromHours(1))
            {
                await store.PruneAsync(cancellationToken);
                _lastPrune = timeProvider.GetUtcNow();
            }
        }
        catch (Exception exception) when (exception is RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            // Statistics are best effort: losing a minute of counts must never disturb delivery.
            LogFlushFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write ingest statistics: {Reason}")]
    private static partial void LogFlushFailed(ILogger logger, string reason);
}
