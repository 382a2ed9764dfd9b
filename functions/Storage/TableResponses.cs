using Azure;

namespace CleverTapSegment.Storage;

internal static class TableResponses
{
    /// <summary>The ETag a table write gave the entity: what the next conditional write sends in If-Match.</summary>
    public static ETag WrittenETag(this Response response) =>
        response.Headers.ETag ?? throw new InvalidOperationException("The Table service returned no ETag.");
}
