using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Exports.Mapping;

namespace CleverTapSegment.Tests.Exports.Mapping;

/// <summary>
/// One JSON file per case in <c>Golden/</c>: the CleverTap record, the settings (kind, event name, time zone, identity
/// sources, fallback timestamp) and either the expected Segment message or the expected skip reason.
/// </summary>
public sealed class ExportRecordMapperGoldenTests
{
    public static TheoryData<string> Cases()
        => new(Directory.GetFiles(GoldenDirectory(), "*.json").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Record_maps_as_the_golden_file_says(string file)
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenDirectory(), file)))!.AsObject();
        using var record = JsonDocument.Parse(golden["record"]!.ToJsonString());
        var sources = new ExportIdentitySources(
            Enum.Parse<UserIdSource>((string)golden["sources"]!["userId"]!, ignoreCase: true),
            Enum.Parse<AnonymousIdSource>((string)golden["sources"]!["anonymousId"]!, ignoreCase: true));
        var timeZone = TimeZoneInfo.FindSystemTimeZoneById((string)golden["timeZone"]!);

        var result = (string)golden["kind"]! switch
        {
            "event" => ExportRecordMapper.MapEvent(record.RootElement, (string)golden["eventName"]!, sources, timeZone),
            "profile" => ExportRecordMapper.MapProfile(record.RootElement, sources, timeZone, DateTimeOffset.Parse((string)golden["fallbackTimestamp"]!)),
            var kind => throw new InvalidDataException($"{file}: unknown kind '{kind}'"),
        };

        var actual = result.Message is null ? null : JsonNode.Parse(result.Message);
        if (golden["expectedSkipReason"] is { } reason)
        {
            Assert.Null(actual);
            Assert.Equal((string)reason!, result.SkipReason);
        }
        else
        {
            Assert.Null(result.SkipReason);
            Assert.True(JsonNode.DeepEquals(golden["expected"], actual), $"{file}: the message differs; actual:\n{actual?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })}");
        }
        if (golden["expectedTimestamp"] is { } timestamp)
            Assert.Equal(DateTimeOffset.Parse((string)timestamp!), result.Timestamp);
    }

    private static string GoldenDirectory([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Golden");
}
