namespace CleverTapSegment.Storage;

/// <summary>One page of a query; a null token means the query is complete. Pages may be empty yet continue.</summary>
public sealed record TablePage(IReadOnlyList<TableEntity> Items, string? ContinuationToken);
