using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;

namespace CleverTapSegment.Dashboard;

/// <summary>
/// Serves the dashboard (the exports and partners pages, the Segment → CleverTap page) at the app's root. The
/// routes only adapt HTTP to <see cref="DashboardAssets"/>; on the Functions isolated worker the same class sits
/// behind an HTTP-triggered function with the catch-all route.
/// </summary>
public static class DashboardComposition
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder routes)
    {
        // The event lists the create dialog offers; a management API route, mapped here because the page is its client.
        CatalogEndpoints.Map(routes);
        // Under a Functions custom handler the host only probes "/" for readiness and forwards function routes alone:
        // the page could not be reached there, and "/" keeps its readiness text.
        if (routes.ServiceProvider.GetService<HostingMode>() is { IsStandalone: false })
            return routes;
        var assets = new DashboardAssets();
        // "/" must win over the readiness answer mapped on the same route: a lower order is chosen first.
        routes.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServeAsync(context, assets, null))
            .WithOrder(-1).ExcludeFromDescription();
        // The catch-all keeps the default order, so the API's literal routes (api/partners…, api/exports…) stay ahead of it.
        routes.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string? path) => ServeAsync(context, assets, path))
            .ExcludeFromDescription();
        return routes;
    }

    private static async Task ServeAsync(HttpContext context, DashboardAssets assets, string? path)
    {
        var answer = assets.Resolve(path, context.Request.Headers.IfNoneMatch.ToString());
        var response = context.Response;
        response.StatusCode = answer.StatusCode;
        foreach (var (name, value) in answer.Headers)
            response.Headers[name] = value;
        if (answer.Body.IsEmpty || HttpMethods.IsHead(context.Request.Method))
            return;
        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }
}
