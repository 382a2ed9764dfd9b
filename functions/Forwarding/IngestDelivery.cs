using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The delivery side of <c>SegmentIngest</c>: skips records an earlier attempt of the same Segment request delivered,
/// joins records already in flight on this instance, hands the rest to the coalescing uploader, runs the profile
/// deletes, and waits for all of it until the request's deadline.
/// </summary>
public sealed class IngestDelivery(
    IRecordUploader uploader,
    DeliveredRecordLog deliveredLog,
    InFlightRecords inFlight,
    CleverTapClient client,
    TimeProvider timeProvider)
{
    /// <summary>What a record still waiting at the deadline is reported as: Segment retries it.</summary>
    internal static readonly RecordResult DeadlineReached = new(RecordOutcome.Unavailable, "delivery deadline reached");

    public async Task<IngestDeliveryAttempt> DeliverAsync(CleverTapAccount account, MappedEvent[] mapped, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var keys = RecordKeys(mapped);
        var alreadyDelivered = await deliveredLog.FindDeliveredAsync(account.Name, keys.Values, cancellationToken);
        var attempt = new IngestDeliveryAttempt(account, mapped, keys, alreadyDelivered, deliveredLog, inFlight);
        var toSend = new List<UploadRecord>();
        for (var e = 0; e < mapped.Length; e++)
        {
            if (mapped[e].Disposition != MappingDisposition.Deliver)
                continue;
            for (var r = 0; r < mapped[e].Records.Count; r++)
            {
                var hasKey = keys.TryGetValue((e, r), out var key);
                if (hasKey && alreadyDelivered.Contains(key!))
                    attempt.AlreadyDelivered(e, r);
                else if (hasKey && inFlight.TryJoin(account.Name, key!, out var running))
                    attempt.Join(e, r, running);
                else
                    toSend.Add(attempt.Send(e, r));
            }
        }

        attempt.Uploading(uploader.Submit(account, toSend, deadline));
        var deletes = DeleteAsync(account, mapped, deadline, cancellationToken);
        try
        {
            var remaining = deadline - timeProvider.GetUtcNow();
            // Not the request-aborted token: if Segment gives up first, what was delivered must still be remembered.
            await Task.WhenAll(attempt.Outstanding.Append(deletes)).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, timeProvider, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Answer with what is known; records still in flight are reported as "retry".
        }
        attempt.Collect(deletes.IsCompletedSuccessfully ? deletes.Result : new Dictionary<int, RecordResult>());
        return attempt;
    }

    /// <summary>Deletes run one after another in chunks: CleverTap rate-limits them more tightly than uploads.</summary>
    private async Task<Dictionary<int, RecordResult>> DeleteAsync(CleverTapAccount account, MappedEvent[] mapped, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var results = new Dictionary<int, RecordResult>();
        var pending = mapped.Select((e, index) => (Event: e, Index: index))
            .Where(item => item.Event.Disposition == MappingDisposition.Delete && !string.IsNullOrEmpty(item.Event.DeleteIdentity))
            .ToList();
        foreach (var chunk in pending.Chunk(CleverTapClient.MaxIdentitiesPerDelete))
        {
            var result = await client.DeleteProfilesAsync(account, chunk.Select(item => item.Event.DeleteIdentity!).ToList(), deadline, cancellationToken);
            foreach (var item in chunk)
                results[item.Index] = result;
        }
        foreach (var (e, index) in mapped.Select((e, index) => (e, index)))
        {
            if (e.Disposition == MappingDisposition.Delete && string.IsNullOrEmpty(e.DeleteIdentity))
                results[index] = new RecordResult(RecordOutcome.Rejected, e.Reason ?? "delete without a userId");
        }
        return results;
    }

    /// <summary>The de-duplication key of every record whose event has a messageId (those without cannot be recognised on a retry).</summary>
    private static Dictionary<(int Event, int Record), string> RecordKeys(MappedEvent[] mapped)
    {
        var keys = new Dictionary<(int, int), string>();
        for (var e = 0; e < mapped.Length; e++)
        {
            if (mapped[e].Disposition != MappingDisposition.Deliver || string.IsNullOrEmpty(mapped[e].MessageId))
                continue;
            for (var r = 0; r < mapped[e].Records.Count; r++)
                keys[(e, r)] = DeliveredRecordLog.RecordKey(mapped[e].MessageId!, r);
        }
        return keys;
    }
}
