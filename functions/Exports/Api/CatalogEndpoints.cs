using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Api;

/// <summary>The event lists an export can select from (<see cref="EventCatalog"/>), as the dashboard's create dialog offers them.</summary>
public sealed record EventCatalogResponse(IReadOnlyList<string> AllSystem, IReadOnlyList<string> Engagement, int MaxSelectedNames);

/// <summary><c>GET /api/catalog/events</c>: CleverTap's system and engagement events (https://docs.clevertap.com/docs/segmentcom#export-details).</summary>
internal static class CatalogEndpoints
{
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/catalog/events", GetEvents).AddEndpointFilter<AdminKeyFilter>();

    public static EventCatalogResponse GetEvents() =>
        new(EventCatalog.AllSystem, EventCatalog.Engagement, EventCatalog.MaxSelectedNames);
}
