using System.Text;
using System.Text.Json;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Tests.Exports.Clients;

public sealed class SegmentBatchBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 5, 6, 789, TimeSpan.Zero);

    [Fact]
    public void Event_of_exactly_32_KB_is_added_and_one_byte_more_is_too_large()
    {
        var builder = new SegmentBatchBuilder(new ImmediateTimeProvider(Now));

        Assert.Equal(SegmentBatchAddResult.TooLarge, builder.TryAdd(Message(32 * 1024 + 1)));
        Assert.Equal(SegmentBatchAddResult.Added, builder.TryAdd(Message(32 * 1024)));
        Assert.Equal(1, builder.Count);
    }

    [Fact]
    public void The_2501st_event_does_not_fit()
    {
        var builder = new SegmentBatchBuilder(new ImmediateTimeProvider(Now));
        var message = Message(20);

        for (var i = 0; i < 2500; i++)
            Assert.Equal(SegmentBatchAddResult.Added, builder.TryAdd(message));

        Assert.Equal(SegmentBatchAddResult.Full, builder.TryAdd(message));
        Assert.Equal(2500, builder.Count);
        Assert.Equal(2500, Parse(builder.Build()).GetProperty("batch").GetArrayLength());
    }

    [Theory]
    [InlineData(0, SegmentBatchAddResult.Added)]
    [InlineData(1, SegmentBatchAddResult.Full)]
    public void Body_may_reach_exactly_480_KB_and_not_one_byte_more(int extraBytes, SegmentBatchAddResult expected)
    {
        var builder = new SegmentBatchBuilder(new ImmediateTimeProvider(Now));
        var filler = Message(30_000);
        while (builder.Length + 1 + filler.Length + 1 + 100 <= SegmentBatchBuilder.MaxBatchBytes)
            Assert.Equal(SegmentBatchAddResult.Added, builder.TryAdd(filler));
        var last = SegmentBatchBuilder.MaxBatchBytes - builder.Length - 1 + extraBytes;

        Assert.Equal(expected, builder.TryAdd(Message(last)));
        if (expected == SegmentBatchAddResult.Added)
            Assert.Equal(SegmentBatchBuilder.MaxBatchBytes, builder.Build().Length);
    }

    [Fact]
    public void Body_is_the_messages_as_given_with_sent_at_from_the_clock()
    {
        var builder = new SegmentBatchBuilder(new ImmediateTimeProvider(Now));
        var first = Encoding.UTF8.GetBytes("""{ "type" : "track", "event":"Café 🍕" }""");
        var second = Encoding.UTF8.GetBytes("""{"type":"identify"}""");
        builder.TryAdd(first);
        builder.TryAdd(second);

        var body = Encoding.UTF8.GetString(builder.Build().Span);

        Assert.Equal("""{"batch":[{ "type" : "track", "event":"Café 🍕" },{"type":"identify"}],"sentAt":"2026-11-22T04:05:06.789Z"}""", body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), builder.Length);
    }

    [Fact]
    public void Reset_starts_an_empty_batch_and_the_builder_is_reusable()
    {
        var builder = new SegmentBatchBuilder(new ImmediateTimeProvider(Now));
        builder.TryAdd(Message(100));
        builder.Build();

        builder.Reset();
        builder.TryAdd(Encoding.UTF8.GetBytes("""{"type":"track"}"""));

        Assert.Equal(1, builder.Count);
        Assert.Equal("""{"batch":[{"type":"track"}],"sentAt":"2026-11-22T04:05:06.789Z"}""", Encoding.UTF8.GetString(builder.Build().Span));
    }

    /// <summary>A JSON object of exactly <paramref name="bytes"/> UTF-8 bytes.</summary>
    private static byte[] Message(int bytes)
    {
        const string prefix = "{\"p\":\"";
        const string suffix = "\"}";
        return Encoding.UTF8.GetBytes(prefix + new string('x', bytes - prefix.Length - suffix.Length) + suffix);
    }

    private static JsonElement Parse(ReadOnlyMemory<byte> body) => JsonDocument.Parse(body).RootElement;
}
