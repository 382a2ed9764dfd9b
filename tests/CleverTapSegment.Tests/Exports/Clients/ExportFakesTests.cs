using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Exports.Clients;

/// <summary>The fakes hold up their documented contracts, so tests built on them test the real thing.</summary>
public sealed class ExportFakesTests
{
    [Theory]
    [InlineData("Europe/Amsterdam", "2026-10-25")] // 25-hour day: clocks go back
    [InlineData("Europe/Amsterdam", "2026-03-29")] // 23-hour day: clocks go forward
    [InlineData("Asia/Kolkata", "2026-11-01")]
    public async Task Generated_event_records_fall_inside_their_project_local_day(string timeZoneId, string dayText)
    {
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        var day = DateOnly.Parse(dayText, System.Globalization.CultureInfo.InvariantCulture);
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { TimeZone = timeZone, RecordsPerDay = (_, _) => 500 });
        var start = ProjectLocalTime.ToUtc(day.ToDateTime(TimeOnly.MinValue), timeZone);
        var end = ProjectLocalTime.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), timeZone);

        var records = fake.RecordsFor(ExportDataType.Events, "Charged", day);

        Assert.Equal(500, records.Count);
        foreach (var json in records)
        {
            using var record = JsonDocument.Parse(json);
            var mapped = ExportRecordMapper.MapEvent(record.RootElement, "Charged", ExportIdentitySources.Default, timeZone);
            Assert.NotNull(mapped.Message);
            Assert.InRange(mapped.Timestamp!.Value, start, end.AddTicks(-1));
        }
    }

    [Fact]
    public async Task Fake_segment_refuses_more_than_2500_events_with_400()
    {
        await using var segment = await FakeSegment.StartAsync();
        var events = string.Join(",", Enumerable.Range(0, 2501).Select(i => $$"""{"type":"track","event":"e","userId":"u","messageId":"m{{i}}"}"""));

        var response = await PostAsync(segment, $$"""{"batch":[{{events}}]}""", "test-write-key");

        Assert.Equal(HttpStatusCode.BadRequest, response);
        Assert.Equal(0, segment.AcceptedMessages);
    }

    [Fact]
    public async Task Fake_segment_refuses_an_event_over_32_KB_with_400()
    {
        await using var segment = await FakeSegment.StartAsync();
        var padding = new string('x', 32 * 1024);

        var response = await PostAsync(segment, $$"""{"batch":[{"type":"track","event":"e","userId":"u","p":"{{padding}}"}]}""", "test-write-key");

        Assert.Equal(HttpStatusCode.BadRequest, response);
    }

    [Fact]
    public async Task Fake_segment_counts_duplicates_and_drops_unknown_keys_silently()
    {
        await using var segment = await FakeSegment.StartAsync();
        const string body = """{"batch":[{"type":"track","event":"e","userId":"u","messageId":"m1"},{"type":"track","event":"e","userId":"u","messageId":"m1"}]}""";

        Assert.Equal(HttpStatusCode.OK, await PostAsync(segment, body, "test-write-key"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(segment, body, "someone-elses-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(segment, body, writeKey: null));

        Assert.Equal(2, segment.AcceptedMessages);
        Assert.Equal(1, segment.DuplicateMessages);
        Assert.Equal(2, segment.DroppedMessages);
        Assert.Equal(2, segment.MessageCounts["m1"]);
    }

    private static async Task<HttpStatusCode> PostAsync(FakeSegment segment, string body, string? writeKey)
    {
        using var client = new HttpClient { BaseAddress = segment.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/batch") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (writeKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
