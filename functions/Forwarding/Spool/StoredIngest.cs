using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>
/// <c>SegmentIngest</c> in <c>stored</c> mode, after the request was authenticated, parsed and mapped: the mapped
/// records are written to the spool (group-committed with concurrent requests of the account) and each event is
/// answered <c>accepted</c> once they are durable; a failed or late write is a 503 so Segment resends. Malformed,
/// unmappable, skipped and unsupported events get the same answers as in <c>delivered</c> mode. Profile deletes
/// (Segment <c>delete</c>, rare and not an upload) still run before the answer, as in <c>delivered</c> mode.
/// </summary>
public sealed class StoredIngest(SpoolWriter writer, TimeProvider timeProvider)
{
    public async Task<IngestAnswerParts> AcceptAsync(CleverTapAccount account, MappedEvent[] mapped, bool isBatch, DateTimeOffset deadline,
        IngestDelivery delivery, CancellationToken cancellationToken)
    {
        var records = SpooledRecords(mapped);
        var store = writer.StoreAsync(account.Name, records);
        var deletes = mapped.Any(e => e.Disposition == MappingDisposition.Delete)
            ? await DeleteAsync(account, mapped, deadline, delivery, cancellationToken)
            : null;

        string? writeFailure = null;
        try
        {
            var remaining = deadline - timeProvider.GetUtcNow();
            // Storage runs on real time whatever clock the app's logic uses.
            await store.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1), TimeProvider.System, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            writeFailure = "storing the events took too long";
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            writeFailure = $"storing the events failed ({exception.GetType().Name})";
        }

        var results = new EventResult[mapped.Length];
        for (var e = 0; e < mapped.Length; e++)
        {
            results[e] = mapped[e].Disposition switch
            {
                MappingDisposition.Deliver when writeFailure is null => IngestAnswer.Result(e, mapped[e], EventStatus.Accepted, null),
                MappingDisposition.Deliver => IngestAnswer.Result(e, mapped[e], EventStatus.Retry, writeFailure),
                MappingDisposition.Delete => DeleteResult(e, mapped[e], deletes!.OutcomesOf(e)[0]),
                var disposition => IngestAnswer.Result(e, mapped[e], IngestAnswer.StaticStatus(disposition), mapped[e].Reason),
            };
        }
        return IngestAnswerParts.ForStored(results, isBatch);
    }

    private static async Task<IngestDeliveryAttempt> DeleteAsync(CleverTapAccount account, MappedEvent[] mapped, DateTimeOffset deadline, IngestDelivery delivery, CancellationToken cancellationToken)
    {
        // Only the deletes: every other event is left out of this delivery (the spool has its records).
        var deletesOnly = mapped.Select(e => e.Disposition == MappingDisposition.Delete ? e : e with { Disposition = MappingDisposition.Skipped, Records = [] }).ToArray();
        var attempt = await delivery.DeliverAsync(account, deletesOnly, deadline, cancellationToken);
        await attempt.SettleAsync(rememberDelivered: false);
        return attempt;
    }

    private static EventResult DeleteResult(int index, MappedEvent mapped, RecordResult result) =>
        result.Outcome == RecordOutcome.Delivered ? IngestAnswer.Result(index, mapped, EventStatus.Delivered, null)
        : result.IsTransient ? IngestAnswer.Result(index, mapped, EventStatus.Retry, result.Reason)
        : IngestAnswer.Result(index, mapped, EventStatus.Rejected, result.Reason);

    /// <summary>
    /// Each record to deliver with its de-duplication key: <c>{messageId}#{record}</c> as in the delivered-record log,
    /// or, for an event without a messageId, a key unique to this request.
    /// </summary>
    internal static List<SpooledRecord> SpooledRecords(MappedEvent[] mapped)
    {
        var records = new List<SpooledRecord>();
        string? request = null;
        for (var e = 0; e < mapped.Length; e++)
        {
            if (mapped[e].Disposition != MappingDisposition.Deliver)
                continue;
            var eventKey = mapped[e].MessageId is { Length: > 0 } messageId && !messageId.Contains('\n', StringComparison.Ordinal)
                ? messageId
                : $"{request ??= Guid.NewGuid().ToString("N")}.{e}";
            for (var r = 0; r < mapped[e].Records.Count; r++)
                records.Add(new SpooledRecord(DeliveredRecordLog.RecordKey(eventKey, r), mapped[e].Records[r]));
        }
        return records;
    }
}

/// <summary>A stored-mode answer: the status that drives Segment's retries and the body, as in delivered mode.</summary>
public sealed record IngestAnswerParts(int StatusCode, IngestResponse Body, IReadOnlyList<EventResult> Events)
{
    public IResult ToResult() => TypedResults.Json(Body, statusCode: StatusCode);

    internal static IngestAnswerParts ForStored(EventResult[] results, bool isBatch)
    {
        int Count(string status) => results.Count(result => result.Status == status);
        var retry = Count(EventStatus.Retry);
        var statusCode = retry > 0 ? StatusCodes.Status503ServiceUnavailable
            : !isBatch && results[0].Status == EventStatus.Unsupported ? StatusCodes.Status501NotImplemented
            : !isBatch && results[0].Status == EventStatus.Rejected ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        var message = retry > 0 ? $"{retry} of {results.Length} event(s) not stored yet ({results.First(result => result.Status == EventStatus.Retry).Reason}); retry the request."
            : results.Length == 1 ? results[0].Status switch
            {
                EventStatus.Accepted => "Accepted: stored, and delivered to CleverTap shortly.",
                EventStatus.Delivered => "Delivered to CleverTap.",
                EventStatus.Skipped => $"Skipped: {results[0].Reason ?? "CleverTap is turned off in integrations"}.",
                EventStatus.Unsupported => $"Unsupported event type: {results[0].Reason ?? results[0].Type}.",
                _ => $"Rejected: {results[0].Reason}",
            }
            : $"Accepted {Count(EventStatus.Accepted)} of {results.Length} event(s) for delivery; the others are reported in results.";
        var body = new IngestResponse(message, results.Length,
            Count(EventStatus.Delivered), Count(EventStatus.Rejected), Count(EventStatus.Skipped), Count(EventStatus.Unsupported), retry,
            Status: isBatch ? null : results[0].Status,
            Results: isBatch ? results : null,
            Warnings: isBatch ? null : results[0].Warnings,
            Accepted: Count(EventStatus.Accepted));
        return new IngestAnswerParts(statusCode, body, results);
    }
}
