using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// Remembers records already delivered inside requests that were answered non-2xx, so Segment's retry of the same
/// batch resends only what was not delivered (CleverTap never de-duplicates: https://developer.clevertap.com/docs/upload-events-api).
/// Only such requests leave delivery ambiguous, so the steady state writes nothing and reads nothing per event: a
/// marker entity per account says whether any entry is still live, and is read at most every <see cref="MarkerRefresh"/>.
/// Keys are <c>{messageId}#{record index}</c>. Entries live in partitions <c>{account}-{hash bucket}</c> (spreading
/// writes), each entity holding many keys; while entries are live each instance keeps a copy in memory, so even
/// then lookups cost no storage call per event or request.
/// </summary>
public sealed partial class DeliveredRecordLog
{
    public const string TableName = "ingestdelivered";

    /// <summary>Segment retries for up to 4 h; 24 h also covers a manual replay the same day.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How stale another instance's view of "no live entries" may be: well under Segment's first retry backoff.</summary>
    public static readonly TimeSpan MarkerRefresh = TimeSpan.FromSeconds(5);

    internal const int Buckets = 16;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);
    private const string MarkerPartition = "marker";
    private const string ExpiresAtColumn = "ExpiresAt";
    private const string KeysColumn = "Keys";
    /// <summary>A string property holds at most 64 KiB (32K UTF-16 chars); stay well under it.</summary>
    private const int MaxKeysChars = 30_000;

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DeliveredRecordLog> _logger;
    private readonly ConcurrentDictionary<string, MarkerState> _markers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Snapshot> _snapshots = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="tables">The account whose <see cref="TableName"/> table (created at start-up) holds the log.</param>
    public DeliveredRecordLog(TableServiceClient tables, TimeProvider timeProvider, ILogger<DeliveredRecordLog> logger)
    {
        _table = tables.GetTableClient(TableName);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public static string RecordKey(string messageId, int recordIndex) => $"{messageId}#{recordIndex}";

    /// <summary>
    /// Which of <paramref name="keys"/> were already delivered. Costs nothing while the account has no live entries;
    /// while it has, lookups are answered from an in-memory copy of the account's entries, brought up to date with one
    /// query for what changed at most every <see cref="MarkerRefresh"/>. A storage failure answers from what is known
    /// (a possible duplicate is better than a lost event).
    /// </summary>
    public async Task<IReadOnlySet<string>> FindDeliveredAsync(string account, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0 || !await MayHaveEntriesAsync(account, cancellationToken))
            return EmptySet;
        var snapshot = _snapshots.GetOrAdd(account, _ => new Snapshot());
        await RefreshAsync(account, snapshot, cancellationToken);
        var now = _timeProvider.GetUtcNow();
        var found = new HashSet<string>(StringComparer.Ordinal);
        lock (snapshot.Keys)
        {
            foreach (var key in keys)
            {
                if (snapshot.Keys.TryGetValue(key, out var expiresAt) && expiresAt > now)
                    found.Add(key);
            }
        }
        return found;
    }

    /// <summary>Loads the account's entries written since the last load (by any instance), expired ones dropped.</summary>
    private async Task RefreshAsync(string account, Snapshot snapshot, CancellationToken cancellationToken)
    {
        if (_timeProvider.GetUtcNow() - snapshot.LoadedAt < MarkerRefresh)
            return;
        await snapshot.Gate.WaitAsync(cancellationToken);
        try
        {
            var startedAt = _timeProvider.GetUtcNow();
            if (startedAt - snapshot.LoadedAt < MarkerRefresh)
                return;
            var prefix = SafeKey(account) + "-";
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {SafeKey(account) + "."}");
            // Server timestamps of other instances' writes may trail our clock a little: overlap the window.
            if (snapshot.LoadedAt > DateTimeOffset.MinValue)
                filter += " and " + TableClient.CreateQueryFilter($"Timestamp ge {snapshot.LoadedAt - ClockSkew}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (entity.PartitionKey.Length != prefix.Length + 1)
                    continue; // another account whose name merely starts with this one's
                if (entity.GetDateTimeOffset(ExpiresAtColumn) is not { } expiresAt || expiresAt <= startedAt)
                {
                    _ = DeleteQuietlyAsync(entity);
                    continue;
                }
                lock (snapshot.Keys)
                {
                    foreach (var key in (entity.GetString(KeysColumn) ?? "").Split('\n'))
                        snapshot.Keys[key] = expiresAt;
                }
            }
            lock (snapshot.Keys)
            {
                foreach (var expired in snapshot.Keys.Where(pair => pair.Value <= startedAt).Select(pair => pair.Key).ToList())
                    snapshot.Keys.Remove(expired);
            }
            snapshot.LoadedAt = startedAt;
        }
        catch (Exception exception) when (exception is RequestFailedException or HttpRequestException)
        {
            LogStoreFailed(_logger, exception, "read");
        }
        finally
        {
            snapshot.Gate.Release();
        }
    }

    /// <summary>Remembers delivered record keys for <see cref="Retention"/> and raises the account's marker.</summary>
    public async Task RememberAsync(string account, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var usable = keys.Where(key => !key.Contains('\n', StringComparison.Ordinal)).ToList();
        if (usable.Count == 0)
            return;
        try
        {
            var expiresAt = _timeProvider.GetUtcNow() + Retention;
            var marker = new TableEntity(MarkerPartition, SafeKey(account)) { [ExpiresAtColumn] = expiresAt };
            await _table.UpsertEntityAsync(marker, TableUpdateMode.Replace, cancellationToken);
            _markers[account] = new MarkerState(expiresAt, _timeProvider.GetUtcNow());
            var snapshot = _snapshots.GetOrAdd(account, _ => new Snapshot());
            lock (snapshot.Keys)
            {
                foreach (var key in usable)
                    snapshot.Keys[key] = expiresAt;
            }

            var entities = usable.GroupBy(key => Partition(account, key), StringComparer.Ordinal)
                .SelectMany(group => Chunk(group).Select(chunk => new TableEntity(group.Key, Guid.NewGuid().ToString("N"))
                {
                    [ExpiresAtColumn] = expiresAt,
                    [KeysColumn] = chunk,
                }));
            await Parallel.ForEachAsync(entities, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                async (entity, token) => await _table.AddEntityAsync(entity, token));
        }
        catch (Exception exception) when (exception is RequestFailedException or HttpRequestException or OperationCanceledException)
        {
            // The retry may then resend these records: a duplicate, never a loss.
            LogStoreFailed(_logger, exception, "write");
        }
    }

    /// <summary>The cheap, cached question asked once per request: may this account have live entries?</summary>
    internal async Task<bool> MayHaveEntriesAsync(string account, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var state = _markers.GetValueOrDefault(account);
        if (state is not null && (state.ActiveUntil > now || now - state.CheckedAt < MarkerRefresh))
            return state.ActiveUntil > now;

        var refresh = new MarkerState(state?.ActiveUntil ?? DateTimeOffset.MinValue, now);
        // One reader refreshes; concurrent requests keep using the previous answer meanwhile.
        if (state is not null && !_markers.TryUpdate(account, refresh, state))
            return state.ActiveUntil > now;
        if (state is null && !_markers.TryAdd(account, refresh))
            return _markers[account].ActiveUntil > now;
        try
        {
            var marker = await _table.GetEntityIfExistsAsync<TableEntity>(MarkerPartition, SafeKey(account), [ExpiresAtColumn], cancellationToken);
            var activeUntil = (marker.HasValue ? marker.Value!.GetDateTimeOffset(ExpiresAtColumn) : null) ?? DateTimeOffset.MinValue;
            _markers[account] = new MarkerState(activeUntil, now);
            return activeUntil > now;
        }
        catch (Exception exception) when (exception is RequestFailedException or HttpRequestException)
        {
            LogStoreFailed(_logger, exception, "read");
            return false;
        }
    }

    private async Task DeleteQuietlyAsync(TableEntity entity)
    {
        try
        {
            await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag);
        }
        catch (Exception exception) when (exception is RequestFailedException or HttpRequestException)
        {
            LogStoreFailed(_logger, exception, "clean up");
        }
    }

    private static IEnumerable<string> Chunk(IEnumerable<string> keys)
    {
        var builder = new StringBuilder();
        foreach (var key in keys)
        {
            if (builder.Length > 0 && builder.Length + key.Length + 1 > MaxKeysChars)
            {
                yield return builder.ToString();
                builder.Clear();
            }
            if (builder.Length > 0)
                builder.Append('\n');
            builder.Append(key);
        }
        if (builder.Length > 0)
            yield return builder.ToString();
    }

    private static string Partition(string account, string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return $"{SafeKey(account)}-{hash[0] % Buckets:x1}";
    }

    /// <summary>Table keys may not contain <c>/ \ # ?</c> or control characters.</summary>
    private static string SafeKey(string value) =>
        string.Concat(value.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '_' : c));

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    private sealed record MarkerState(DateTimeOffset ActiveUntil, DateTimeOffset CheckedAt);

    /// <summary>This instance's copy of an account's live entries: record key → expiry.</summary>
    private sealed class Snapshot
    {
        public Dictionary<string, DateTimeOffset> Keys { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset LoadedAt { get; set; } = DateTimeOffset.MinValue;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivered-record log {Operation} failed; a Segment retry may resend delivered events")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string operation);
}
