using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

/// <summary>
/// Every file in <c>Forwarding/Cases/</c> is one mapping case: <c>{description, settings, input, expected}</c>, where
/// <c>expected</c> holds the disposition and the exact CleverTap records as <c>UploadRecord.WriteTo</c> writes them.
/// </summary>
public sealed class MappingGoldenFileTests
{
    private static readonly string s_casesFolder = Path.Combine(AppContext.BaseDirectory, "Forwarding", "Cases");
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static TheoryData<string> CaseFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(s_casesFolder, "*.json").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Golden_cases_are_present() => Assert.True(CaseFiles().Count >= 40, $"only {CaseFiles().Count} golden cases");

    [Theory]
    [MemberData(nameof(CaseFiles))]
    public void Segment_event_maps_to_the_expected_CleverTap_records(string caseFile)
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(s_casesFolder, caseFile)))!.AsObject();
        var settings = ReadSettings(golden["settings"]);
        using var input = JsonDocument.Parse(golden["input"]!.ToJsonString());

        var actual = Describe(SegmentEventMapper.Map(input.RootElement, settings));

        var expected = golden["expected"]!;
        Assert.True(JsonNode.DeepEquals(expected, actual),
            $"{caseFile}: {golden["description"]}\ndifferences (path: expected → actual):\n{string.Join("\n", Differences(expected, actual, "expected"))}"
            + $"\n--- actual\n{actual.ToJsonString(s_indented)}");
    }

    [Theory]
    [MemberData(nameof(CaseFiles))]
    public void Every_record_carries_exactly_one_identifier(string caseFile)
    {
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(s_casesFolder, caseFile)))!.AsObject();
        foreach (var record in golden["expected"]!["records"]!.AsArray())
        {
            var identifiers = new[] { "identity", "objectId" }.Count(name => record!.AsObject().ContainsKey(name));
            Assert.True(identifiers == 1, $"{caseFile}: {record!.ToJsonString()}");
        }
    }

    /// <summary>Each differing path once, so a failing case reads as a short list instead of two documents.</summary>
    private static IEnumerable<string> Differences(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (JsonObject expectedObject, JsonObject actualObject):
                foreach (var key in expectedObject.Select(pair => pair.Key).Union(actualObject.Select(pair => pair.Key)))
                {
                    foreach (var difference in Differences(expectedObject[key], actualObject[key], $"{path}.{key}"))
                        yield return difference;
                }
                break;
            case (JsonArray expectedArray, JsonArray actualArray):
                for (var i = 0; i < Math.Max(expectedArray.Count, actualArray.Count); i++)
                {
                    foreach (var difference in Differences(i < expectedArray.Count ? expectedArray[i] : null,
                                 i < actualArray.Count ? actualArray[i] : null, $"{path}[{i}]"))
                        yield return difference;
                }
                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                    yield return $"  {path}: {expected?.ToJsonString() ?? "(missing)"} → {actual?.ToJsonString() ?? "(missing)"}";
                break;
        }
    }

    /// <summary>The mapping result in the golden-file shape; optional members only when set.</summary>
    internal static JsonObject Describe(MappedEvent mapped)
    {
        var records = new JsonArray();
        foreach (var record in mapped.Records)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                record.WriteTo(writer);
            records.Add(JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray())));
        }
        var described = new JsonObject
        {
            ["disposition"] = mapped.Disposition.ToString().ToLowerInvariant(),
            ["records"] = records,
            ["warnings"] = new JsonArray(mapped.Warnings.Select(warning => (JsonNode?)JsonValue.Create(warning)).ToArray()),
        };
        if (mapped.Reason is not null)
            described["reason"] = mapped.Reason;
        if (mapped.DeleteIdentity is not null)
            described["deleteIdentity"] = mapped.DeleteIdentity;
        return described;
    }

    private static MappingSettings ReadSettings(JsonNode? settings)
    {
        var keyStyle = settings?["keyStyle"]?.GetValue<string>() switch
        {
            null or "snake_case" => KeyStyle.SnakeCase,
            "preserve" => KeyStyle.Preserve,
            var other => throw new InvalidDataException($"unknown keyStyle '{other}'"),
        };
        return new MappingSettings(keyStyle, settings?["refuseAnonymous"]?.GetValue<bool>() ?? false);
    }
}
