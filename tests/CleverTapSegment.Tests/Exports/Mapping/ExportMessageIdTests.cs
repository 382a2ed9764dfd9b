using System.Text.Json;
using CleverTapSegment.Exports.Mapping;

namespace CleverTapSegment.Tests.Exports.Mapping;

public sealed class ExportMessageIdTests
{
    private const string BaseEvent = """
        {"profile":{"identity":"u1","objectId":"o1","email":"a@b.c"},"ts":20261101101010,
         "event_props":{"value":"pizza","amount":12.5,"nested":{"x":1,"y":[1,2]}},"session_props":{"utm_source":"mail"}}
        """;

    [Fact]
    public void Same_record_gives_the_same_message_id_and_bytes()
    {
        var first = MapEvent(BaseEvent);
        var second = MapEvent(BaseEvent);

        Assert.Equal(MessageId(first), MessageId(second));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Key_order_does_not_change_the_message_id()
    {
        var reordered = """
            {"session_props":{"utm_source":"mail"},"ts":20261101101010,
             "event_props":{"nested":{"y":[1,2],"x":1},"amount":12.5,"value":"pizza"},"profile":{"email":"a@b.c","objectId":"o1","identity":"u1"}}
            """;

        Assert.Equal(MessageId(MapEvent(BaseEvent)), MessageId(MapEvent(reordered)));
    }

    [Theory]
    [InlineData("\"identity\":\"u1\"", "\"identity\":\"u2\"")]
    [InlineData("\"objectId\":\"o1\"", "\"objectId\":\"o2\"")]
    [InlineData("20261101101010", "20261101101011")]
    [InlineData("\"value\":\"pizza\"", "\"value\":\"pasta\"")]
    [InlineData("\"amount\":12.5", "\"amount\":12.50")]
    [InlineData("\"x\":1", "\"x\":\"1\"")]
    [InlineData("[1,2]", "[2,1]")]
    [InlineData("\"utm_source\":\"mail\"", "\"utm_source\":\"web\"")]
    [InlineData("\"value\":\"pizza\"", "\"value\":\"pizza\",\"extra\":null")]
    public void Any_field_change_gives_a_different_message_id(string from, string to)
    {
        var changed = BaseEvent.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(BaseEvent, changed);

        Assert.NotEqual(MessageId(MapEvent(BaseEvent)), MessageId(MapEvent(changed)));
    }

    [Fact]
    public void Event_name_is_part_of_the_message_id()
    {
        Assert.NotEqual(MessageId(MapEvent(BaseEvent, "Charged")), MessageId(MapEvent(BaseEvent, "App Launched")));
    }

    [Fact]
    public void Time_zone_is_part_of_the_message_id_through_the_timestamp()
    {
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

        Assert.NotEqual(MessageId(MapEvent(BaseEvent)), MessageId(MapEvent(BaseEvent, timeZone: amsterdam)));
    }

    [Fact]
    public void Profile_message_id_changes_with_traits_and_fallback_time_only()
    {
        const string profile = """{"identity":"u1","objectId":"o1","profileData":{"Name":"A","plan":"pro"}}""";
        var at = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

        var id = MessageId(MapProfile(profile, at));

        Assert.Equal(id, MessageId(MapProfile(profile, at.AddMilliseconds(400))));
        Assert.NotEqual(id, MessageId(MapProfile(profile, at.AddHours(4))));
        Assert.NotEqual(id, MessageId(MapProfile(profile.Replace("pro", "free", StringComparison.Ordinal), at)));
    }

    [Fact]
    public void Message_id_fits_segment_limit_and_is_prefixed()
    {
        var id = MessageId(MapEvent(BaseEvent));

        Assert.StartsWith("ct-", id);
        Assert.InRange(id.Length, 4, 100);
    }

    private static byte[] MapEvent(string json, string eventName = "Charged", TimeZoneInfo? timeZone = null)
    {
        using var record = JsonDocument.Parse(json);
        return ExportRecordMapper.MapEvent(record.RootElement, eventName, ExportIdentitySources.Default, timeZone ?? TimeZoneInfo.Utc).Message!;
    }

    private static byte[] MapProfile(string json, DateTimeOffset fallback)
    {
        using var record = JsonDocument.Parse(json);
        return ExportRecordMapper.MapProfile(record.RootElement, ExportIdentitySources.Default, TimeZoneInfo.Utc, fallback).Message!;
    }

    private static string MessageId(byte[] message) => JsonDocument.Parse(message).RootElement.GetProperty("messageId").GetString()!;
}
