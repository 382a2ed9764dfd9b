using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Forwarding;

/// <summary><c>?dryRun=true</c>: the CleverTap requests the events would cause (passcode masked) and how each event would fare. Sends nothing.</summary>
public static class DryRunPreview
{
    public static DryRunResponse Of(CleverTapAccount account, MappedEvent[] mapped)
    {
        var requests = new List<PreviewRequest>();
        foreach (var chunk in mapped.Where(e => e.Disposition == MappingDisposition.Deliver).SelectMany(e => e.Records).Chunk(CleverTapClient.MaxRecordsPerUpload))
            requests.Add(CleverTapClient.PreviewUpload(account, chunk));
        var deletes = mapped.Where(e => e.Disposition == MappingDisposition.Delete && !string.IsNullOrEmpty(e.DeleteIdentity)).Select(e => e.DeleteIdentity!);
        foreach (var chunk in deletes.Chunk(CleverTapClient.MaxIdentitiesPerDelete))
            requests.Add(CleverTapClient.PreviewDeleteProfiles(account, chunk));
        var results = mapped.Select((e, index) => IngestAnswer.Result(index, e,
            e.Disposition is MappingDisposition.Deliver or MappingDisposition.Delete ? EventStatus.WouldSend : IngestAnswer.StaticStatus(e.Disposition), e.Reason)).ToList();
        return new DryRunResponse($"Dry run: {requests.Count} request(s) would be sent to CleverTap; nothing was sent.", requests, results);
    }
}
