using System.Text;
using System.Text.Json;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

/// <summary>What the ingest endpoint relies on beyond the golden cases.</summary>
public sealed class SegmentEventMapperTests
{
    private const string OrderCompleted = """
        {"type":"track","userId":"u-1","messageId":"m-1","event":"Order Completed","timestamp":"2021-03-10T11:59:22.080Z",
         "properties":{"order_id":"o-1","revenue":22.5,"products":[{"sku":"a","price":19}],"note":"gift"}}
        """;

    [Fact]
    public void Mapped_records_do_not_depend_on_the_parsed_document()
    {
        MappedEvent mapped;
        string whileOpen;
        using (var document = JsonDocument.Parse(OrderCompleted))
        {
            mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());
            whileOpen = Write(mapped);
        }

        Assert.Equal(whileOpen, Write(mapped));
        Assert.Equal("m-1", mapped.MessageId);
        Assert.Equal("track", mapped.EventType);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"identify\"")]
    [InlineData("42")]
    public void A_value_that_is_not_an_object_is_rejected(string json)
    {
        using var document = JsonDocument.Parse(json);

        var mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());

        Assert.Equal(MappingDisposition.Rejected, mapped.Disposition);
        Assert.Empty(mapped.Records);
        Assert.NotNull(mapped.Reason);
    }

    [Fact]
    public void Mapping_the_same_event_on_many_threads_gives_the_same_records()
    {
        var expected = MapAndWrite(OrderCompleted);

        var results = new string[64];
        Parallel.For(0, results.Length, i => results[i] = MapAndWrite(OrderCompleted));

        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Theory]
    [InlineData("""{"type":"track","userId":"u-1","messageId":"m-1","event":"Played","properties":{"title":"a\xFFb"}}""",
        "invalid UTF-8 in a string value at 'properties.title'")]
    [InlineData("""{"type":"track","userId":"u-1","messageId":"m-1","event":"Played","properties":{"tags":["ok","\xC3"]}}""",
        "invalid UTF-8 in a string value at 'properties.tags[1]'")]
    [InlineData("""{"type":"track","userId":"u-1","messageId":"m-1","event":"Played","properties":{"k\xE2\x82":1}}""",
        "invalid UTF-8 in a key at 'properties'")]
    [InlineData("""{"type":"track","userId":"u-1","messageId":"m-1","event":"Played","properties":{"title":"a\ud800b"}}""",
        "an unpaired UTF-16 surrogate (\\ud800) in a string value at 'properties.title'")]
    [InlineData("""{"type":"identify","userId":"u-1","messageId":"m-1","traits":{"\udc00name":"Ada"}}""",
        "an unpaired UTF-16 surrogate (\\udc00) in a key at 'traits'")]
    [InlineData("""{"\udfff":1,"type":"track","userId":"u-1","messageId":"m-1","event":"Played"}""",
        "an unpaired UTF-16 surrogate (\\udfff) in a key")]
    public void Text_that_is_not_unicode_rejects_the_event_naming_where_it_is(string json, string reason)
    {
        using var document = JsonDocument.Parse(Bytes(json));

        var mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());

        Assert.Equal(MappingDisposition.Rejected, mapped.Disposition);
        Assert.Equal(reason, mapped.Reason);
        Assert.Empty(mapped.Records);
    }

    [Fact]
    public void An_event_rejected_for_invalid_text_still_names_its_messageId_and_type_when_they_are_readable()
    {
        using var readable = JsonDocument.Parse(Bytes("""{"type":"Track","userId":"u-1","messageId":"m-7","event":"Played","properties":{"t":"\xFF"}}"""));
        using var unreadable = JsonDocument.Parse(Bytes("""{"type":"track","userId":"u-1","messageId":"m-\xFF","event":"Played"}"""));

        var withIds = SegmentEventMapper.Map(readable.RootElement, new MappingSettings());
        var withoutIds = SegmentEventMapper.Map(unreadable.RootElement, new MappingSettings());

        Assert.Equal(("m-7", "track"), (withIds.MessageId, withIds.EventType));
        Assert.Equal(MappingDisposition.Rejected, withoutIds.Disposition);
        Assert.Null(withoutIds.MessageId);
        Assert.Equal("invalid UTF-8 in a string value at 'messageId'", withoutIds.Reason);
    }

    [Fact]
    public void Escaped_surrogate_pairs_and_escaped_backslashes_are_valid_text()
    {
        using var document = JsonDocument.Parse("""
            {"type":"track","userId":"u-1","messageId":"m-1","event":"Played",
             "properties":{"emoji":"\ud83d\ude00","path":"C:\\udc00","quote":"\"\u00e9"}}
            """);

        var mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());

        Assert.Equal(MappingDisposition.Deliver, mapped.Disposition);
        var data = mapped.Records[0].Data!;
        Assert.True(data.TryGetValue("emoji", out var emoji));
        Assert.Equal("\U0001F600", emoji.Text);
        Assert.True(data.TryGetValue("path", out var path));
        Assert.Equal("C:\\udc00", path.Text);
    }

    /// <summary>The test's JSON with <c>\xHH</c> turned into that raw byte, so a test can hold bytes that are not UTF-8.</summary>
    private static byte[] Bytes(string json)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == '\\' && i + 3 < json.Length && json[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(json.Substring(i + 2, 2), 16));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(json[i].ToString()));
            }
        }
        return [.. bytes];
    }

    private static string MapAndWrite(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Write(SegmentEventMapper.Map(document.RootElement, new MappingSettings()));
    }

    private static string Write(MappedEvent mapped)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("d");
            foreach (var record in mapped.Records)
                record.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
