using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Tests.CleverTap;

public sealed class UploadClassificationTests
{
    [Theory]
    [InlineData(200, RecordOutcome.Delivered)]
    [InlineData(400, RecordOutcome.Rejected)]
    [InlineData(401, RecordOutcome.Unavailable)]
    [InlineData(403, RecordOutcome.Unavailable)]
    [InlineData(404, RecordOutcome.Rejected)]
    [InlineData(408, RecordOutcome.Unavailable)]
    [InlineData(413, RecordOutcome.Rejected)]
    [InlineData(429, RecordOutcome.Throttled)]
    [InlineData(500, RecordOutcome.Unavailable)]
    [InlineData(502, RecordOutcome.Unavailable)]
    [InlineData(503, RecordOutcome.Unavailable)]
    [InlineData(504, RecordOutcome.Unavailable)]
    [InlineData(501, RecordOutcome.Rejected)] // not implemented: the same request gets the same answer
    public void Http_status_maps_to_one_outcome_for_every_record(int status, RecordOutcome expected) =>
        Assert.Equal(expected, UploadClassification.Classify(status));

    [Theory]
    [InlineData(509, RecordOutcome.Rejected)] // event name mandatory
    [InlineData(512, RecordOutcome.Rejected)] // nested structure
    [InlineData(514, RecordOutcome.Rejected)] // gender
    [InlineData(516, RecordOutcome.Rejected)] // phone
    [InlineData(523, RecordOutcome.Rejected)] // missing identity
    [InlineData(525, RecordOutcome.Rejected)] // ts not epoch
    [InlineData(530, RecordOutcome.Rejected)] // token objectId
    [InlineData(555, RecordOutcome.Unavailable)] // misc server error: worth a retry
    [InlineData(null, RecordOutcome.Rejected)]
    public void Unprocessed_record_code_maps_to_permanent_or_transient(int? code, RecordOutcome expected) =>
        Assert.Equal(expected, UploadClassification.ClassifyRecordCode(code));
}
