using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Forwarding.Spool;

namespace CleverTapSegment.Tests.Forwarding.Spool;

public sealed class SpoolMessageTests
{
    private static string Wire(UploadRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            record.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static TheoryData<string> Records() => new()
    {
        """{"type":"event","identity":"u1","ts":1700000000,"evtName":"Charged","evtData":{"Amount":12.50,"Count":3,"Flag":true,"Name":"x","Tags":["a","b"],"Items":[{"sku":"s1","price":1.0}]}}""",
        """{"type":"profile","identity":"u2","ts":1700000001,"profileData":{"Name":"Ada","Score":-7,"Ratio":1e-3}}""",
        """{"type":"token","objectId":"anon-1","tokenData":{"id":"tok","type":"fcm"}}""",
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void A_spooled_record_is_sent_exactly_as_it_was_mapped(string wire)
    {
        var record = SpoolRecordReader.Read(JsonDocument.Parse(wire).RootElement);
        var message = new SpoolMessage("id", "default", DateTimeOffset.UnixEpoch, 2, [new SpooledRecord("m#0", record)]);

        var back = SpoolMessage.Parse(message.ToJson());

        Assert.Equal(wire, Wire(back.Records[0].Record));
        Assert.Equal(("id", "default", DateTimeOffset.UnixEpoch, 2, "m#0"), (back.Id, back.Account, back.EnqueuedAt, back.Attempt, back.Records[0].Key));
    }

    [Fact]
    public void A_message_of_another_schema_is_refused()
    {
        var json = JsonNode.Parse(new SpoolMessage("id", "default", DateTimeOffset.UnixEpoch, 0, []).ToJson())!;
        json["v"] = 99;

        Assert.Throws<JsonException>(() => SpoolMessage.Parse(Encoding.UTF8.GetBytes(json.ToJsonString())));
    }

    [Fact]
    public void Retry_delay_grows_per_attempt_up_to_the_maximum()
    {
        var options = new IngestOptions { SpoolRetryDelaySeconds = 30, SpoolMaxRetryDelaySeconds = 300 };

        Assert.Equal([30, 60, 120, 240, 300, 300], new[] { 1, 2, 3, 4, 5, 40 }.Select(attempt => options.SpoolRetryDelay(attempt).TotalSeconds));
    }

    [Theory]
    [InlineData("Ingest__Acknowledge", nameof(IngestOptions.Acknowledge), "eventually")]
    [InlineData("Ingest__SpoolRetentionHours", nameof(IngestOptions.SpoolRetentionHours), "0")]
    [InlineData("Ingest__SpoolRetryDelaySeconds", nameof(IngestOptions.SpoolRetryDelaySeconds), "-1")]
    [InlineData("Ingest__SpoolMaxRetryDelaySeconds", nameof(IngestOptions.SpoolMaxRetryDelaySeconds), "1")]
    [InlineData("Ingest__SpoolCommitWindowMilliseconds", nameof(IngestOptions.SpoolCommitWindowMilliseconds), "5000")]
    public void Invalid_spool_setting_fails_start_up_naming_it(string envVar, string property, string value)
    {
        var options = new IngestOptions();
        var target = typeof(IngestOptions).GetProperty(property)!;
        target.SetValue(options, target.PropertyType == typeof(string) ? value : Convert.ChangeType(value, target.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var failures = new IngestOptionsValidator().Validate(null, options).Failures ?? [];

        Assert.Contains(failures, failure => failure.Contains(envVar, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("stored", true)]
    [InlineData("Stored", true)]
    [InlineData("delivered", false)]
    public void Acknowledge_mode_is_read_case_insensitively(string mode, bool stored) =>
        Assert.Equal(stored, new IngestOptions { Acknowledge = mode }.AcknowledgesStored);

    [Fact]
    public void Default_mode_is_delivered_with_a_week_of_retention()
    {
        var options = new IngestOptions();

        Assert.Equal((AcknowledgeModes.Delivered, 168.0), (options.Acknowledge, options.SpoolRetentionHours));
    }
}
