using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Tests.Exports.Runs;

/// <summary>The queue trigger's metadata as the host passes it (plain strings, or JSON text for numbers and dates).</summary>
public sealed class ExportWorkerFunctionTests
{
    private static readonly Dictionary<string, object?> s_metadata = new()
    {
        ["Id"] = "5f0c7c1e-0d5f-4d6b-9a43-2b1f7a3c8e11",
        ["DequeueCount"] = "3",
        ["InsertionTime"] = "\"2026-11-22T04:00:00+00:00\"",
        ["Nothing"] = null,
    };

    [Theory]
    [InlineData("Id", "5f0c7c1e-0d5f-4d6b-9a43-2b1f7a3c8e11")]
    [InlineData("DequeueCount", "3")]
    [InlineData("InsertionTime", "2026-11-22T04:00:00+00:00")]
    [InlineData("Nothing", null)]
    [InlineData("Missing", null)]
    public void Metadata_values_are_read_as_text_with_JSON_quotes_removed(string name, string? expected)
    {
        Assert.Equal(expected, ExportWorkerFunction.ReadString(s_metadata, name));
    }
}
