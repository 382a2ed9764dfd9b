using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Dashboard;

/// <summary>
/// The <c>Dashboard</c> function: every GET or HEAD the app's other functions do not route (host.json's
/// <c>routePrefix</c> is empty and every API route starts with <c>api/</c>; the host prefers literal route segments
/// to this catch-all). Anonymous: the page holds no data, its API calls carry the management key or the signed-in
/// session. Only adapts HTTP to <see cref="DashboardAssets"/>.
/// </summary>
public sealed class DashboardFunction(DashboardAssets assets)
{
    public const string FunctionName = "Dashboard";

    [Function(FunctionName)]
    public async Task RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request,
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
