using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using CleverTapSegment.Hosting;

namespace CleverTapSegment.Storage;

/// <summary>
/// A distributed counting semaphore on Table Storage: N slot entities per (scope, account), shared by every instance
/// of the app, so a per-account concurrency limit holds however far the app scales out. A slot is free when its
/// <c>LeasedUntil</c> has passed; it is taken with an If-Match update (412 = another instance won it) and given back
/// the same way. A holder that crashes frees its slot when the lease runs out, so the lease must cover one call.
/// </summary>
/// <remarks>
/// Steady state: one conditional write to acquire a slot this instance freed last (else one partition read plus one
/// conditional write), one conditional write to release. With a <see cref="HandoverWindow"/>, a slot this instance
/// finished with stays leased for that long, and a call of this instance that starts meanwhile takes it over: as it is
/// when the lease left covers the call, else renewed with one conditional write. Back-to-back uploads then cost one
/// write each instead of two, on a path where the two were a fifth of an upload slot's time (./dev bench forwarding,
/// docs/benchmarks.md). A slot is handed over at most <see cref="MaxHandovers"/> times in a
/// row, then given back to the table, so other instances get their turn.
/// Optimistic concurrency: https://learn.microsoft.com/rest/api/storageservices/update-entity2.
/// If storage fails, <see cref="AcquireAsync"/> returns a lease that holds nothing and the caller proceeds under its
/// in-process limit only: a limiter outage must never stop deliveries.
/// </remarks>
public sealed partial class LeasedSlots : IAsyncDisposable
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

    /// <summary>Consecutive handovers of one slot within this instance before it goes back to the table.</summary>
    internal const int MaxHandovers = 16;

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private long _degradedUntilTicks;

    // Slots finished with but still leased, waiting HandoverWindow for a call of this instance to take them over.
    private readonly ConcurrentDictionary<string, List<ParkedSlot>> _parked = new(StringComparer.Ordinal);
    private readonly UnawaitedTasks _lingering = new();

    // Slots this instance freed itself, with the ETag its release produced: an If-Match claim on one of them succeeds
    // only if nobody has touched it since, i.e. it is still free, so the steady state needs no partition read.
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string RowKey, ETag ETag)>> _freedHere = new(StringComparer.Ordinal);

    /// <param name="handoverWindow">How long a slot this instance finished with waits for another call of this instance before it is released (zero: released at once).</param>
    public LeasedSlots(TableClient table, TimeProvider timeProvider, ILogger<LeasedSlots> logger, TimeSpan handoverWindow = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(handoverWindow, TimeSpan.Zero);
        _table = table;
        _timeProvider = timeProvider;
        _logger = logger;
        HandoverWindow = handoverWindow;
    }

    public TimeSpan HandoverWindow { get; }

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
            if (TakeParked(partitionKey, slotCount) is { } parked)
            {
                // Still leased to this instance: taken over as it is when its lease covers the new call, else renewed.
                if (LeasedUntil(parked.Claim) - _timeProvider.GetUtcNow() >= leaseDuration)
                    return new SlotLease(this, parked.Claim, parked.Handovers + 1);
                var renewal = Claim(partitionKey, parked.Claim.RowKey, leaseDuration);
                if (await TryWriteAsync(renewal, () => _table.UpdateEntityAsync(renewal, parked.Claim.ETag, TableUpdateMode.Replace, cancellationToken), lostRace: 412))
                    return new SlotLease(this, renewal, parked.Handovers + 1);
            }
            if (_freedHere.TryGetValue(partitionKey, out var freed))
            {
                while (freed.TryDequeue(out var slot))
                {
                    if (SlotIndex(slot.RowKey) >= slotCount)
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
                else if (LeasedUntil(current) < now)
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

    /// <summary>Parks the slot for <see cref="HandoverWindow"/> when it may still be handed over, else releases it.</summary>
    internal Task ReturnAsync(TableEntity claim, int handovers)
    {
        if (HandoverWindow <= TimeSpan.Zero || handovers >= MaxHandovers || LeasedUntil(claim) - _timeProvider.GetUtcNow() <= HandoverWindow)
            return ReleaseAsync(claim);
        var parked = new ParkedSlot(claim, handovers);
        var list = _parked.GetOrAdd(claim.PartitionKey, static _ => []);
        lock (list)
            list.Add(parked);
        _lingering.Track(ReleaseUnlessTakenAsync(list, parked));
        return Task.CompletedTask;
    }

    /// <summary>Completes when every slot parked so far has been taken over or released (tests wait on it).</summary>
    internal Task LingeringSettledAsync() => _lingering.WhenAllEndedAsync();

    private async Task ReleaseUnlessTakenAsync(List<ParkedSlot> list, ParkedSlot parked)
    {
        await Task.Delay(HandoverWindow, _timeProvider);
        bool stillParked;
        lock (list)
            stillParked = list.Remove(parked);
        if (stillParked)
            await ReleaseAsync(parked.Claim);
    }

    private ParkedSlot? TakeParked(string partitionKey, int slotCount)
    {
        if (!_parked.TryGetValue(partitionKey, out var list))
            return null;
        lock (list)
        {
            // The most recently parked first: the oldest are the first to be released.
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var parked = list[i];
                if (SlotIndex(parked.Claim.RowKey) >= slotCount)
                    continue; // the limit was lowered: this slot is left to its release
                list.RemoveAt(i);
                return parked;
            }
        }
        return null;
    }

    /// <summary>Gives back every parked slot now (the instance is stopping).</summary>
    public async ValueTask DisposeAsync()
    {
        var releases = new List<Task>();
        foreach (var list in _parked.Values)
        {
            lock (list)
            {
                releases.AddRange(list.Select(parked => ReleaseAsync(parked.Claim)));
                list.Clear();
            }
        }
        await Task.WhenAll(releases);
    }

    private static DateTimeOffset LeasedUntil(TableEntity claim) => claim.GetDateTimeOffset(LeasedUntilProperty) ?? FreeMarker;

    private sealed record ParkedSlot(TableEntity Claim, int Handovers);

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

    private static int SlotIndex(string rowKey) =>
        int.TryParse(rowKey.AsSpan("slot-".Length), System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : -1;

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
    private readonly int _handovers;
    private int _released;

    internal SlotLease(LeasedSlots? owner, TableEntity? claim, int handovers = 0)
    {
        _owner = owner;
        _claim = claim;
        _handovers = handovers;
    }

    /// <summary>True when a slot in the table is held (false for <see cref="Degraded"/>).</summary>
    public bool IsHeld => _claim is not null;

    /// <summary>The slot's row key, e.g. <c>slot-02</c>.</summary>
    public string? Slot => _claim?.RowKey;

    public async ValueTask DisposeAsync()
    {
        if (_owner is null || _claim is null || Interlocked.Exchange(ref _released, 1) == 1)
            return;
        await _owner.ReturnAsync(_claim, _handovers);
    }
}
