using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The answer side of <c>SegmentIngest</c>: the status that drives Segment's retries and the JSON body it shows in
/// Event Delivery. 2xx only when every event is delivered or permanently rejected; 429/503 while any is still
/// undelivered, so Segment resends the request. https://segment.com/docs/partners/direct-destination/ ,
/// https://segment.com/docs/connections/destinations/#retries-between-segment-and-destinations
/// </summary>
public sealed class IngestAnswer
{
    private IngestAnswer(int statusCode, IngestResponse body, IReadOnlyList<EventResult> events)
    {
        StatusCode = statusCode;
        Body = body;
        Events = events;
    }

    public int StatusCode { get; }

    /// <summary>Each event's status and reason, batch or not (the body carries them only for batches).</summary>
    public IReadOnlyList<EventResult> Events { get; }

    public IngestResponse Body { get; }

    /// <summary>Segment resends a request answered anything but 2xx, so only then must delivered records be remembered.</summary>
    public bool MakesSegmentResend => StatusCode >= 300;

    public IResult ToResult() => TypedResults.Json(Body, statusCode: StatusCode);

    public static IngestAnswer Refused(IngestRefusal refusal) =>
        new(refusal.StatusCode, new IngestResponse(refusal.Message, 0, 0, 0, 0, 0, 0), []);

    /// <summary>The answer once delivery has run: each event's status from its records, then the request's status.</summary>
    public static IngestAnswer ForDelivery(IngestDeliveryAttempt attempt, bool isBatch)
    {
        var mapped = attempt.Mapped;
        var results = new EventResult[mapped.Length];
        var transient = new List<RecordResult>();
        for (var e = 0; e < mapped.Length; e++)
        {
            var (status, reason, warnings) = mapped[e].Disposition is MappingDisposition.Deliver or MappingDisposition.Delete
                ? Combine(attempt.OutcomesOf(e), transient)
                : (StaticStatus(mapped[e].Disposition), mapped[e].Reason, null);
            results[e] = Result(e, mapped[e], status, reason, warnings);
        }

        var statusCode = transient.Count > 0
            ? transient.TrueForAll(result => result.Outcome == RecordOutcome.Throttled) ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable
            : !isBatch && results[0].Status == EventStatus.Unsupported ? StatusCodes.Status501NotImplemented
            : !isBatch && results[0].Status == EventStatus.Rejected ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        return new IngestAnswer(statusCode, ResponseBody(Describe(results, transient), results, isBatch), results);
    }

    /// <summary>The status of an event that is not sent at all.</summary>
    internal static string StaticStatus(MappingDisposition disposition) => disposition switch
    {
        MappingDisposition.Skipped => EventStatus.Skipped,
        MappingDisposition.Unsupported => EventStatus.Unsupported,
        _ => EventStatus.Rejected,
    };

    internal static EventResult Result(int index, MappedEvent mapped, string status, string? reason, IReadOnlyList<string>? extraWarnings = null)
    {
        var warnings = extraWarnings is null ? mapped.Warnings : [.. mapped.Warnings, .. extraWarnings];
        return new EventResult(index, mapped.MessageId, mapped.EventType, status, reason, warnings.Count == 0 ? null : warnings);
    }

    /// <summary>An event is delivered when all its records are; any transient record makes the whole request retryable.</summary>
    private static (string Status, string? Reason, IReadOnlyList<string>? Warnings) Combine(IReadOnlyList<RecordResult> outcomes, List<RecordResult> transient)
    {
        var firstTransient = outcomes.FirstOrDefault(result => result.IsTransient);
        if (firstTransient.IsTransient)
        {
            transient.AddRange(outcomes.Where(result => result.IsTransient));
            return (EventStatus.Retry, firstTransient.Reason, null);
        }
        var rejected = outcomes.Where(result => result.Outcome == RecordOutcome.Rejected).ToList();
        if (rejected.Count == 0)
            return (EventStatus.Delivered, null, null);
        if (rejected.Count == outcomes.Count)
            return (EventStatus.Rejected, rejected[0].Reason, null);
        return (EventStatus.Delivered, null, rejected.Select(result => $"A record of this event was rejected by CleverTap: {result.Reason}").ToList());
    }

    private static string Describe(EventResult[] results, List<RecordResult> transient)
    {
        if (transient.Count > 0)
        {
            var waiting = results.Count(result => result.Status == EventStatus.Retry);
            return $"{waiting} of {results.Length} event(s) not delivered yet ({transient[0].Reason}); retry the request.";
        }
        if (results.Length == 1)
        {
            return results[0].Status switch
            {
                EventStatus.Delivered => "Delivered to CleverTap.",
                EventStatus.Skipped => $"Skipped: {results[0].Reason ?? "CleverTap is turned off in integrations"}.",
                EventStatus.Unsupported => $"Unsupported event type: {results[0].Reason ?? results[0].Type}.",
                _ => $"Rejected: {results[0].Reason}",
            };
        }
        var delivered = results.Count(result => result.Status == EventStatus.Delivered);
        return $"Delivered {delivered} of {results.Length} event(s); the others are reported in results.";
    }

    private static IngestResponse ResponseBody(string message, EventResult[] results, bool isBatch)
    {
        int Count(string status) => results.Count(result => result.Status == status);
        return new IngestResponse(message, results.Length,
            Count(EventStatus.Delivered), Count(EventStatus.Rejected), Count(EventStatus.Skipped), Count(EventStatus.Unsupported), Count(EventStatus.Retry),
            Status: isBatch ? null : results[0].Status,
            Results: isBatch ? results : null,
            Warnings: isBatch ? null : results[0].Warnings);
    }
}
