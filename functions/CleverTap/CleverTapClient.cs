using System.Buffers;
using System.Net.Http.Headers;
using CleverTapSegment.Hosting;
using Microsoft.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CleverTapSegment.CleverTap;

/// <summary>
/// Typed client for CleverTap's write APIs: Upload (events, profiles, tokens) and Delete Profiles.
/// Retries, timeouts, the circuit breaker and the account's concurrency slot live in the client's resilience pipeline
/// (<see cref="CleverTapComposition"/>), not here.
/// https://developer.clevertap.com/docs/upload-events-api
/// </summary>
public sealed partial class CleverTapClient(HttpClient http, ILogger<CleverTapClient> logger)
{
    /// <summary>https://developer.clevertap.com/docs/upload-events-api ("A maximum of 1000 event records can be sent per API call").</summary>
    public const int MaxRecordsPerUpload = 1000;

    /// <summary>RudderStack's delete batch size; CleverTap documents no maximum. https://developer.clevertap.com/docs/delete-user-profile-api</summary>
    public const int MaxIdentitiesPerDelete = 100;

    public const string UploadPath = "1/upload";
    public const string DeleteProfilesPath = "1/delete/profiles.json";

    /// <summary>
    /// Uploads at most <see cref="MaxRecordsPerUpload"/> records and returns one result per record, in order.
    /// Never throws for CleverTap or transport failures: they become transient results. <paramref name="deadline"/>
    /// bounds the retries; <paramref name="cancellationToken"/> should fire at the same moment.
    /// </summary>
    public async Task<RecordResult[]> UploadAsync(CleverTapAccount account, IReadOnlyList<UploadRecord> records, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(records.Count, MaxRecordsPerUpload);
        var results = new RecordResult[records.Count];
        if (records.Count == 0)
            return results;

        using var body = UploadBody.Create(records);
        using var request = CreateRequest(account, UploadPath, body.Bytes, deadline);
        try
        {
            // Headers only: the pipeline has already read the body, inside the account's slot.
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (status != 200)
            {
                var outcome = UploadClassification.Classify(status);
                var reason = outcome == RecordOutcome.Delivered ? null : Answered(status, text);
                Array.Fill(results, new RecordResult(outcome, reason, status));
                LogUploadFailed(logger, account.Name, records.Count, status);
                return results;
            }
            ReadUploadResponse(account, text, body, records, results);
            return results;
        }
        catch (Exception exception) when (IsTransportFailure(exception))
        {
            Array.Fill(results, new RecordResult(RecordOutcome.Unavailable, DescribeTransportFailure(exception)));
            LogUploadTransportFailed(logger, account.Name, records.Count, exception.GetType().Name);
            return results;
        }
    }

    /// <summary>Deletes profiles by identity (Segment <c>delete</c>). Deleting an absent profile is harmless, so this is safe to repeat.</summary>
    public async Task<RecordResult> DeleteProfilesAsync(CleverTapAccount account, IReadOnlyList<string> identities, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(identities.Count, MaxIdentitiesPerDelete);
        using var request = CreateRequest(account, DeleteProfilesPath, DeleteBody(identities), deadline);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var outcome = UploadClassification.Classify(status);
            if (outcome == RecordOutcome.Delivered && TryReadStatus(text, out var bodyStatus) && bodyStatus == "fail")
                outcome = RecordOutcome.Rejected;
            return outcome == RecordOutcome.Delivered
                ? RecordResult.Delivered
                : new RecordResult(outcome, Answered(status, text), status);
        }
        catch (Exception exception) when (IsTransportFailure(exception))
        {
            return new RecordResult(RecordOutcome.Unavailable, DescribeTransportFailure(exception));
        }
    }

    /// <summary>The upload request exactly as it would be sent, for the dry run (the caller masks the passcode).</summary>
    public static PreviewRequest PreviewUpload(CleverTapAccount account, IReadOnlyList<UploadRecord> records)
    {
        using var body = UploadBody.Create(records);
        return Preview(account, UploadPath, body.Bytes);
    }

    public static PreviewRequest PreviewDeleteProfiles(CleverTapAccount account, IReadOnlyList<string> identities) =>
        Preview(account, DeleteProfilesPath, DeleteBody(identities));

    private static PreviewRequest Preview(CleverTapAccount account, string path, ReadOnlyMemory<byte> body)
    {
        using var request = CreateRequest(account, path, body, DateTimeOffset.MaxValue);
        var headers = request.Headers.Concat(request.Content!.Headers)
            .ToDictionary(header => header.Key, header => header.Key.Equals(PasscodeHeader, StringComparison.OrdinalIgnoreCase)
                ? MaskedPasscode
                : string.Join(",", header.Value));
        return new PreviewRequest(request.Method.Method, request.RequestUri!.AbsoluteUri, headers, JsonNode.Parse(body.Span));
    }

    private const string PasscodeHeader = "X-CleverTap-Passcode";

    /// <summary>Fully hidden: even a few characters of a passcode narrow a guess, and the preview may be pasted anywhere.</summary>
    private const string MaskedPasscode = "********";

    private static HttpRequestMessage CreateRequest(CleverTapAccount account, string path, ReadOnlyMemory<byte> body, DateTimeOffset deadline)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(account.ApiBaseUri, path))
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        // https://developer.clevertap.com/docs/common-api-components: JSON body, UTF-8.
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        account.Authenticate(request);
        CleverTapCall.Describe(request, account, deadline);
        return request;
    }

    private static byte[] DeleteBody(IReadOnlyList<string> identities)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + identities.Count * 40);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("identity");
            foreach (var identity in identities)
                writer.WriteStringValue(identity);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads <c>{"status","processed","unprocessed":[{"code","error","record"}]}</c>: a 200 can be <c>partial</c> or
    /// <c>fail</c>. Each unprocessed entry is tied back to the record we sent by "record number : N" (1-based) in its
    /// error, else by the echoed <c>record</c>. https://developer.clevertap.com/docs/api-errors
    /// </summary>
    private void ReadUploadResponse(CleverTapAccount account, string text, UploadBody body, IReadOnlyList<UploadRecord> records, RecordResult[] results)
    {
        Array.Fill(results, RecordResult.Delivered);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            // A 200 means CleverTap took the request; an unreadable body cannot tell us otherwise.
            LogUnreadableBody(logger, account.Name);
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return;
            var status = root.TryGetProperty("status", out var statusElement) && statusElement.ValueKind == JsonValueKind.String
                ? statusElement.GetString()
                : null;
            if (status == "success" || !root.TryGetProperty("unprocessed", out var unprocessed) || unprocessed.ValueKind != JsonValueKind.Array)
                return;

            var attributed = new bool[records.Count];
            var unattributed = new List<RecordResult>();
            foreach (var entry in unprocessed.EnumerateArray())
            {
                int? code = entry.TryGetProperty("code", out var codeElement) && codeElement.TryGetInt32(out var c) ? c : null;
                var error = entry.TryGetProperty("error", out var errorElement) && errorElement.ValueKind == JsonValueKind.String ? errorElement.GetString() : null;
                var result = new RecordResult(UploadClassification.ClassifyRecordCode(code), error ?? $"CleverTap code {code}", code);
                var index = FindRecordIndex(entry, error, body, attributed);
                if (index is { } i)
                {
                    attributed[i] = true;
                    results[i] = result;
                }
                else
                {
                    unattributed.Add(result);
                }
            }
            if (unattributed.Count == 0)
                return;

            // CleverTap refused records we cannot tell apart. With status "fail" nothing was processed, so every
            // record shares the refusal; with "partial" we cannot know which were kept, and answering "retry" for
            // all of them risks a duplicate rather than a silent loss.
            LogUnattributed(logger, account.Name, unattributed.Count);
            var fallback = status == "fail" ? unattributed[0] : new RecordResult(RecordOutcome.Unavailable, "CleverTap refused records it did not identify");
            for (var i = 0; i < results.Length; i++)
            {
                if (!attributed[i])
                    results[i] = fallback;
            }
        }
    }

    private static int? FindRecordIndex(JsonElement entry, string? error, UploadBody body, bool[] attributed)
    {
        if (error is not null && RecordNumber().Match(error) is { Success: true } match
            && int.TryParse(match.Groups[1].ValueSpan, out var number) && number >= 1 && number <= attributed.Length && !attributed[number - 1])
            return number - 1;
        if (entry.TryGetProperty("record", out var echoed) && echoed.ValueKind == JsonValueKind.Object)
        {
            var echoedNode = JsonNode.Parse(echoed.GetRawText());
            for (var i = 0; i < attributed.Length; i++)
            {
                if (!attributed[i] && JsonNode.DeepEquals(echoedNode, body.RecordNode(i)))
                    return i;
            }
        }
        return null;
    }

    [GeneratedRegex(@"record number\s*:\s*(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RecordNumber();

    private static bool TryReadStatus(string text, out string? status)
    {
        status = null;
        try
        {
            using var parsed = JsonDocument.Parse(text);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object && parsed.RootElement.TryGetProperty("status", out var element) && element.ValueKind == JsonValueKind.String)
                status = element.GetString();
            return status is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Failures of the call itself (not answers): network, timeouts, an open circuit, the deadline.</summary>
    private static bool IsTransportFailure(Exception exception) =>
        exception is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or IsolatedCircuitException
        || exception is OperationCanceledException;

    private static string DescribeTransportFailure(Exception exception) => exception switch
    {
        BrokenCircuitException or IsolatedCircuitException => "CleverTap circuit open after repeated failures",
        TimeoutRejectedException => "CleverTap did not answer in time",
        OperationCanceledException => "delivery deadline reached",
        _ => "CleverTap unreachable",
    };

    /// <summary>The reason a refused call gives: the status, and CleverTap's own words when it sent any.</summary>
    private static string Answered(int status, string text) =>
        string.IsNullOrWhiteSpace(text) ? $"CleverTap answered {status}" : $"CleverTap answered {status}: {Shorten(text)}";

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "CleverTap upload for account {Account} ({Records} records) answered {Status}")]
    private static partial void LogUploadFailed(ILogger logger, string account, int records, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CleverTap upload for account {Account} ({Records} records) failed: {Failure}")]
    private static partial void LogUploadTransportFailed(ILogger logger, string account, int records, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CleverTap upload for account {Account}: 200 with an unreadable body, taken as accepted")]
    private static partial void LogUnreadableBody(ILogger logger, string account);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CleverTap upload for account {Account}: {Count} unprocessed entries could not be tied to a record")]
    private static partial void LogUnattributed(ILogger logger, string account, int count);

    /// <summary>The serialised <c>{"d":[…]}</c> body, remembering where each record starts so an echoed record can be matched.</summary>
    /// <summary>
    /// An upload's JSON in pooled memory (a full upload is ~0.5 MB; allocated afresh it would land on the large-object
    /// heap), with where each record starts and ends, so a record CleverTap echoes back can be matched to it.
    /// </summary>
    private sealed class UploadBody : IDisposable
    {
        private readonly RecyclableMemoryStream _buffer;
        private readonly int[] _starts;
        private readonly int[] _ends;
        private readonly JsonNode?[] _nodes;

        private UploadBody(RecyclableMemoryStream buffer, int[] starts, int[] ends)
        {
            _buffer = buffer;
            Bytes = PooledBuffers.Written(buffer);
            _starts = starts;
            _ends = ends;
            _nodes = new JsonNode?[starts.Length];
        }

        /// <summary>Valid until disposed, which is after the upload's answer was read.</summary>
        public ReadOnlyMemory<byte> Bytes { get; }

        public JsonNode RecordNode(int index) =>
            _nodes[index] ??= JsonNode.Parse(Bytes.Span[_starts[index].._ends[index]])!;

        public static UploadBody Create(IReadOnlyList<UploadRecord> records)
        {
            var buffer = PooledBuffers.Rent("clevertap-upload", 256L * records.Count + 16);
            var starts = new int[records.Count];
            var ends = new int[records.Count];
            using (var writer = new Utf8JsonWriter((IBufferWriter<byte>)buffer))
            {
                writer.WriteStartObject();
                writer.WriteStartArray("d");
                for (var i = 0; i < records.Count; i++)
                {
                    writer.Flush();
                    starts[i] = (int)buffer.Length + (i == 0 ? 0 : 1); // the separating comma comes first
                    records[i].WriteTo(writer);
                    writer.Flush();
                    ends[i] = (int)buffer.Length;
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            return new UploadBody(buffer, starts, ends);
        }

        public void Dispose() => _buffer.Dispose();
    }
}

/// <summary>A request the dry run shows instead of sending: the passcode header is masked.</summary>
public sealed record PreviewRequest(string Method, string Url, IReadOnlyDictionary<string, string> Headers, JsonNode? Body);
