using System.Text.Json;
using Azure.Data.Tables;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>A group of dead letters of one account and reason, as the operations endpoint reports them.</summary>
public sealed record DeadLetterCount(string Account, string Reason, long Records);

/// <summary>
/// Spooled records that will not be delivered without help: those CleverTap refused for good (a validation error, a
/// wrong passcode) and those older than <see cref="IngestOptions.SpoolRetentionHours"/>. One entity per account,
/// reason and chunk of records (partition = account), so a replay after the cause is fixed can pick them by account or
/// reason, re-enqueue them and delete them.
/// </summary>
public sealed class DeadLetterStore(TableServiceClient tables, TimeProvider timeProvider)
{
    public const string TableName = "ingestdeadletters";

    /// <summary>A binary property holds at most 64 KiB (https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types).</summary>
    private const int MaxChunkBytes = 60 * 1024;

    private readonly TableClient _table = tables.GetTableClient(TableName);

    /// <summary>Stores <paramref name="records"/> of <paramref name="account"/> with the reason they could not be delivered.</summary>
    public async Task AddAsync(string account, string reason, DateTimeOffset enqueuedAt, IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var chunk in Chunks(account, enqueuedAt, records))
        {
            var entity = new TableEntity(SafeKey(account), $"{now.UtcTicks:D19}-{Guid.NewGuid():N}")
            {
                ["Account"] = account,
                ["Reason"] = Shorten(reason),
                ["EnqueuedAt"] = enqueuedAt,
                ["DeadLetteredAt"] = now,
                ["RecordCount"] = chunk.Records.Count,
                ["Records"] = chunk.ToJson(),
            };
            // Idempotent enough: a rerun of the same message adds a second entity only if it crashed in between.
            await _table.AddEntityAsync(entity, cancellationToken);
        }
    }

    /// <summary>Dead letters by account and reason.</summary>
    public async Task<IReadOnlyList<DeadLetterCount>> CountAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string), long>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(select: ["Account", "Reason", "RecordCount"], cancellationToken: cancellationToken))
        {
            var key = (entity.GetString("Account") ?? entity.PartitionKey, entity.GetString("Reason") ?? "");
            counts[key] = counts.GetValueOrDefault(key) + (entity.GetInt32("RecordCount") ?? 0);
        }
        return counts.Select(pair => new DeadLetterCount(pair.Key.Item1, pair.Key.Item2, pair.Value))
            .OrderBy(count => count.Account, StringComparer.Ordinal).ThenBy(count => count.Reason, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Hands each matching dead letter to <paramref name="replay"/> (which re-enqueues it) and deletes it once that
    /// succeeded, so a failed replay leaves it in place. Returns the number of records replayed.
    /// </summary>
    public async Task<long> ReplayAsync(string? account, string? reason, Func<string, IReadOnlyList<SpooledRecord>, CancellationToken, Task> replay, CancellationToken cancellationToken)
    {
        var filter = account is null ? null : TableClient.CreateQueryFilter($"PartitionKey eq {SafeKey(account)}");
        long replayed = 0;
        var matching = new List<TableEntity>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (reason is null || string.Equals(entity.GetString("Reason"), reason, StringComparison.Ordinal))
                matching.Add(entity);
        }
        foreach (var entity in matching)
        {
            var message = SpoolMessage.Parse(entity.GetBinary("Records"));
            await replay(message.Account, message.Records, cancellationToken);
            await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
            replayed += message.Records.Count;
        }
        return replayed;
    }

    /// <summary>The records as spool-message JSON (the same codec), split so each chunk fits a binary property.</summary>
    private static IEnumerable<SpoolMessage> Chunks(string account, DateTimeOffset enqueuedAt, IReadOnlyList<SpooledRecord> records)
    {
        var start = 0;
        while (start < records.Count)
        {
            var take = records.Count - start;
            while (true)
            {
                var chunk = new SpoolMessage("deadletter", account, enqueuedAt, 0, records.Skip(start).Take(take).ToList());
                if (take == 1 || chunk.ToJson().Length <= MaxChunkBytes)
                {
                    yield return chunk;
                    break;
                }
                take = (take + 1) / 2;
            }
            start += take;
        }
    }

    private static string Shorten(string reason) => reason.Length <= 1000 ? reason : reason[..1000];

    /// <summary>Table keys may not contain <c>/ \ # ?</c> or control characters.</summary>
    private static string SafeKey(string value) =>
        string.Concat(value.Select(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c) ? '_' : c));
}

/// <summary>JSON of the dead-letter replay body.</summary>
public sealed record DeadLetterReplayRequest(string? Account, string? Reason);

internal static class DeadLetterJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
