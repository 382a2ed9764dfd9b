using System.Text.Json;
using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using CleverTapSegment.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>The state of the spool (<c>GET api/ingest/spool</c>, docs/ingest-api.md).</summary>
public sealed record SpoolStatusResponse(
    string Acknowledge,
    long Depth,
    double? OldestVisibleAgeSeconds,
    int SampledMessages,
    IReadOnlyList<SpoolAccountBacklog> Accounts,
    IReadOnlyList<DeadLetterCount> DeadLetters);

/// <summary>One account's messages and records among the sampled front of the queue.</summary>
public sealed record SpoolAccountBacklog(string Account, int Messages, int Records, double OldestAgeSeconds);

/// <summary>The answer to a replay.</summary>
public sealed record DeadLetterReplayResponse(long Replayed);

/// <summary>
/// The spool's management routes: <c>GET api/ingest/spool</c> and <c>POST api/ingest/deadletters/replay</c>. Checked
/// like every management route: anonymous to the host, then <see cref="ManagementAccess"/> (the management key or a
/// signed-in principal, and the dashboard's header for a change made with a sign-in session).
/// </summary>
internal sealed class SpoolOperationsFunctions(ManagementAccess access, SpoolStatusReader status, SpoolReplayer replayer)
{
    public const string StatusFunctionName = "IngestSpool";
    public const string ReplayFunctionName = "IngestDeadLettersReplay";

    [Function(StatusFunctionName)]
    public Task<IResult> StatusAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ingest/spool")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => TypedResults.Json(await status.ReadAsync(token), DeadLetterJson.Options));

    [Function(ReplayFunctionName)]
    public Task<IResult> ReplayAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/ingest/deadletters/replay")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token =>
        {
            DeadLetterReplayRequest? body = null;
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    body = await JsonSerializer.DeserializeAsync<DeadLetterReplayRequest>(request.Body, DeadLetterJson.Options, token);
                }
                catch (JsonException)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                        detail: "The body must be JSON: {\"account\": \"…\", \"reason\": \"…\"}, both optional.");
                }
            }
            var replayed = await replayer.ReplayAsync(Blank(body?.Account), Blank(body?.Reason), token);
            return TypedResults.Json(new DeadLetterReplayResponse(replayed), DeadLetterJson.Options);
        });

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task<IResult> RunAsync(HttpRequest request, CancellationToken cancellationToken, Func<CancellationToken, Task<IResult>> handle)
    {
        if (access.Refuse(request) is { } refused)
            return refused;
        using var invocation = InvocationCancellation.Link(request, cancellationToken);
        return await handle(invocation.Token);
    }
}

/// <summary>
/// Reads the spool's state. The depth is the queue's approximate count (including messages waiting out a retry
/// delay); the age and per-account backlog come from peeking the visible front of the queue (at most 32 messages, the
/// service's limit: https://learn.microsoft.com/rest/api/storageservices/peek-messages), so during an outage, when
/// every message waits out its delay, see the <c>bridge.spool.oldest_age</c> gauge instead.
/// </summary>
public sealed class SpoolStatusReader(SpoolQueue queue, DeadLetterStore deadLetters, Microsoft.Extensions.Options.IOptions<IngestOptions> options, TimeProvider timeProvider, BridgeTelemetry telemetry)
{
    public async Task<SpoolStatusResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var properties = await queue.Queue.GetPropertiesAsync(cancellationToken);
        var peeked = await queue.Queue.PeekMessagesAsync(32, cancellationToken);
        var now = timeProvider.GetUtcNow();
        var sampled = new List<SpoolMessage>();
        foreach (var item in peeked.Value)
        {
            try
            {
                sampled.Add(SpoolMessage.Parse(item.Body.ToMemory().Span));
            }
            catch (JsonException)
            {
                // Not ours: the delivery function will poison it.
            }
        }
        var accounts = sampled.GroupBy(message => message.Account, StringComparer.OrdinalIgnoreCase)
            .Select(group => new SpoolAccountBacklog(group.Key, group.Count(), group.Sum(message => message.Records.Count),
                Math.Max(0, (now - group.Min(message => message.EnqueuedAt)).TotalSeconds)))
            .OrderBy(backlog => backlog.Account, StringComparer.Ordinal).ToList();
        double? oldest = sampled.Count == 0 ? null : Math.Max(0, (now - sampled.Min(message => message.EnqueuedAt)).TotalSeconds);
        var depth = properties.Value.ApproximateMessagesCount;
        telemetry.SpoolDepth(depth);
        return new SpoolStatusResponse(options.Value.AcknowledgesStored ? AcknowledgeModes.Stored : AcknowledgeModes.Delivered,
            depth, oldest, sampled.Count, accounts, await deadLetters.CountAsync(cancellationToken));
    }
}

/// <summary>Re-enqueues dead letters after their cause is fixed: as new spool messages whose retention starts now.</summary>
public sealed class SpoolReplayer(SpoolQueue queue, DeadLetterStore deadLetters, TimeProvider timeProvider)
{
    public Task<long> ReplayAsync(string? account, string? reason, CancellationToken cancellationToken) =>
        deadLetters.ReplayAsync(account, reason, (owner, records, token) => queue.SendAsync(
            new SpoolMessage(Guid.NewGuid().ToString("N"), owner, timeProvider.GetUtcNow(), 0, records), null, token), cancellationToken);
}
