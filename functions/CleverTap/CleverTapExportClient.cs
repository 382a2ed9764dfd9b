using CleverTapSegment.OutgoingCalls;
using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly.CircuitBreaker;

namespace CleverTapSegment.CleverTap;

/// <summary>Which cursor export to read: Get Events or Get User Profiles.</summary>
public enum ExportDataType { Events, Profiles }

/// <summary>Why an export call failed, as the worker acts on it.</summary>
public enum ExportFailureKind
{
    /// <summary>"Request still in progress" outlasted the client's own retries on the same cursor; try again later.</summary>
    InProgress,
    /// <summary>"Export not allowed for this event" (notification events): the item is skipped, not retried.</summary>
    NotAllowed,
    /// <summary>401/403: wrong account id, passcode or region.</summary>
    Unauthorized,
    /// <summary>429/5xx/network/timeouts after the pipeline's retries: retry later (queue redelivery).</summary>
    Transient,
    /// <summary>Anything else CleverTap refused (other 4xx, a <c>fail</c> status, a repeating cursor, a malformed body).</summary>
    Permanent,
}

/// <summary>A failed export call. The message never contains the passcode.</summary>
public sealed class CleverTapExportException : Exception
{
    public CleverTapExportException(ExportFailureKind kind, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public ExportFailureKind Kind { get; }

    public int? StatusCode { get; }
}

/// <summary>
/// One page of a cursor export. Owns the body the records are read from; each record is parsed only when the
/// enumeration reaches it, so a page costs its body plus one record's document at a time rather than a document as
/// large as the page (a 5000-record page is a few MB; `./dev bench export`, docs/benchmarks.md).
/// </summary>
public sealed class ExportPage : IDisposable
{
    private readonly CleverTapResponseBody _body;

    internal ExportPage(CleverTapResponseBody body, IReadOnlyList<Range> records, string? nextCursor)
    {
        _body = body;
        Records = new ExportPageRecords(body, records);
        NextCursor = nextCursor;
    }

    /// <summary>The page's records in order. A record is valid until the enumeration moves on: <c>Clone()</c> it to keep it.</summary>
    public ExportPageRecords Records { get; }

    /// <summary>The (percent-decoded) cursor of the next page, or <c>null</c> at the end of the export.</summary>
    public string? NextCursor { get; }

    /// <summary>Returns the (pooled) body the records are read from.</summary>
    public void Dispose() => _body.Dispose();
}

/// <summary>The records of an <see cref="ExportPage"/>, each parsed from its slice of the body when it is reached.</summary>
public sealed class ExportPageRecords : IReadOnlyCollection<JsonElement>
{
    private readonly CleverTapResponseBody _body;
    private readonly IReadOnlyList<Range> _records;

    internal ExportPageRecords(CleverTapResponseBody body, IReadOnlyList<Range> records)
    {
        _body = body;
        _records = records;
    }

    public int Count => _records.Count;

    public IEnumerator<JsonElement> GetEnumerator()
    {
        foreach (var range in _records)
        {
            // The slice was validated when the page was indexed; the document reads it in place (no copy).
            using var record = JsonDocument.Parse(_body.Memory[range]);
            yield return record.RootElement;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Typed client of CleverTap's cursor exports (Get Events / Get User Profiles): open a cursor for an event and a range
/// of project-local days, then read pages until there is no <c>next_cursor</c>.
/// Retries ("still in progress", 429, 5xx, network), the circuit breaker and the per-account concurrency limit live in
/// the client's resilience pipeline (<see cref="CleverTapExportComposition"/>); this class only shapes requests and
/// classifies answers.
/// https://developer.clevertap.com/docs/get-events-api, https://developer.clevertap.com/docs/get-user-profiles-api
/// </summary>
public sealed class CleverTapExportClient
{
    /// <summary>The documented maximum <c>batch_size</c>. https://developer.clevertap.com/docs/get-events-api</summary>
    public const int MaxBatchSize = 5000;

    private readonly HttpClient _httpClient;

    public CleverTapExportClient(HttpClient httpClient) => _httpClient = httpClient;

    /// <summary>
    /// <c>POST 1/events.json?batch_size=N</c> (or <c>1/profiles.json</c>) with <c>{"event_name","from","to"}</c>; the days
    /// are inclusive and local to the project's time zone. Returns the first page's cursor, percent-decoded.
    /// </summary>
    public async Task<string> OpenCursorAsync(CleverTapAccount account, ExportDataType dataType, string eventName, DateOnly fromDay, DateOnly toDay, int batchSize, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromDay, toDay);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.ApiBaseUri, $"{PathOf(dataType)}?batch_size={batchSize}"))
        {
            Content = new ByteArrayContent(OpenCursorBody(eventName, fromDay, toDay)),
        };
        // POST requires Content-Type: application/json; GET must not carry one. https://developer.clevertap.com/docs/get-user-profiles-api
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var (body, answer) = await SendAsync(account, request, dataType, eventName, ct);
        using var ownedBody = body;
        using var document = Parse(body, dataType, eventName);
        if (document.RootElement.TryGetProperty("cursor", out var cursor) && cursor.ValueKind == JsonValueKind.String && cursor.GetString() is { Length: > 0 } value)
            return DecodeCursor(value);
        // Success without a cursor: nothing to page through is not documented, so it is not guessed at.
        throw new CleverTapExportException(ExportFailureKind.Permanent,
            $"CleverTap {PathOf(dataType)} for '{eventName}' answered '{answer.Status}' without a cursor.");
    }

    /// <summary><c>GET 1/events.json?cursor=…</c> (or profiles): one page of records and the next cursor.</summary>
    public async Task<ExportPage> GetPageAsync(CleverTapAccount account, ExportDataType dataType, string cursor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(account.ApiBaseUri, $"{PathOf(dataType)}?cursor={Uri.EscapeDataString(cursor)}"));
        var (body, _) = await SendAsync(account, request, dataType, eventName: null, ct);
        try
        {
            var (records, next) = IndexPage(body, dataType);
            // ingestr stops on a repeating cursor: following it would loop over the same page forever.
            if (next is not null && string.Equals(next, cursor, StringComparison.Ordinal))
                throw new CleverTapExportException(ExportFailureKind.Permanent, $"CleverTap {PathOf(dataType)} returned the same cursor again.");
            return new ExportPage(body, records, next);
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One validating pass over a page <c>{"records":[…],"next_cursor":"…"}</c>: where each record lies in the body, and
    /// the decoded next cursor. Parsing the whole page into one document would hold metadata as large as the page.
    /// </summary>
    private static (List<Range> Records, string? NextCursor) IndexPage(CleverTapResponseBody body, ExportDataType dataType)
    {
        var records = new List<Range>();
        string? next = null;
        try
        {
            var reader = new Utf8JsonReader(body.Memory.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("The page is not a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRecords = reader.ValueTextEquals("records"u8);
                var isNextCursor = !isRecords && reader.ValueTextEquals("next_cursor"u8);
                reader.Read();
                if (isRecords && reader.TokenType == JsonTokenType.StartArray)
                {
                    records.Clear();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        records.Add(new Range(start, (int)reader.BytesConsumed));
                    }
                }
                else if (isNextCursor && reader.TokenType == JsonTokenType.String)
                    next = reader.GetString() is { Length: > 0 } value ? DecodeCursor(value) : null;
                else
                    reader.Skip();
            }
            if (reader.Read())
                throw new JsonException("Content follows the page's JSON object.");
        }
        catch (JsonException e)
        {
            throw new CleverTapExportException(ExportFailureKind.Permanent, $"CleverTap {PathOf(dataType)} answered malformed JSON: {e.Message}", innerException: e);
        }
        return (records, next);
    }

    /// <summary>Sends and classifies; on success the caller owns (and disposes) the returned body.</summary>
    private async Task<(CleverTapResponseBody Body, CleverTapExportAnswer Answer)> SendAsync(CleverTapAccount account, HttpRequestMessage request, ExportDataType dataType, string? eventName, CancellationToken ct)
    {
        account.Authenticate(request);
        CleverTapCall.Describe(request, account);
        var what = eventName is null ? $"CleverTap {PathOf(dataType)} page" : $"CleverTap {PathOf(dataType)} for '{eventName}'";
        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (BrokenCircuitException e)
        {
            throw new CleverTapExportException(ExportFailureKind.Transient, $"{what}: CleverTap circuit open after repeated failures.", innerException: e);
        }
        catch (Exception e) when (OutgoingCallRules.IsTransportFailure(e, ct))
        {
            throw new CleverTapExportException(ExportFailureKind.Transient, $"{what}: {e.Message}", innerException: e);
        }
        using (response)
        {
            var body = response.Content is CleverTapBufferedContent buffered
                ? buffered.Detach()
                : CleverTapResponseBody.Wrap(await response.Content.ReadAsByteArrayAsync(ct));
            var answer = CleverTapExportAnswer.Read(body.Memory.Span);
            if (Classify(response.StatusCode, answer, what) is { } failure)
            {
                body.Dispose();
                throw failure;
            }
            return (body, answer);
        }
    }

    private static CleverTapExportException? Classify(HttpStatusCode statusCode, CleverTapExportAnswer answer, string what)
    {
        var status = (int)statusCode;
        var kind = OutgoingCallRules.Classify(status);
        if (kind == CallAnswer.CredentialsRefused)
            return new CleverTapExportException(ExportFailureKind.Unauthorized,
                $"{what}: HTTP {status}; check CleverTap__AccountId, CleverTap__Passcode and CleverTap__Region (a wrong region also answers 401).", status);
        if (answer.IsNotAllowed)
            return new CleverTapExportException(ExportFailureKind.NotAllowed, $"{what}: {answer.Error}", status);
        if (answer.IsStillInProgress)
            return new CleverTapExportException(ExportFailureKind.InProgress, $"{what}: still in progress after several retries.", status);
        if (OutgoingCallRules.IsRetried(kind))
            return new CleverTapExportException(ExportFailureKind.Transient, $"{what}: HTTP {status} after retries.", status);
        if (kind != CallAnswer.Success || !answer.IsSuccess)
            return new CleverTapExportException(ExportFailureKind.Permanent,
                $"{what}: HTTP {status}, status '{answer.Status}', error '{answer.Error}'{(answer.Code is { } code ? $", code {code}" : "")}.", status);
        return null;
    }

    private static JsonDocument Parse(CleverTapResponseBody body, ExportDataType dataType, string? eventName)
    {
        try
        {
            // Parsed in place: the document reads the pooled body, which is why ExportPage owns both.
            return JsonDocument.Parse(body.Memory);
        }
        catch (JsonException e)
        {
            throw new CleverTapExportException(ExportFailureKind.Permanent,
                $"CleverTap {PathOf(dataType)}{(eventName is null ? "" : $" for '{eventName}'")} answered malformed JSON: {e.Message}", innerException: e);
        }
    }

    private static string PathOf(ExportDataType dataType) => dataType switch
    {
        ExportDataType.Events => "1/events.json",
        ExportDataType.Profiles => "1/profiles.json",
        _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, null),
    };

    /// <summary><c>from</c>/<c>to</c> are integers <c>yyyyMMdd</c>. https://developer.clevertap.com/docs/get-events-api</summary>
    private static byte[] OpenCursorBody(string eventName, DateOnly fromDay, DateOnly toDay)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event_name", eventName);
            writer.WriteNumber("from", DayNumber(fromDay));
            writer.WriteNumber("to", DayNumber(toDay));
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static int DayNumber(DateOnly day) => (day.Year * 10000) + (day.Month * 100) + day.Day;

    /// <summary>Cursors come back percent-encoded; decoded here so they are encoded exactly once in the next URL (ingestr <c>decodeCursor</c>).</summary>
    private static string DecodeCursor(string cursor) => Uri.UnescapeDataString(cursor);
}
