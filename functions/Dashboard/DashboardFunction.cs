using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Dashboard;

/// <summary>
/// The <c>Dashboard</c> function: every GET or HEAD outside <c>api/</c> (host.json's <c>routePrefix</c> is empty and
/// every API route starts with <c>api/</c>). Anonymous: the page holds no data, its API calls carry the management key
/// or the signed-in session (in Azure, App Service Authentication asks for sign-in before the page loads, see
/// docs/deploy.md). Only adapts HTTP to <see cref="DashboardAssets"/>.
/// </summary>
public sealed class DashboardFunction(DashboardAssets assets)
{
    public const string FunctionName = "Dashboard";

    /// <summary>
    /// A catch-all that can never match <c>api</c> or <c>api/…</c> (any case: the route's regex is case-insensitive).
    /// The Functions host does not rank routes by precedence: it tries them in function-name order and the first match
    /// wins, and "Dashboard" sorts before most API functions
    /// (https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script/Host/FunctionMetadataManager.cs#L192,
    /// https://github.com/Azure/azure-webjobs-sdk-extensions/blob/2e7550f72362ee727b3e55703904212f0690c431/src/WebJobs.Extensions.Http/Routing/WebJobsRouteBuilder.cs).
    /// An unconstrained <c>{*path}</c> would answer GET <c>api/exports</c> with the page's 404. The root gets the default
    /// <c>index.html</c>: a constraint refuses a missing value, and the root has none. The slash is written <c>\x2F</c> so
    /// that the template has no <c>/</c> inside its one segment for a tool that splits routes on it.
    /// </summary>
    public const string Route = @"{*path:regex(^(?!api(\x2F|$)).*$)=index.html}";

    [Function(FunctionName)]
    public async Task RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = Route)] HttpRequest request,
        string? path,
        CancellationToken cancellationToken)
    {
        var answer = assets.Resolve(path, request.Headers.IfNoneMatch.ToString());
        var response = request.HttpContext.Response;
        response.StatusCode = answer.StatusCode;
        foreach (var (name, value) in answer.Headers)
            response.Headers[name] = value;
        if (answer.Body.IsEmpty || HttpMethods.IsHead(request.Method))
            return;
        response.ContentLength = answer.Body.Length;
        await response.Body.WriteAsync(answer.Body, cancellationToken);
    }
}
