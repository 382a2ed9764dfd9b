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
