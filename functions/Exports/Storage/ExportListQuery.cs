using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Storage;

/// <summary>
/// Filters and paging of <c>GET /api/exports</c> (CleverTap's "Filter Exports", https://docs.clevertap.com/docs/segmentcom). <see cref="ExportedFrom"/> and
/// <see cref="ExportedTo"/> bound the export's "exported on" time, defined as the start of its last run, or its
/// creation time before any run: <c>ExportedFrom ≤ exportedOn &lt; ExportedTo</c>.
/// </summary>
public sealed record ExportListQuery
{
    /// <summary>Seed 002 "Filter Exports by Pagination": "Options include 10, 20, 30, or 40. By default, … 20".</summary>
    public static IReadOnlyList<int> PageSizes { get; } = [10, 20, 30, 40];

    public const int DefaultPageSize = 20;

    public string? Partner { get; init; }
    public ExportDataType? DataType { get; init; }
    public string? Format { get; init; }
    public ExportStatus? Status { get; init; }
    public ExportFrequency? Frequency { get; init; }
    public DateTimeOffset? ExportedFrom { get; init; }
    public DateTimeOffset? ExportedTo { get; init; }
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The opaque cursor a previous page returned, or null for the first page.</summary>
    public string? Continuation { get; init; }
}

/// <summary>One page of exports, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record ExportListPage(IReadOnlyList<ExportDefinition> Items, string? Continuation);
