using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;

namespace CleverTapSegment.Storage;

/// <summary>
/// A distributed counting semaphore on Table Storage: N slot entities per (scope, account), shared by every instance
/// of the app, so a per-account concurrency limit holds however far the app scales out. A slot is free when its
/// <c>LeasedUntil</c> has passed; it is taken with an If-Match update (412 = another instance won it) and given back
/// the same way. A holder that crashes frees its slot when the lease runs out, so the lease must cover one call.
/// </summary>
/// <remarks>
/// Steady state: one conditional write to acquire a slot this instance freed last (else one partition read plus one
/// conditional write), one conditional write to release.
/// Optimistic concurrency: https://learn.microsoft.com/rest/api/storageservices/update-entity2.
/// If storage fails, <see cref="AcquireAsync"/> returns a lease that holds nothing and the caller proceeds under its
/// in-process limit only: a limiter outage must never stop deliveries.
/// </remarks>
public sealed partial class LeasedSlots
{
    public const string DefaultTableName = "concurrencyslots";

    internal const string LeasedUntilProperty = "LeasedUntil";
    internal const string OwnerProperty = "Owner";

    /// <summary>Slots per partition are capped: keys are two digits and a read must stay one page.</summary>
    public const int MaxSlots = 100;

    /// <summary>After a storage failure the limiter is skipped for this long, so an outage costs one failed call, not one per upload.</summary>
    internal static readonly TimeSpan DegradedPeriod = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(500);

    // Earlier than any lease, so "LeasedUntil < now" marks the slot free for every instance whatever its clock.
    private static readonly DateTimeOffset FreeMarker = DateTimeOffset.UnixEpoch;

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private long _degradedUntilTicks;

    // Slots this instance freed itself, with the ETag its release produced: an If-Match claim on one of them succeeds
    // only if nobody has touched it since, i.e. it is still free, so the steady state needs no partition read.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string RowKey, ETag ETag)>> _freedHere = new(StringComparer.Ordinal);

    public LeasedSlots(TableClient table, TimeProvider timeProvider, ILogger<LeasedSlots> logger)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Waits (jittered backoff on the injected clock) until one of <paramref name="slotCount"/> slots is free and takes
    /// it for <paramref name="leaseDuration"/>. Cancellation (the caller's deadline) throws
    /// <see cref="OperationCanceledException"/>; a storage failure returns <see cref="SlotLease.Degraded"/>.
    /// </summary>
    public async Task<SlotLease> AcquireAsync(string scope, string account, int slotCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var backoff = FirstBackoff;
        while (true)
        {
            var lease = await TryAcquireOnceAsync(scope, account, slotCount, leaseDuration, cancellationToken);
            if (lease is not null)
                return lease;
            // Full jitter: instances that lost the same race do not come back together.
            await Task.Delay(backoff * (0.5 + Random.Shared.NextDouble() / 2), _timeProvider, cancellationToken);
            backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
        }
    }

    /// <summary>One pass over the partition: a lease, <see cref="SlotLease.Degraded"/> if storage failed, or null when every slot is held.</summary>
    public async Task<SlotLease?> TryAcquireOnceAsync(string scope, string account, int slotCount, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slotCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(slotCount, MaxSlots);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        if (_timeProvider.GetUtcNow().UtcTicks < Interlocked.Read(ref _degradedUntilTicks))
            return SlotLease.Degraded;
        var partitionKey = PartitionKeyFor(scope, account);
        try
        {
            if (_freedHere.TryGetValue(partitionKey, out var freed))
            {
                while (freed.TryDequeue(out var slot))
                {
                    if (int.TryParse(slot.RowKey.AsSpan("slot-".Length), System.Globalization.CultureInfo.InvariantCulture, out var index) && index >= slotCount)
                        continue;
                    var quickClaim = Claim(partitionKey, slot.RowKey, leaseDuration);
                    if (await TryWriteAsync(quickClaim, () => _table.UpdateEntityAsync(quickClaim, slot.ETag, TableUpdateMode.Replace, cancellationToken), lostRace: 412))
                        return new SlotLease(this, quickClaim);
                }
            }
            var held = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            await foreach (var entity in _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"), cancellationToken: cancellationToken))
                held[entity.RowKey] = entity;

            var now = _timeProvider.GetUtcNow();
            var order = Enumerable.Range(0, slotCount).ToArray();
            Random.Shared.Shuffle(order);
            foreach (var index in order)
            {
                var rowKey = RowKeyFor(index);
                var claim = Claim(partitionKey, rowKey, leaseDuration, now);
                if (!held.TryGetValue(rowKey, out var current))
                {
                    if (await TryWriteAsync(claim, () => _table.AddEntityAsync(claim, cancellationToken), lostRace: 409))
                        return new SlotLease(this, claim);
                }
                else if ((current.GetDateTimeOffset(LeasedUntilProperty) ?? FreeMarker) < now)
                {
                    // An expired lease is taken over just like a released one: its holder has crashed or overrun.
                    if (await TryWriteAsync(claim, () => _table.UpdateEntityAsync(claim, current.ETag, TableUpdateMode.Replace, cancellationToken), lostRace: 412))
                        return new SlotLease(this, claim);
                }
            }
            return null;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not (OutOfMemoryException or ArgumentException))
        {
            Interlocked.Exchange(ref _degradedUntilTicks, (_timeProvider.GetUtcNow() + DegradedPeriod).UtcTicks);
            LogDegraded(_logger, exception, scope, account, DegradedPeriod);
            return SlotLease.Degraded;
        }
    }

    internal async Task ReleaseAsync(TableEntity claim)
    {
        var free = new TableEntity(claim.PartitionKey, claim.RowKey) { [LeasedUntilProperty] = FreeMarker };
        try
        {
            // Not the caller's token: a slot is given back even after its deadline has passed.
            var etag = (await _table.UpdateEntityAsync(free, claim.ETag, TableUpdateMode.Replace, CancellationToken.None)).WrittenETag();
            _freedHere.GetOrAdd(claim.PartitionKey, static _ => new ConcurrentQueue<(string, ETag)>()).Enqueue((claim.RowKey, etag));
        }
        catch (RequestFailedException failure) when (failure.Status is 412 or 404)
        {
            // The lease expired and another instance took the slot over: it is theirs now, leave it.
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The lease runs out on its own; until then the slot is lost to everyone, which is safe.
            LogReleaseFailed(_logger, exception, claim.PartitionKey, claim.RowKey);
        }
    }

    private TableEntity Claim(string partitionKey, string rowKey, TimeSpan leaseDuration, DateTimeOffset? now = null) => new(partitionKey, rowKey)
    {
        [LeasedUntilProperty] = (now ?? _timeProvider.GetUtcNow()) + leaseDuration,
        [OwnerProperty] = Guid.NewGuid().ToString("N"),
    };

    /// <summary><c>{scope}-{account}</c> with the characters keys may not hold percent-encoded.</summary>
    internal static string PartitionKeyFor(string scope, string account) => Uri.EscapeDataString(scope) + "-" + Uri.EscapeDataString(account);

    internal static string RowKeyFor(int index) => "slot-" + index.ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="claim"/>, keeping its new ETag for the release; false when another instance won the race.</summary>
    private static async Task<bool> TryWriteAsync(TableEntity claim, Func<Task<Response>> write, int lostRace)
    {
        try
        {
            claim.ETag = (await write()).WrittenETag();
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status == lostRace)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Concurrency slots unavailable for {Scope} {Account}; using the in-process limit only for {Period}")]
    private static partial void LogDegraded(ILogger logger, Exception exception, string scope, string account, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release concurrency slot {PartitionKey}/{RowKey}; it frees itself when its lease expires")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string partitionKey, string rowKey);
}

/// <summary>A held slot (or, when storage failed, nothing); disposing gives it back.</summary>
public sealed class SlotLease : IAsyncDisposable
{
    /// <summary>Holds no slot: the limiter's storage failed and the caller relies on its in-process limit.</summary>
    public static SlotLease Degraded { get; } = new(null, null);

    private readonly LeasedSlots? _owner;
    private readonly TableEntity? _claim;
    private int _released;

    internal SlotLease(LeasedSlots? owner, TableEntity? claim)
    {
        _owner = owner;
        _claim = claim;
    }

    /// <summary>True when a slot in the table is held (false for <see cref="Degraded"/>).</summary>
    public bool IsHeld => _claim is not null;

    /// <summary>The slot's row key, e.g. <c>slot-02</c>.</summary>
    public string? Slot => _claim?.RowKey;

    public async ValueTask DisposeAsync()
    {
        if (_owner is null || _claim is null || Interlocked.Exchange(ref _released, 1) == 1)
            return;
        await _owner.ReleaseAsync(_claim);
    }
}
