using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Testing;

/// <summary>Settings of <see cref="FakeSegment"/>.</summary>
public sealed class FakeSegmentOptions
{
    /// <summary>Write keys of the sources this fake knows; batches for others are answered 200 and dropped, like Segment does.</summary>
    public IReadOnlyCollection<string> WriteKeys { get; init; } = ["test-write-key"];
    /// <summary>
    /// Answer 401 to a write key not in <see cref="WriteKeys"/> instead of dropping its batch: what the EU endpoint does
    /// with a key of a US workspace (https://segment.com/docs/guides/regional-segment/), and a proxy in front of Segment may.
    /// </summary>
    public bool RefuseUnknownWriteKeys { get; init; }
    /// <summary>Keep each accepted message (first copy per messageId); off for the benchmark's million records.</summary>
    public bool KeepMessages { get; init; } = true;
    /// <summary>Track messageIds to count duplicates; off only when even the ids are too many to hold.</summary>
    public bool TrackMessageIds { get; init; } = true;
}

/// <summary>
/// One <c>/v1/batch</c> request whose messages the fake accepted: each message's raw JSON, and how many distinct
/// messageIds the fake had accepted once it took them (this batch's included).
/// </summary>
public sealed record FakeSegmentBatch(IReadOnlyList<string> Messages, long UniqueMessagesAfter, DateTimeOffset ReceivedAt);

/// <summary>One <c>/v1/batch</c> request the fake answered.</summary>
public sealed record FakeSegmentRequest(string? WriteKey, int Bytes, int Events, int StatusCode);

/// <summary>
/// A loopback fake of Segment's Tracking API <c>POST /v1/batch</c>
/// (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/): Basic auth with the write key,
/// 400 over 32 KB per event / 500 KB per request / 2500 events, records the accepted messages by <c>messageId</c>
/// (with duplicate counts), and can inject 429/5xx answers.
/// </summary>
public sealed class FakeSegment : IAsyncDisposable
{
    public const int MaxEventBytes = 32 * 1024;
    public const int MaxRequestBytes = 500 * 1024;
    public const int MaxEvents = 2500;

    private readonly LoopbackServer _server;
    private readonly HashSet<string> _writeKeys;
    private readonly ConcurrentDictionary<string, int> _messageCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _messages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeSegmentRequest> _requests = new();
    private readonly ConcurrentQueue<(int StatusCode, TimeSpan? RetryAfter)> _injectedFailures = new();
    private readonly RequestTrap<FakeSegmentBatch> _answerTrap = new();
    private readonly object _waitLock = new();
    private readonly List<(long Count, TaskCompletionSource Signal)> _waiters = [];
    private long _requestCount;
    private long _acceptThenFailOnRequest;
    private volatile bool _failingAfterAccept;
    private long _bytes;
    private long _acceptedMessages;
    private long _duplicateMessages;
    private long _droppedMessages;
    private long _rejectedRequests;

    private FakeSegment(LoopbackServer server, FakeSegmentOptions options)
    {
        _server = server;
        Options = options;
        _writeKeys = new HashSet<string>(options.WriteKeys, StringComparer.Ordinal);
    }

    public FakeSegmentOptions Options { get; }

    /// <summary>Use as <c>Segment__ApiBaseUrl</c>.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    public long RequestCount => Interlocked.Read(ref _requestCount);
    /// <summary>Bytes of every request body received, rejected ones included.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>Messages accepted, duplicates included.</summary>
    public long AcceptedMessages => Interlocked.Read(ref _acceptedMessages);
    /// <summary>Accepted messages whose messageId had been accepted before (Segment would de-duplicate them).</summary>
    public long DuplicateMessages => Interlocked.Read(ref _duplicateMessages);
    public long UniqueMessages => AcceptedMessages - DuplicateMessages;
    /// <summary>Answered 200 but dropped, as Segment does: unknown write key, no userId/anonymousId, a track without event.</summary>
    public long DroppedMessages => Interlocked.Read(ref _droppedMessages);
    public long RejectedRequests => Interlocked.Read(ref _rejectedRequests);
    public IReadOnlyCollection<FakeSegmentRequest> Requests => _requests;
    /// <summary>How many times each messageId was accepted.</summary>
    public IReadOnlyDictionary<string, int> MessageCounts => _messageCounts;

    /// <summary>The first accepted copy of each message, by messageId (when <see cref="FakeSegmentOptions.KeepMessages"/>).</summary>
    public IReadOnlyDictionary<string, string> Messages => _messages;

    public static async Task<FakeSegment> StartAsync(FakeSegmentOptions? options = null)
    {
        FakeSegment? fake = null;
        var server = await LoopbackServer.StartAsync(app => app.MapPost("/v1/batch", context => fake!.BatchAsync(context)));
        fake = new FakeSegment(server, options ?? new FakeSegmentOptions());
        return fake;
    }

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="statusCode"/> (with <c>Retry-After</c> seconds if given) and accept nothing.</summary>
    public void FailNext(int count, int statusCode = StatusCodes.Status500InternalServerError, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
            _injectedFailures.Enqueue((statusCode, retryAfter));
    }

    /// <summary>
    /// A delivery whose answer is lost: request number <paramref name="onRequest"/> (counting from 1) is accepted in
    /// full but answered 500, and so is every request after it (accepting nothing, <c>Retry-After: 0</c>) until
    /// <see cref="StopFailing"/>, so the sender's retries run out and it fails as if it had died right after
    /// Segment took the batch.
    /// </summary>
    public void AcceptThenFail(int onRequest) => Interlocked.Exchange(ref _acceptThenFailOnRequest, onRequest);

    /// <summary>Ends <see cref="AcceptThenFail"/>: requests are answered normally again.</summary>
    public void StopFailing()
    {
        Interlocked.Exchange(ref _acceptThenFailOnRequest, 0);
        _failingAfterAccept = false;
    }

    /// <summary>Completes once at least <paramref name="count"/> distinct messages have been accepted.</summary>
    public Task WaitForUniqueMessagesAsync(long count, CancellationToken ct)
    {
        lock (_waitLock)
        {
            if (UniqueMessages >= count)
                return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(ct);
        }
    }

    /// <summary>
    /// The next batch matching <paramref name="match"/> is accepted (its messages count as delivered) but its answer is
    /// held until the client goes away: the task completes once it is held, so a test can kill the sender after
    /// Segment took a batch and before the sender learned it.
    /// </summary>
    public Task<FakeSegmentBatch> HoldAnswerAsync(Func<FakeSegmentBatch, bool> match, CancellationToken cancellationToken)
        => _answerTrap.ArmAsync(match, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _answerTrap.Dispose();
        return _server.DisposeAsync();
    }

    private async Task BatchAsync(HttpContext context)
    {
        var requestNumber = Interlocked.Increment(ref _requestCount);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        Interlocked.Add(ref _bytes, body.Length);
        var writeKey = BasicAuthWriteKey(context.Request.Headers.Authorization.ToString());

        if (_failingAfterAccept)
        {
            context.Response.Headers.RetryAfter = "0";
            await AnswerAsync(context, writeKey, (int)body.Length, 0, StatusCodes.Status500InternalServerError, "injected failure after an accepted batch");
            return;
        }
        if (_injectedFailures.TryDequeue(out var failure))
        {
            if (failure.RetryAfter is { } retryAfter)
                context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await AnswerAsync(context, writeKey, (int)body.Length, 0, failure.StatusCode, "injected failure");
            return;
        }
        if (writeKey is null)
        {
            await AnswerAsync(context, null, (int)body.Length, 0, 401, "Basic authentication with the write key is required");
            return;
        }
        if (Options.RefuseUnknownWriteKeys && !_writeKeys.Contains(writeKey))
        {
            await AnswerAsync(context, writeKey, (int)body.Length, 0, 401, "unknown write key");
            return;
        }
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await AnswerAsync(context, writeKey, (int)body.Length, 0, 400, "Content-Type must be application/json");
            return;
        }
        if (body.Length > MaxRequestBytes)
        {
            await AnswerAsync(context, writeKey, (int)body.Length, 0, 400, $"request over {MaxRequestBytes} bytes");
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length));
        }
        catch (JsonException)
        {
            await AnswerAsync(context, writeKey, (int)body.Length, 0, 400, "invalid JSON");
            return;
        }
        using (document)
        {
            if (!document.RootElement.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
            {
                await AnswerAsync(context, writeKey, (int)body.Length, 0, 400, "batch must be an array");
                return;
            }
            var events = batch.GetArrayLength();
            if (events > MaxEvents)
            {
                await AnswerAsync(context, writeKey, (int)body.Length, events, 400, $"more than {MaxEvents} events");
                return;
            }
            foreach (var message in batch.EnumerateArray())
            {
                if (JsonMarshal.GetRawUtf8Value(message).Length > MaxEventBytes)
                {
                    await AnswerAsync(context, writeKey, (int)body.Length, events, 400, $"an event is over {MaxEventBytes} bytes");
                    return;
                }
            }
            foreach (var message in batch.EnumerateArray())
                Accept(message, known: _writeKeys.Contains(writeKey));
            if (_answerTrap.IsArmed)
            {
                var accepted = new FakeSegmentBatch(batch.EnumerateArray().Select(message => message.GetRawText()).ToList(), UniqueMessages, DateTimeOffset.UtcNow);
                if (await _answerTrap.HoldIfCaughtAsync(accepted, context.RequestAborted))
                    return;
            }
            if (requestNumber == Interlocked.Read(ref _acceptThenFailOnRequest))
            {
                _failingAfterAccept = true;
                context.Response.Headers.RetryAfter = "0";
                await AnswerAsync(context, writeKey, (int)body.Length, events, StatusCodes.Status500InternalServerError, "injected failure after an accepted batch");
                return;
            }
            await AnswerAsync(context, writeKey, (int)body.Length, events, 200, null);
        }
    }

    private void Accept(JsonElement message, bool known)
    {
        var isObject = message.ValueKind == JsonValueKind.Object;
        var hasIdentity = HasText(message, "userId") || HasText(message, "anonymousId");
        var isTrackWithoutEvent = isObject && message.TryGetProperty("type", out var type) && type.ValueEquals("track") && !HasText(message, "event");
        if (!known || !isObject || !hasIdentity || isTrackWithoutEvent)
        {
            Interlocked.Increment(ref _droppedMessages);
            return;
        }
        Interlocked.Increment(ref _acceptedMessages);
        var messageId = message.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : Guid.NewGuid().ToString();
        if (Options.TrackMessageIds && _messageCounts.AddOrUpdate(messageId, 1, static (_, n) => n + 1) > 1)
            Interlocked.Increment(ref _duplicateMessages);
        if (Options.KeepMessages)
            _messages.TryAdd(messageId, message.GetRawText());
        SignalWaiters();
    }

    private void SignalWaiters()
    {
        lock (_waitLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (UniqueMessages >= _waiters[i].Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private async Task AnswerAsync(HttpContext context, string? writeKey, int bytes, int events, int statusCode, string? error)
    {
        _requests.Enqueue(new FakeSegmentRequest(writeKey, bytes, events, statusCode));
        if (statusCode != 200)
            Interlocked.Increment(ref _rejectedRequests);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(error is null ? "{\"success\":true}" : JsonSerializer.Serialize(new { success = false, error }));
    }

    /// <summary>Basic <c>base64(writeKey + ":")</c>: user name = write key, empty password.</summary>
    private static string? BasicAuthWriteKey(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && colon == decoded.Length - 1 ? decoded[..colon] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool HasText(JsonElement message, string name)
        => message.ValueKind == JsonValueKind.Object && message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0;
}
