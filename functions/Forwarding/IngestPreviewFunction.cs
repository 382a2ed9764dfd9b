using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// <c>POST api/ingest/preview/{connection?}</c>: the CleverTap request(s) a pasted Segment event would produce, the
/// dashboard's "Try an event" (docs/ingest-api.md). A management route, anonymous to the host and checked by
/// <see cref="ManagementAccess"/>: in Azure a signed-in user has no function key for <c>api/segment?dryRun=true</c>,
/// and Segment's own credentials (Basic auth, signature) are not the caller's to give.
/// </summary>
internal sealed class IngestPreviewFunction(ManagementAccess access, SegmentIngestHandler handler)
{
    public const string FunctionName = "IngestPreview";

    [Function(FunctionName)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ingest/preview/{connection?}")] HttpRequest request,
        string? connection,
        CancellationToken cancellationToken)
    {
        if (access.Refuse(request) is { } refused)
            return refused;
        using var invocation = InvocationCancellation.Link(request, cancellationToken);
        return await handler.PreviewAsync(request.HttpContext, connection, invocation.Token);
    }
}
