using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>What the mapping of one event accumulates: records, warnings and the disposition.</summary>
internal sealed class MappingContext(MappingSettings settings)
{
    private List<string>? _warnings;

    public MappingSettings Settings { get; } = settings;
    public List<UploadRecord> Records { get; } = new(2);
    public MappingDisposition Disposition { get; private set; } = MappingDisposition.Deliver;
    public string? Reason { get; private set; }
    public string? DeleteIdentity { get; private set; }
    public IReadOnlyList<string> Warnings => _warnings ?? (IReadOnlyList<string>)[];

    /// <summary>Adds a profile or event record for <paramref name="identity"/>, stamped with the event's time.</summary>
    public void AddRecord(UploadRecordType type, RecordIdentity identity, SpecEvent segmentEvent, UploadData data, string? eventName = null) =>
        Records.Add(new UploadRecord
        {
            Type = type,
            Identity = identity.Identity,
            ObjectId = identity.ObjectId,
            Timestamp = Timestamps.EventTime(segmentEvent, this),
            EventName = eventName,
            Data = data,
        });

    public void Warn(string warning) => (_warnings ??= []).Add(warning);

    public void Reject(string reason) => Finish(MappingDisposition.Rejected, reason);

    public void Finish(MappingDisposition disposition, string reason)
    {
        Disposition = disposition;
        Reason = reason;
        Records.Clear();
    }

    public void Delete(string identity)
    {
        Disposition = MappingDisposition.Delete;
        DeleteIdentity = identity;
    }
}
