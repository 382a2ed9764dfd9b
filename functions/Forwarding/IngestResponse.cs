using System.Text.Json.Serialization;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The JSON answer to Segment: always a <c>message</c> (Segment shows it in Event Delivery), counts, per-event results
/// for batches, and warnings. https://segment.com/docs/partners/direct-destination/
/// </summary>
public sealed record IngestResponse(
    string Message,
    int Received,
    int Delivered,
    int Rejected,
    int Skipped,
    int Unsupported,
    int Failed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Status = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<EventResult>? Results = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Accepted = null);

/// <summary>One event's result. <see cref="Status"/> is one of <see cref="EventStatus"/>'s values.</summary>
public sealed record EventResult(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Type,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings = null);

/// <summary>The answer to <c>?dryRun=true</c>: what would be sent (nothing is) and how each event would fare.</summary>
public sealed record DryRunResponse(string Message, IReadOnlyList<PreviewRequest> Requests, IReadOnlyList<EventResult> Results);

/// <summary>The per-event statuses reported to Segment.</summary>
public static class EventStatus
{
    public const string Delivered = "delivered";
    public const string Rejected = "rejected";
    public const string Skipped = "skipped";
    public const string Unsupported = "unsupported";
    /// <summary>Not delivered for a transient reason: the request is answered 429/503 so Segment retries.</summary>
    public const string Retry = "retry";
    /// <summary>Stored mode: durably spooled, delivered to CleverTap afterwards.</summary>
    public const string Accepted = "accepted";
    /// <summary>Dry run only: would be sent.</summary>
    public const string WouldSend = "wouldSend";
}
