using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// One request's delivery: where each record went (already delivered, joined, uploaded), the outcomes known at the
/// deadline, and what to remember once the answer to Segment is decided.
/// </summary>
public sealed class IngestDeliveryAttempt
{
    private readonly CleverTapAccount _account;
    private readonly IReadOnlyDictionary<(int Event, int Record), string> _keys;
    private readonly IReadOnlySet<string> _alreadyDelivered;
    private readonly DeliveredRecordLog _deliveredLog;
    private readonly InFlightRecords _inFlight;
    private readonly RecordResult?[][] _recordResults;
    private readonly List<(int Event, int Record)> _sent = [];
    private readonly List<(int Event, int Record, Task<RecordResult> Outcome)> _joined = [];
    private IReadOnlyList<Task<RecordResult>> _uploads = [];
    private IReadOnlyDictionary<int, RecordResult> _deleteResults = new Dictionary<int, RecordResult>();

    internal IngestDeliveryAttempt(CleverTapAccount account, MappedEvent[] mapped, IReadOnlyDictionary<(int, int), string> keys,
        IReadOnlySet<string> alreadyDelivered, DeliveredRecordLog deliveredLog, InFlightRecords inFlight)
    {
        _account = account;
        _keys = keys;
        _alreadyDelivered = alreadyDelivered;
        _deliveredLog = deliveredLog;
        _inFlight = inFlight;
        _recordResults = mapped.Select(e => new RecordResult?[e.Records.Count]).ToArray();
        Mapped = mapped;
    }

    public MappedEvent[] Mapped { get; }

    /// <summary>
    /// The outcomes of an event's records (its delete for a <c>delete</c>), those still waiting reported as
    /// <see cref="IngestDelivery.DeadlineReached"/>; none for an event that was not to be sent.
    /// </summary>
    public IReadOnlyList<RecordResult> OutcomesOf(int eventIndex) => Mapped[eventIndex].Disposition switch
    {
        MappingDisposition.Deliver => _recordResults[eventIndex].Select(result => result ?? IngestDelivery.DeadlineReached).ToList(),
        MappingDisposition.Delete => [_deleteResults.GetValueOrDefault(eventIndex, IngestDelivery.DeadlineReached)],
        _ => [],
    };

    internal IEnumerable<Task> Outstanding => _uploads.Cast<Task>().Concat(_joined.Select(item => item.Outcome));

    internal void AlreadyDelivered(int e, int r) => _recordResults[e][r] = RecordResult.Delivered;

    internal void Join(int e, int r, Task<RecordResult> running) => _joined.Add((e, r, running));

    internal UploadRecord Send(int e, int r)
    {
        _sent.Add((e, r));
        return Mapped[e].Records[r];
    }

    /// <summary>The uploader's tasks, one per sent record in order; each keyed record is known as in flight from now.</summary>
    internal void Uploading(IReadOnlyList<Task<RecordResult>> uploads)
    {
        _uploads = uploads;
        for (var i = 0; i < uploads.Count; i++)
        {
            if (_keys.TryGetValue(_sent[i], out var key))
                _inFlight.Track(_account.Name, key, uploads[i]);
        }
    }

    internal void Collect(IReadOnlyDictionary<int, RecordResult> deleteResults)
    {
        for (var i = 0; i < _uploads.Count; i++)
        {
            var (e, r) = _sent[i];
            _recordResults[e][r] = Completed(_uploads[i]);
        }
        foreach (var (e, r, outcome) in _joined)
            _recordResults[e][r] = Completed(outcome);
        _deleteResults = deleteResults;
    }

    /// <summary>
    /// When the request is answered non-2xx Segment will resend all of it: remember what did get through now, and
    /// whatever an upload still in flight delivers later, so the retry skips those records. Records stay known as
    /// in flight until then, so a retry arriving at this instance meanwhile joins them instead of resending.
    /// </summary>
    public async Task SettleAsync(bool rememberDelivered)
    {
        var delivered = new List<string>();
        var settled = new List<(string Key, Task<RecordResult> Upload)>();
        var late = new List<(string Key, Task<RecordResult> Upload)>();
        for (var i = 0; i < _uploads.Count; i++)
        {
            if (!_keys.TryGetValue(_sent[i], out var key))
                continue;
            var upload = _uploads[i];
            if (!upload.IsCompleted)
            {
                late.Add((key, upload));
                continue;
            }
            settled.Add((key, upload));
            if (rememberDelivered && upload.IsCompletedSuccessfully && upload.Result.Outcome == RecordOutcome.Delivered && !_alreadyDelivered.Contains(key))
                delivered.Add(key);
        }
        if (delivered.Count > 0)
            await _deliveredLog.RememberAsync(_account.Name, delivered, CancellationToken.None);
        foreach (var (key, upload) in settled)
            _inFlight.Forget(_account.Name, key, upload);
        if (late.Count > 0)
            _ = RememberLateAsync(late);
    }

    private async Task RememberLateAsync(List<(string Key, Task<RecordResult> Upload)> late)
    {
        await Task.WhenAll(late.Select(item => item.Upload));
        var delivered = late.Where(item => item.Upload.Result.Outcome == RecordOutcome.Delivered).Select(item => item.Key).ToList();
        if (delivered.Count > 0)
            await _deliveredLog.RememberAsync(_account.Name, delivered, CancellationToken.None);
        foreach (var (key, upload) in late)
            _inFlight.Forget(_account.Name, key, upload);
    }

    private static RecordResult Completed(Task<RecordResult> outcome) =>
        outcome.IsCompletedSuccessfully ? outcome.Result : IngestDelivery.DeadlineReached;
}
