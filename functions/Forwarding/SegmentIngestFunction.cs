using CleverTapSegment.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The <c>SegmentIngest</c> function, <c>POST api/segment/{connection?}</c>: the Segment destination's endpoint. The
/// Functions host checks the function key in Azure; <see cref="SegmentIngestHandler"/> does the rest.
/// </summary>
public sealed class SegmentIngestFunction(SegmentIngestHandler handler)
{
    public const string FunctionName = "SegmentIngest";

    [Function(FunctionName)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/segment/{connection?}")] HttpRequest request,
        string? connection,
        CancellationToken cancellationToken)
    {
        using var invocation = InvocationCancellation.Link(request, cancellationToken);
        return await handler.HandleAsync(request.HttpContext, connection, invocation.Token);
    }
}
