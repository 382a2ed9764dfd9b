using System.Reflection;
using CleverTapSegment.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Dashboard;

/// <summary>
/// Which function answers a path in Azure. The Functions host does not rank routes: it maps the functions in name
/// order (FunctionMetadataManager sorts them, OrdinalIgnoreCase) into a <see cref="RouteCollection"/> of legacy
/// <see cref="Route"/>s with an <see cref="HttpMethodRouteConstraint"/>, and the first that matches wins
/// (https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script/Host/FunctionMetadataManager.cs#L192,
/// https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs,
/// https://github.com/Azure/azure-webjobs-sdk-extensions/blob/2e7550f72362ee727b3e55703904212f0690c431/src/WebJobs.Extensions.Http/Routing/WebJobsRouteBuilder.cs).
/// "Dashboard" sorts before "ExportById", "Health", "Partners"…, so its catch-all must itself refuse <c>api/…</c>.
/// The dev host's endpoint routing ranks literal segments first and would hide the problem; this table does not.
/// </summary>
public sealed class AzureRouteOrderTests
{
    public static TheoryData<string, string, string?> Requests() => new()
    {
        { "GET", "/", DashboardFunction.FunctionName },
        { "GET", "/exports", DashboardFunction.FunctionName },
        { "GET", "/exports/2516062420999999999-wb77npmf", DashboardFunction.FunctionName },
        { "HEAD", "/css/app.css", DashboardFunction.FunctionName },
        { "GET", "/apis-and-more", DashboardFunction.FunctionName },
        { "GET", "/api/exports", "Exports" },
        { "GET", "/API/Exports", "Exports" },
        { "GET", "/api/exports/abc", "ExportById" },
        { "POST", "/api/exports/abc/stop", "StopExport" },
        { "GET", "/api/partners/prod-source", "PartnerByNickname" },
        { "GET", "/api/catalog/events", "CatalogEvents" },
        { "GET", "/api/health", "Health" },
        { "GET", "/api/ingest/stats", "IngestStats" },
        { "GET", "/api/ingest/spool", "IngestSpool" },
        { "POST", "/api/ingest/deadletters/replay", "IngestDeadLettersReplay" },
        { "POST", "/api/ingest/preview", "IngestPreview" },
        { "POST", "/api/ingest/preview/eu-app", "IngestPreview" },
        { "POST", "/api/segment", "SegmentIngest" },
        { "POST", "/api/segment/eu-app", "SegmentIngest" },
        // Unknown API paths reach no function (the host's 404), never the page.
        { "GET", "/api", null },
        { "GET", "/api/", null },
        { "GET", "/api/nothing-here", null },
        { "GET", "/api/segment", null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_first_route_in_the_hosts_order_that_matches_is_the_expected_function(string method, string path, string? expected)
    {
        Assert.Equal(expected, await RouteAsync(method, path));
    }

    [Fact]
    public void The_dashboard_sorts_before_the_api_functions_it_could_shadow()
    {
        // The premise of this class: were it not so, the test above would prove less.
        var names = HttpFunctions().Select(function => function.Name).ToList();
        Assert.True(names.IndexOf(DashboardFunction.FunctionName) < names.IndexOf("ExportById"));
    }

    private static async Task<string?> RouteAsync(string method, string path)
    {
        var services = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();
        var resolver = services.GetRequiredService<IInlineConstraintResolver>();
        var routes = new RouteCollection();
        string? matched = null;
        foreach (var function in HttpFunctions())
        {
            var constraints = new Dictionary<string, object> { ["httpMethod"] = new HttpMethodRouteConstraint(function.Methods) };
            var handler = new RouteHandler(_ =>
            {
                matched = function.Name;
                return Task.CompletedTask;
            });
            // host.json's routePrefix is empty: the template is the route itself.
            routes.Add(new Route(handler, function.Name, function.Route, defaults: null, constraints, dataTokens: null, resolver));
        }
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = path;
        var routeContext = new RouteContext(context);
        await routes.RouteAsync(routeContext);
        if (routeContext.Handler is not null)
            await routeContext.Handler(context);
        return matched;
    }

    private sealed record HttpFunction(string Name, string Route, string[] Methods);

    /// <summary>The app's HTTP functions as the host reads them, in the host's order.</summary>
    private static List<HttpFunction> HttpFunctions() =>
        typeof(DashboardFunction).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Function: method.GetCustomAttribute<FunctionAttribute>(),
                Trigger: method.GetParameters().Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(attribute => attribute is not null)))
            .Where(pair => pair.Function is not null && pair.Trigger is not null)
            .Select(pair => new HttpFunction(pair.Function!.Name, pair.Trigger!.Route ?? pair.Function.Name,
                pair.Trigger.Methods?.Select(m => m.ToUpperInvariant()).ToArray() ?? []))
            .OrderBy(function => function.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
}
