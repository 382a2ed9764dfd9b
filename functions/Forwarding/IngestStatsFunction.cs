using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// <c>GET api/ingest/stats</c>: per CleverTap account, the last 24 hours of Segment events received, delivered,
/// rejected (by reason) and skipped, the last successful upload and the last upload error (docs/exports-api.md).
/// A management route, anonymous to the host and checked by <see cref="ManagementAccess"/>: the management key or a
/// signed-in principal.
/// </summary>
internal sealed class IngestStatsFunction(ManagementAccess access, IngestStatsStore stats)
{
    public const string FunctionName = "IngestStats";

    [Function(FunctionName)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ingest/stats")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (access.Refuse(request) is { } refused)
            return refused;
        using var invocation = InvocationCancellation.Link(request, cancellationToken);
        var report = await stats.ReadAsync(invocation.Token);
        return TypedResults.Json(report, IngestStatsJsonContext.Default.IngestStatsResponse);
    }
}
