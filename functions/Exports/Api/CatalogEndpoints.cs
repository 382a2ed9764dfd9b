using CleverTapSegment.Exports.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Exports.Api;

/// <summary>The event lists an export can select from (<see cref="EventCatalog"/>), as the dashboard's create dialog offers them.</summary>
public sealed record EventCatalogResponse(IReadOnlyList<string> AllSystem, IReadOnlyList<string> Engagement, int MaxSelectedNames);

/// <summary><c>GET /api/catalog/events</c>: CleverTap's system and engagement events (https://docs.clevertap.com/docs/segmentcom#export-details).</summary>
internal static class CatalogEndpoints
{
    public static Ok<EventCatalogResponse> GetEvents() =>
        TypedResults.Ok(new EventCatalogResponse(EventCatalog.AllSystem, EventCatalog.Engagement, EventCatalog.MaxSelectedNames));
}
