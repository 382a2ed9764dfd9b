using CleverTapSegment.OutgoingCalls;

namespace CleverTapSegment.CleverTap;

/// <summary>What happened to one uploaded record, as far as the Segment sender is concerned.</summary>
public enum RecordOutcome
{
    /// <summary>CleverTap accepted it.</summary>
    Delivered,
    /// <summary>CleverTap refused it for good (validation): report it, never retry it.</summary>
    Rejected,
    /// <summary>CleverTap asked us to slow down (429) and the budget ran out: Segment should retry (429).</summary>
    Throttled,
    /// <summary>Not delivered for a transient reason (5xx, network, timeout, open circuit, credentials): Segment should retry (503).</summary>
    Unavailable,
}

/// <summary>A record's outcome with the reason CleverTap (or the transport) gave.</summary>
public readonly record struct RecordResult(RecordOutcome Outcome, string? Reason = null, int? Code = null)
{
    public static RecordResult Delivered { get; } = new(RecordOutcome.Delivered);

    public bool IsTransient => Outcome is RecordOutcome.Throttled or RecordOutcome.Unavailable;
}

/// <summary>
/// The one place that decides what a CleverTap answer means for the records of an upload.
/// https://developer.clevertap.com/docs/api-errors ; a 200 is read per record (<c>status</c>/<c>unprocessed[]</c>),
/// https://developer.clevertap.com/docs/upload-events-api
/// </summary>
public static class UploadClassification
{
    /// <summary>
    /// Outcome of a whole response that is not a readable 200 body (every record shares it), read from the one
    /// table of <see cref="OutgoingCallRules"/>. 401/403 mean wrong passcode or wrong region: our configuration, not
    /// the event, so Segment must keep the event and retry (503) while an operator fixes it, instead of dropping it
    /// as a 4xx would. https://developer.clevertap.com/docs/api-errors
    /// </summary>
    // No default arm: a new kind of answer in the table fails the build here (CS8509) until it is mapped. The table
    // returns only named values, so the unnamed ones the compiler would also like covered (CS8524) cannot occur.
#pragma warning disable CS8524
    public static RecordOutcome Classify(int httpStatus) => OutgoingCallRules.Classify(httpStatus) switch
    {
        CallAnswer.Success => RecordOutcome.Delivered,
        CallAnswer.Throttled => RecordOutcome.Throttled,
        CallAnswer.Transient or CallAnswer.CredentialsRefused => RecordOutcome.Unavailable,
        CallAnswer.Permanent => RecordOutcome.Rejected,
    };
#pragma warning restore CS8524

    /// <summary>
    /// Outcome of one <c>unprocessed[]</c> entry by its per-record code: 555 is CleverTap's "miscellaneous server
    /// error", worth retrying; the 5xx validation codes (509–535) will fail the same way again.
    /// </summary>
    public static RecordOutcome ClassifyRecordCode(int? code) => code switch
    {
        555 => RecordOutcome.Unavailable,
        429 => RecordOutcome.Throttled,
        _ => RecordOutcome.Rejected,
    };
}
