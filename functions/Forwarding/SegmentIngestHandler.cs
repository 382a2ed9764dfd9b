using CleverTapSegment.Forwarding.Mapping;
using CleverTapSegment.Forwarding.Spool;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The <c>SegmentIngest</c> endpoint, a Segment webhook destination: reads the request (<see cref="IngestRequestReader"/>),
/// maps its events (<see cref="IngestEventMapper"/>), previews them, delivers them (<see cref="IngestDelivery"/>) or, with
/// <c>Ingest__Acknowledge=stored</c>, spools them (<see cref="StoredIngest"/>) and
/// answers with a status that drives Segment's retries (<see cref="IngestAnswer"/>). Behaviour: README.md, "Responses of
/// SegmentIngest". https://segment.com/docs/connections/destinations/catalog/actions-webhook/
/// </summary>
public sealed class SegmentIngestHandler(
    IngestRequestReader requests,
    IngestEventMapper mapper,
    IngestDelivery delivery,
    StoredIngest stored,
    IOptions<IngestOptions> options,
    BridgeTelemetry telemetry,
    TimeProvider timeProvider)
{
    public async Task<IResult> HandleAsync(HttpContext context, string? connection, CancellationToken cancellationToken)
    {
        // The budget starts on arrival: reading the body counts against Segment's timeout too.
        var deadline = timeProvider.GetUtcNow() + options.Value.Deadline;
        var (request, refusal) = await requests.ReadAsync(context.Request, connection, cancellationToken);
        if (request is null)
        {
            if (refusal!.Challenge is { } challenge)
                context.Response.Headers.WWWAuthenticate = challenge;
            return IngestAnswer.Refused(refusal).ToResult();
        }

        MappedEvent[] mapped;
        using (request)
            mapped = mapper.Map(request.Events); // the mapped events do not refer to the parsed body
        if (request.IsDryRun)
            return Preview(request, mapped);

        if (options.Value.AcknowledgesStored)
        {
            var accepted = await stored.AcceptAsync(request.Account, mapped, request.IsBatch, deadline, delivery, cancellationToken);
            telemetry.IngestAnswered(request.Account.Name, accepted.Events);
            return accepted.ToResult();
        }

        var attempt = await delivery.DeliverAsync(request.Account, mapped, deadline, cancellationToken);
        var answer = IngestAnswer.ForDelivery(attempt, request.IsBatch);
        await attempt.SettleAsync(rememberDelivered: answer.MakesSegmentResend);
        telemetry.IngestAnswered(request.Account.Name, answer.Events);
        return answer.ToResult();
    }

    /// <summary>
    /// The dashboard's "Try an event" (<see cref="IngestPreviewFunction"/>): what the events would become, as
    /// <c>?dryRun=true</c> shows Segment's callers, for a caller the management check let in. Nothing is sent.
    /// </summary>
    public async Task<IResult> PreviewAsync(HttpContext context, string? connection, CancellationToken cancellationToken)
    {
        var (request, refusal) = await requests.ReadPreviewAsync(context.Request, connection, cancellationToken);
        if (request is null)
            return IngestAnswer.Refused(refusal!).ToResult();
        using (request)
            return Preview(request, mapper.Map(request.Events));
    }

    private static IResult Preview(IngestRequest request, MappedEvent[] mapped) => TypedResults.Json(DryRunPreview.Of(request.Account, mapped));
}
