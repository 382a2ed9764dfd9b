using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Mapping;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The <c>SegmentIngest</c> function (DESIGN §5): checks, parses, maps, delivers through the coalescing uploader and
/// answers Segment with a status that drives its retries: 2xx only when every event is delivered or permanently
/// rejected, 429/503 while any is still undelivered. https://segment.com/docs/partners/direct-destination/
/// </summary>
public sealed partial class SegmentIngestHandler(
    CleverTapAccounts accounts,
    IRecordUploader uploader,
    DeliveredRecordLog deliveredLog,
    InFlightRecords inFlight,
    CleverTapClient client,
    IOptions<IngestOptions> options,
    TimeProvider timeProvider,
    ILogger<SegmentIngestHandler> logger)
{
    private readonly IngestOptions _options = options.Value;

    public async Task<IResult> HandleAsync(HttpContext context, string? connection, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + _options.Deadline;
        var request = context.Request;

        CleverTapAccount account;
        if (string.IsNullOrEmpty(connection))
            account = accounts.Default;
        else if (!accounts.TryGet(connection, out account))
            return Answer(StatusCodes.Status404NotFound, $"Unknown connection '{connection}': configure CleverTap__Connections__{connection}__AccountId and __Passcode.");

        if (_options.RequiresBasicAuth && !IngestAuthentication.IsValidBasicAuth(request.Headers.Authorization, _options.BasicAuthUsername!, _options.BasicAuthPassword))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"segment\"";
            return Answer(StatusCodes.Status401Unauthorized, "Missing or wrong Basic credentials.");
        }

        var body = await IngestBodyReader.ReadAsync(request, _options.MaxBodyBytes, cancellationToken);
        if (body is not { } bytes)
            return Answer(StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {_options.MaxBodyBytes} bytes (Ingest__MaxBodyBytes).");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException exception)
        {
            return Answer(StatusCodes.Status400BadRequest, $"Body is not valid JSON: {exception.Message}");
        }
        using (document)
        {
            var secrets = _options.ActiveSharedSecrets;
            if (secrets.Count > 0 && !IngestAuthentication.IsValidSignature(request.Headers[IngestAuthentication.SignatureHeader], bytes.Span, document.RootElement, secrets))
                return Answer(StatusCodes.Status401Unauthorized, "Missing or wrong X-Signature.");

            if (!TryGetEvents(document.RootElement, out var events, out var isBatch, out var problem))
                return Answer(StatusCodes.Status400BadRequest, problem);

            var mapped = events.Select(MapSafely).ToArray();
            if (IsDryRun(request))
                return TypedResults.Json(Preview(account, mapped));
            return await DeliverAsync(account, mapped, isBatch, deadline, cancellationToken);
        }
    }

    /// <summary>A single event, a Webhooks (Actions) array, or <c>{"batch":[…]}</c> (the HTTP Tracking API shape).</summary>
    internal static bool TryGetEvents(JsonElement root, out IReadOnlyList<JsonElement> events, out bool isBatch, out string problem)
    {
        events = [];
        problem = "";
        isBatch = true;
        JsonElement list;
        if (root.ValueKind == JsonValueKind.Array)
        {
            list = root;
        }
        else if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "Body must be a Segment event object, an array of events, or {\"batch\":[…]}.";
            return false;
        }
        else if (root.TryGetProperty("batch", out var batch) && batch.ValueKind == JsonValueKind.Array)
        {
            list = batch;
        }
        else
        {
            isBatch = false;
            events = [root];
            return true;
        }
        events = list.EnumerateArray().ToList();
        if (events.Count == 0)
        {
            problem = "The batch holds no events.";
            return false;
        }
        return true;
    }

    private MappedEvent MapSafely(JsonElement segmentEvent)
    {
        if (segmentEvent.ValueKind != JsonValueKind.Object)
            return new MappedEvent(null, null, MappingDisposition.Rejected, [], [], "Not a JSON object.");
        try
        {
            return SegmentEventMapper.Map(segmentEvent, _options.MappingSettings);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogMappingFailed(logger, exception);
            return new MappedEvent(null, null, MappingDisposition.Rejected, [], [], "The event could not be mapped (internal error).");
        }
    }

    private static bool IsDryRun(HttpRequest request) =>
        request.Query.TryGetValue("dryRun", out var value) && (bool.TryParse(value, out var on) ? on : value == "1");

    private static DryRunResponse Preview(CleverTapAccount account, MappedEvent[] mapped)
    {
        var requests = new List<PreviewRequest>();
        foreach (var chunk in mapped.Where(e => e.Disposition == MappingDisposition.Deliver).SelectMany(e => e.Records).Chunk(CleverTapClient.MaxRecordsPerUpload))
            requests.Add(CleverTapClient.PreviewUpload(account, chunk));
        foreach (var chunk in DeleteIdentities(mapped).Chunk(CleverTapClient.MaxIdentitiesPerDelete))
            requests.Add(CleverTapClient.PreviewDeleteProfiles(account, chunk));
        var results = mapped.Select((e, index) => Result(index, e, e.Disposition is MappingDisposition.Deliver or MappingDisposition.Delete ? EventStatus.WouldSend : StaticStatus(e.Disposition), e.Reason)).ToList();
        return new DryRunResponse($"Dry run: {requests.Count} request(s) would be sent to CleverTap; nothing was sent.", requests, results);
    }

    private async Task<IResult> DeliverAsync(CleverTapAccount account, MappedEvent[] mapped, bool isBatch, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        // Records of this request, each tied back to its event; those an earlier attempt delivered are not resent.
        var recordResults = mapped.Select(e => new RecordResult?[e.Records.Count]).ToArray();
        var keys = RecordKeys(mapped);
        var alreadyDelivered = await deliveredLog.FindDeliveredAsync(account.Name, keys.Values, cancellationToken);
        var toSend = new List<UploadRecord>();
        var origins = new List<(int Event, int Record)>();
        var joined = new List<(int Event, int Record, Task<RecordResult> Outcome)>();
        for (var e = 0; e < mapped.Length; e++)
        {
            if (mapped[e].Disposition != MappingDisposition.Deliver)
                continue;
            for (var r = 0; r < mapped[e].Records.Count; r++)
            {
                var hasKey = keys.TryGetValue((e, r), out var key);
                if (hasKey && alreadyDelivered.Contains(key!))
                {
                    recordResults[e][r] = RecordResult.Delivered;
                }
                else if (hasKey && inFlight.TryJoin(account.Name, key!, out var running))
                {
                    joined.Add((e, r, running));
                }
                else
                {
                    toSend.Add(mapped[e].Records[r]);
                    origins.Add((e, r));
                }
            }
        }

        var uploads = uploader.Submit(account, toSend, deadline);
        for (var i = 0; i < uploads.Count; i++)
        {
            if (keys.TryGetValue(origins[i], out var key))
                inFlight.Track(account.Name, key, uploads[i]);
        }
        var deletes = DeleteAsync(account, mapped, deadline, cancellationToken);
        try
        {
            var remaining = deadline - timeProvider.GetUtcNow();
            var everything = uploads.Cast<Task>().Concat(joined.Select(item => item.Outcome)).Append(deletes);
            // Not the request-aborted token: if Segment gives up first, what was delivered must still be remembered.
            await Task.WhenAll(everything).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, timeProvider, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Answer with what is known; records still in flight are reported as "retry".
        }

        for (var i = 0; i < uploads.Count; i++)
        {
            var (e, r) = origins[i];
            recordResults[e][r] = Completed(uploads[i]);
        }
        foreach (var (e, r, outcome) in joined)
            recordResults[e][r] = Completed(outcome);
        var deleteResults = deletes.IsCompletedSuccessfully ? deletes.Result : new Dictionary<int, RecordResult>();

        var results = new EventResult[mapped.Length];
        var transient = new List<RecordResult>();
        for (var e = 0; e < mapped.Length; e++)
        {
            var (status, reason, warnings) = mapped[e].Disposition switch
            {
                MappingDisposition.Deliver => Combine(recordResults[e]!, transient),
                MappingDisposition.Delete => Combine([deleteResults.GetValueOrDefault(e, new RecordResult(RecordOutcome.Unavailable, "delivery deadline reached"))], transient),
                var disposition => (StaticStatus(disposition), mapped[e].Reason, (IReadOnlyList<string>?)null),
            };
            results[e] = Result(e, mapped[e], status, reason, warnings);
        }

        var statusCode = transient.Count > 0
            ? transient.TrueForAll(result => result.Outcome == RecordOutcome.Throttled) ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable
            : !isBatch && results[0].Status == EventStatus.Unsupported ? StatusCodes.Status501NotImplemented
            : !isBatch && results[0].Status == EventStatus.Rejected ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;

        await SettleAsync(account, keys, origins, uploads, alreadyDelivered, remember: statusCode >= 300);
        return Answer(statusCode, Describe(results, transient), results, isBatch);
    }

    private static RecordResult Completed(Task<RecordResult> outcome) => outcome.IsCompletedSuccessfully
        ? outcome.Result
        : new RecordResult(RecordOutcome.Unavailable, "delivery deadline reached");

    /// <summary>
    /// When the request is answered non-2xx Segment will resend all of it: remember what did get through now, and
    /// whatever an upload still in flight delivers later, so the retry skips those records. Records stay known as
    /// in flight until then, so a retry arriving at this instance meanwhile joins them instead of resending.
    /// </summary>
    private async Task SettleAsync(CleverTapAccount account, IReadOnlyDictionary<(int, int), string> keys, List<(int Event, int Record)> origins,
        IReadOnlyList<Task<RecordResult>> uploads, IReadOnlySet<string> alreadyDelivered, bool remember)
    {
        var delivered = new List<string>();
        var settled = new List<(string Key, Task<RecordResult> Upload)>();
        var late = new List<(string Key, Task<RecordResult> Upload)>();
        for (var i = 0; i < uploads.Count; i++)
        {
            if (!keys.TryGetValue(origins[i], out var key))
                continue;
            if (!uploads[i].IsCompleted)
            {
                late.Add((key, uploads[i]));
                continue;
            }
            settled.Add((key, uploads[i]));
            if (remember && uploads[i].IsCompletedSuccessfully && uploads[i].Result.Outcome == RecordOutcome.Delivered && !alreadyDelivered.Contains(key))
                delivered.Add(key);
        }
        if (delivered.Count > 0)
            await deliveredLog.RememberAsync(account.Name, delivered, CancellationToken.None);
        foreach (var (key, upload) in settled)
            inFlight.Forget(account.Name, key, upload);
        if (late.Count > 0)
            _ = RememberLateAsync(account.Name, late);
    }

    private async Task RememberLateAsync(string account, List<(string Key, Task<RecordResult> Upload)> late)
    {
        await Task.WhenAll(late.Select(item => item.Upload));
        var delivered = late.Where(item => item.Upload.Result.Outcome == RecordOutcome.Delivered).Select(item => item.Key).ToList();
        if (delivered.Count > 0)
            await deliveredLog.RememberAsync(account, delivered, CancellationToken.None);
        foreach (var (key, upload) in late)
            inFlight.Forget(account, key, upload);
    }

    /// <summary>Deletes run one after another in chunks: CleverTap rate-limits them more tightly than uploads.</summary>
    private async Task<Dictionary<int, RecordResult>> DeleteAsync(CleverTapAccount account, MappedEvent[] mapped, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var results = new Dictionary<int, RecordResult>();
        var pending = mapped.Select((e, index) => (Event: e, Index: index))
            .Where(item => item.Event.Disposition == MappingDisposition.Delete && !string.IsNullOrEmpty(item.Event.DeleteIdentity))
            .ToList();
        foreach (var chunk in pending.Chunk(CleverTapClient.MaxIdentitiesPerDelete))
        {
            var result = await client.DeleteProfilesAsync(account, chunk.Select(item => item.Event.DeleteIdentity!).ToList(), deadline, cancellationToken);
            foreach (var item in chunk)
                results[item.Index] = result;
        }
        foreach (var (e, index) in mapped.Select((e, index) => (e, index)))
        {
            if (e.Disposition == MappingDisposition.Delete && string.IsNullOrEmpty(e.DeleteIdentity))
                results[index] = new RecordResult(RecordOutcome.Rejected, e.Reason ?? "delete without a userId");
        }
        return results;
    }

    private static IEnumerable<string> DeleteIdentities(MappedEvent[] mapped) =>
        mapped.Where(e => e.Disposition == MappingDisposition.Delete && !string.IsNullOrEmpty(e.DeleteIdentity)).Select(e => e.DeleteIdentity!);

    private static Dictionary<(int Event, int Record), string> RecordKeys(MappedEvent[] mapped)
    {
        var keys = new Dictionary<(int, int), string>();
        for (var e = 0; e < mapped.Length; e++)
        {
            if (mapped[e].Disposition != MappingDisposition.Deliver || string.IsNullOrEmpty(mapped[e].MessageId))
                continue;
            for (var r = 0; r < mapped[e].Records.Count; r++)
                keys[(e, r)] = DeliveredRecordLog.RecordKey(mapped[e].MessageId!, r);
        }
        return keys;
    }

    /// <summary>An event is delivered when all its records are; any transient record makes the whole request retryable.</summary>
    private static (string Status, string? Reason, IReadOnlyList<string>? Warnings) Combine(IReadOnlyList<RecordResult?> records, List<RecordResult> transient)
    {
        var outcomes = records.Select(result => result ?? new RecordResult(RecordOutcome.Unavailable, "delivery deadline reached")).ToList();
        var firstTransient = outcomes.FirstOrDefault(result => result.IsTransient);
        if (firstTransient.IsTransient)
        {
            transient.AddRange(outcomes.Where(result => result.IsTransient));
            return (EventStatus.Retry, firstTransient.Reason, null);
        }
        var rejected = outcomes.Where(result => result.Outcome == RecordOutcome.Rejected).ToList();
        if (rejected.Count == 0)
            return (EventStatus.Delivered, null, null);
        if (rejected.Count == outcomes.Count)
            return (EventStatus.Rejected, rejected[0].Reason, null);
        return (EventStatus.Delivered, null, rejected.Select(result => $"A record of this event was rejected by CleverTap: {result.Reason}").ToList());
    }

    private static string StaticStatus(MappingDisposition disposition) => disposition switch
    {
        MappingDisposition.Skipped => EventStatus.Skipped,
        MappingDisposition.Unsupported => EventStatus.Unsupported,
        _ => EventStatus.Rejected,
    };

    private static EventResult Result(int index, MappedEvent mapped, string status, string? reason, IReadOnlyList<string>? extraWarnings = null)
    {
        var warnings = extraWarnings is null ? mapped.Warnings : [.. mapped.Warnings, .. extraWarnings];
        return new EventResult(index, mapped.MessageId, mapped.EventType, status, reason, warnings.Count == 0 ? null : warnings);
    }

    private static string Describe(EventResult[] results, List<RecordResult> transient)
    {
        if (transient.Count > 0)
        {
            var waiting = results.Count(result => result.Status == EventStatus.Retry);
            return $"{waiting} of {results.Length} event(s) not delivered yet ({transient[0].Reason}); retry the request.";
        }
        if (results.Length == 1)
        {
            return results[0].Status switch
            {
                EventStatus.Delivered => "Delivered to CleverTap.",
                EventStatus.Skipped => $"Skipped: {results[0].Reason ?? "CleverTap is turned off in integrations"}.",
                EventStatus.Unsupported => $"Unsupported event type: {results[0].Reason ?? results[0].Type}.",
                _ => $"Rejected: {results[0].Reason}",
            };
        }
        var delivered = results.Count(result => result.Status == EventStatus.Delivered);
        return $"Delivered {delivered} of {results.Length} event(s); the others are reported in results.";
    }

    private static IResult Answer(int statusCode, string message) =>
        TypedResults.Json(new IngestResponse(message, 0, 0, 0, 0, 0, 0), statusCode: statusCode);

    private static IResult Answer(int statusCode, string message, EventResult[] results, bool isBatch)
    {
        int Count(string status) => results.Count(result => result.Status == status);
        var response = new IngestResponse(message, results.Length,
            Count(EventStatus.Delivered), Count(EventStatus.Rejected), Count(EventStatus.Skipped), Count(EventStatus.Unsupported), Count(EventStatus.Retry),
            Status: isBatch ? null : results[0].Status,
            Results: isBatch ? results : null,
            Warnings: isBatch ? null : results[0].Warnings);
        return TypedResults.Json(response, statusCode: statusCode);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Mapping a Segment event failed")]
    private static partial void LogMappingFailed(ILogger logger, Exception exception);
}
