using System.Collections.Concurrent;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// Records this instance has in an upload right now, by record key. A request answered at its deadline may leave
/// an upload running; Segment's retry of that request then joins the running upload instead of sending the record
/// a second time (the delivered-record log only learns of it once the upload ends).
/// </summary>
public sealed class InFlightRecords
{
    private readonly ConcurrentDictionary<(string Account, string Key), Task<RecordResult>> _records = new();

    public bool TryJoin(string account, string key, out Task<RecordResult> outcome) =>
        _records.TryGetValue((account, key), out outcome!) && !outcome.IsCompleted;

    public void Track(string account, string key, Task<RecordResult> outcome) => _records.TryAdd((account, key), outcome);

    /// <summary>Forgets the record unless another request has since started tracking it.</summary>
    public void Forget(string account, string key, Task<RecordResult> outcome) =>
        ((ICollection<KeyValuePair<(string, string), Task<RecordResult>>>)_records).Remove(new((account, key), outcome));
}
