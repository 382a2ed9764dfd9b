using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Testing;

/// <summary>Settings of <see cref="FakeCleverTapExportApi"/>; change the mutable ones at any time.</summary>
public sealed class FakeCleverTapExportOptions
{
    public string AccountId { get; init; } = "TEST-ACCOUNT-ID";
    public string Passcode { get; init; } = "test-passcode";
    /// <summary>The project time zone: record <c>ts</c> values and the <c>from</c>/<c>to</c> days are local to it.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;
    /// <summary>Varies the generated identities and values; the same seed always serves the same records.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>How many records the generator serves for an (event, project-local day); default 10.</summary>
    public Func<string, DateOnly, int> RecordsPerDay { get; init; } = static (_, _) => 10;
    /// <summary>Refused with "Export not allowed for this event" (HTTP 400, code 400), like CleverTap's notification events.</summary>
    public ISet<string> NotAllowedEvents { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "Notification Sent", "Notification Viewed", "Notification Clicked", "Push Impressions", "Notification Replied",
    };
    /// <summary>Calls beyond this many at once answer 429 (CleverTap: 3 per account).</summary>
    public int MaxConcurrentCalls { get; init; } = 3;
    /// <summary>Each page answers "Request still in progress" this many times before it is served.</summary>
    public int InProgressAnswersPerPage { get; set; }
    /// <summary>How long each served page takes to answer (a slow export): real time, as the worker's timestamps are.</summary>
    public TimeSpan PageLatency { get; set; }
}

/// <summary>One page request the fake received with a valid cursor: which slice, which page (0-based), when.</summary>
public sealed record FakeCleverTapPageRequest(ExportDataType DataType, string EventName, DateOnly From, DateOnly To, int PageIndex, DateTimeOffset ReceivedAt);

/// <summary>
/// A loopback fake of CleverTap's cursor exports (<c>POST /1/events.json</c> | <c>/1/profiles.json</c> → cursor,
/// <c>GET ?cursor=</c> → records + <c>next_cursor</c>), following https://developer.clevertap.com/docs/get-events-api.
/// Records are generated on the fly from (seed, event, day, index) and streamed, so a million records cost no memory;
/// cursors are stateless (the position is inside them) and returned percent-encoded like CleverTap's.
/// </summary>
public sealed class FakeCleverTapExportApi : IAsyncDisposable
{
    private const string InProgressError = "Request still in progress, please retry later";

    private readonly LoopbackServer _server;
    private readonly ConcurrentDictionary<(ExportDataType, string, DateOnly), string[]> _suppliedRecords = new();
    private readonly ConcurrentDictionary<string, int> _inProgressAnswered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, (int Remaining, int StatusCode)> _failingPages = new();
    private readonly ConcurrentDictionary<int, int> _inProgressPages = new();
    private readonly ConcurrentDictionary<string, long> _recordsServedByEvent = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeCleverTapPageRequest> _pageRequests = new();
    private readonly RequestTrap<FakeCleverTapPageRequest> _pageTrap = new();
    private readonly object _concurrencyLock = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _concurrencyWaiters = [];
    private TaskCompletionSource? _responseGate;
    private int _inFlight;
    private int _maxInFlight;
    private long _recordsServed;
    private long _pagesServed;
    private long _cursorsOpened;
    private long _inProgressAnswers;
    private long _tooManyRequestsAnswers;
    private long _unauthorizedAnswers;
    private long _notAllowedAnswers;
    private long _injectedFailures;

    private FakeCleverTapExportApi(LoopbackServer server, FakeCleverTapExportOptions options)
    {
        _server = server;
        Options = options;
    }

    public FakeCleverTapExportOptions Options { get; }

    /// <summary>Use as <c>CleverTap__ApiBaseUrl</c>.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    public long RecordsServed => Interlocked.Read(ref _recordsServed);
    public long PagesServed => Interlocked.Read(ref _pagesServed);
    public long CursorsOpened => Interlocked.Read(ref _cursorsOpened);
    public long InProgressAnswers => Interlocked.Read(ref _inProgressAnswers);
    public long TooManyRequestsAnswers => Interlocked.Read(ref _tooManyRequestsAnswers);
    public long UnauthorizedAnswers => Interlocked.Read(ref _unauthorizedAnswers);
    public long NotAllowedAnswers => Interlocked.Read(ref _notAllowedAnswers);
    public long InjectedFailures => Interlocked.Read(ref _injectedFailures);
    /// <summary>The most export calls ever in progress at once (429s included).</summary>
    public int MaxConcurrentCallsObserved => Volatile.Read(ref _maxInFlight);
    public long RecordsServedFor(string eventName) => _recordsServedByEvent.GetValueOrDefault(eventName);
    /// <summary>Every page request with a valid cursor, in arrival order (answered or not).</summary>
    public IReadOnlyCollection<FakeCleverTapPageRequest> PageRequests => _pageRequests;

    /// <summary>
    /// The next page request matching <paramref name="match"/> is held unanswered (holding its concurrency slot) until
    /// its client goes away: the task completes once it is held, so a test can kill the worker in the middle of a
    /// page fetch.
    /// </summary>
    public Task<FakeCleverTapPageRequest> HoldPageRequestAsync(Func<FakeCleverTapPageRequest, bool> match, CancellationToken cancellationToken)
        => _pageTrap.ArmAsync(match, cancellationToken);

    public static async Task<FakeCleverTapExportApi> StartAsync(FakeCleverTapExportOptions? options = null)
    {
        FakeCleverTapExportApi? fake = null;
        var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/1/events.json", context => fake!.OpenCursorAsync(context, ExportDataType.Events));
            app.MapPost("/1/profiles.json", context => fake!.OpenCursorAsync(context, ExportDataType.Profiles));
            app.MapGet("/1/events.json", context => fake!.ServePageAsync(context, ExportDataType.Events));
            app.MapGet("/1/profiles.json", context => fake!.ServePageAsync(context, ExportDataType.Profiles));
        });
        fake = new FakeCleverTapExportApi(server, options ?? new FakeCleverTapExportOptions());
        return fake;
    }

    /// <summary>Serves exactly these records (raw JSON objects) for (type, event, day) instead of generated ones.</summary>
    public void SetRecords(ExportDataType dataType, string eventName, DateOnly day, IEnumerable<string> records)
        => _suppliedRecords[(dataType, eventName, day)] = records.ToArray();

    /// <summary>The records served for (type, event, day), in page order: what a test expects to arrive.</summary>
    public IReadOnlyList<string> RecordsFor(ExportDataType dataType, string eventName, DateOnly day)
    {
        if (_suppliedRecords.TryGetValue((dataType, eventName, day), out var supplied))
            return supplied;
        var count = Options.RecordsPerDay(eventName, day);
        var records = new string[count];
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < count; i++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
                WriteGeneratedRecord(writer, dataType, eventName, day, i, count);
            records[i] = Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        return records;
    }

    /// <summary>Page <paramref name="pageIndex"/> (0-based, of any cursor) answers <paramref name="statusCode"/> the next <paramref name="times"/> times it is asked for.</summary>
    public void FailPage(int pageIndex, int times = int.MaxValue, int statusCode = StatusCodes.Status500InternalServerError)
        => _failingPages[pageIndex] = (times, statusCode);

    public void ClearPageFailures() => _failingPages.Clear();

    /// <summary>
    /// When set, injected page failures carry this <c>Retry-After</c> (whole seconds), which the app's retries honour:
    /// zero lets a test see an attempt fail after its retries without waiting for their backoff.
    /// </summary>
    public TimeSpan? FailureRetryAfter { get; set; }

    /// <summary>
    /// Page <paramref name="pageIndex"/> (0-based, of any cursor) answers "Request still in progress" the next
    /// <paramref name="times"/> times it is asked for; unlike <see cref="FakeCleverTapExportOptions.InProgressAnswersPerPage"/>,
    /// the other pages are served at once.
    /// </summary>
    public void AnswerInProgressOnPage(int pageIndex, int times) => _inProgressPages[pageIndex] = times;

    /// <summary>Export calls wait (counted as in progress) until <see cref="ReleaseResponses"/>: to observe concurrency.</summary>
    public void HoldResponses() => Interlocked.Exchange(ref _responseGate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ReleaseResponses() => Interlocked.Exchange(ref _responseGate, null)?.TrySetResult();

    /// <summary>Completes when at least <paramref name="count"/> export calls are in progress at once.</summary>
    public Task WaitForConcurrentCallsAsync(int count, CancellationToken ct)
    {
        lock (_concurrencyLock)
        {
            if (_inFlight >= count)
                return Task.CompletedTask;
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _concurrencyWaiters.Add((count, signal));
            return signal.Task.WaitAsync(ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        ReleaseResponses();
        _pageTrap.Dispose();
        return _server.DisposeAsync();
    }

    private async Task OpenCursorAsync(HttpContext context, ExportDataType dataType)
    {
        using var call = await EnterAsync(context);
        if (call.Refused)
            return;
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await FailAsync(context, call, 400, "POST requires Content-Type: application/json", 400);
            return;
        }
        if (!int.TryParse(context.Request.Query["batch_size"], CultureInfo.InvariantCulture, out var batchSize) || batchSize is < 1 or > CleverTapExportClient.MaxBatchSize)
        {
            await FailAsync(context, call, 400, "batch_size must be between 1 and 5000", 400);
            return;
        }
        string? eventName;
        DateOnly from, to;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var root = body.RootElement;
            eventName = root.GetProperty("event_name").GetString();
            from = ParseDay(root.GetProperty("from").GetInt32());
            to = ParseDay(root.GetProperty("to").GetInt32());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            await FailAsync(context, call, 400, $"Invalid request: {e.Message}", 400);
            return;
        }
        if (string.IsNullOrEmpty(eventName) || from > to)
        {
            await FailAsync(context, call, 400, "event_name, from and to are required and from <= to", 400);
            return;
        }
        if (Options.NotAllowedEvents.Contains(eventName))
        {
            Interlocked.Increment(ref _notAllowedAnswers);
            await FailAsync(context, call, 400, "Export not allowed for this event", 400);
            return;
        }
        Interlocked.Increment(ref _cursorsOpened);
        await WriteJsonAsync(context, call, 200, writer =>
        {
            writer.WriteString("status", "success");
            writer.WriteString("cursor", EncodeCursor(new Cursor(dataType, eventName, from, to, batchSize, 0)));
        });
    }

    private async Task ServePageAsync(HttpContext context, ExportDataType dataType)
    {
        using var call = await EnterAsync(context);
        if (call.Refused)
            return;
        // "Do not include Content-Type on GET requests." https://developer.clevertap.com/docs/get-user-profiles-api
        if (context.Request.Headers.ContentType.Count > 0)
        {
            await FailAsync(context, call, 400, "Do not include Content-Type on GET requests", 400);
            return;
        }
        var raw = context.Request.Query["cursor"].ToString();
        if (!TryDecodeCursor(raw, out var cursor) || cursor.DataType != dataType)
        {
            await FailAsync(context, call, 400, "Invalid cursor", 400);
            return;
        }
        var request = new FakeCleverTapPageRequest(cursor.DataType, cursor.EventName, cursor.From, cursor.To, (int)(cursor.Offset / cursor.BatchSize), DateTimeOffset.UtcNow);
        _pageRequests.Enqueue(request);
        if (await _pageTrap.HoldIfCaughtAsync(request, context.RequestAborted))
            return;
        if (Options.InProgressAnswersPerPage > 0 && _inProgressAnswered.AddOrUpdate(raw, 1, static (_, n) => n + 1) <= Options.InProgressAnswersPerPage)
        {
            Interlocked.Increment(ref _inProgressAnswers);
            await FailAsync(context, call, 200, InProgressError, code: null);
            return;
        }
        var pageIndex = request.PageIndex;
        if (TryTakeInProgress(pageIndex))
        {
            Interlocked.Increment(ref _inProgressAnswers);
            await FailAsync(context, call, 200, InProgressError, code: null);
            return;
        }
        if (TryTakeFailure(pageIndex, out var failureStatus))
        {
            Interlocked.Increment(ref _injectedFailures);
            if (FailureRetryAfter is { } retryAfter)
                context.Response.Headers.RetryAfter = ((long)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await FailAsync(context, call, failureStatus, "Injected failure", failureStatus);
            return;
        }

        if (Options.PageLatency > TimeSpan.Zero)
            await Task.Delay(Options.PageLatency, context.RequestAborted);
        var days = Days(cursor).Select(day => (Day: day, Count: CountFor(dataType, cursor.EventName, day))).ToArray();
        var total = days.Sum(d => (long)d.Count);
        var end = Math.Min(total, cursor.Offset + cursor.BatchSize);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteString("status", "success");
        if (end < total)
            writer.WriteString("next_cursor", EncodeCursor(cursor with { Offset = end }));
        writer.WriteStartArray("records");
        long position = 0;
        var served = 0;
        foreach (var (day, count) in days)
        {
            for (var i = Math.Max(0, cursor.Offset - position); i < count && position + i < end; i++)
            {
                WriteRecord(writer, dataType, cursor.EventName, day, (int)i, count);
                served++;
                if (writer.BytesPending > 32 * 1024)
                {
                    writer.Flush();
                    await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
                }
            }
            position += count;
            if (position >= end)
                break;
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        call.Leave();
        writer.Flush();
        await writer.DisposeAsync();
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        Interlocked.Increment(ref _pagesServed);
        Interlocked.Add(ref _recordsServed, served);
        _recordsServedByEvent.AddOrUpdate(cursor.EventName, served, (_, n) => n + served);
    }

    /// <summary>Counts the call as in progress, checks credentials and the concurrency limit, waits on the gate.</summary>
    private async Task<Call> EnterAsync(HttpContext context)
    {
        var call = new Call(this);
        lock (_concurrencyLock)
        {
            _inFlight++;
            if (_inFlight > _maxInFlight)
                _maxInFlight = _inFlight;
            for (var i = _concurrencyWaiters.Count - 1; i >= 0; i--)
            {
                if (_inFlight >= _concurrencyWaiters[i].Count)
                {
                    _concurrencyWaiters[i].Signal.TrySetResult();
                    _concurrencyWaiters.RemoveAt(i);
                }
            }
            call.Over = _inFlight > Options.MaxConcurrentCalls;
        }
        var headers = context.Request.Headers;
        if (headers["X-CleverTap-Account-Id"] != Options.AccountId || headers["X-CleverTap-Passcode"] != Options.Passcode)
        {
            Interlocked.Increment(ref _unauthorizedAnswers);
            await FailAsync(context, call, 401, "Invalid Credentials", 401);
            call.Refused = true;
            return call;
        }
        if (call.Over)
        {
            // https://developer.clevertap.com/docs/api-request-limit: 3 concurrent export calls per account.
            Interlocked.Increment(ref _tooManyRequestsAnswers);
            await FailAsync(context, call, 429, "Too many concurrent requests", 429);
            call.Refused = true;
            return call;
        }
        if (Volatile.Read(ref _responseGate) is { } gate)
            await gate.Task.WaitAsync(context.RequestAborted);
        return call;
    }

    private void Leave()
    {
        lock (_concurrencyLock)
            _inFlight--;
    }

    private bool TryTakeInProgress(int pageIndex)
    {
        while (_inProgressPages.TryGetValue(pageIndex, out var remaining) && remaining > 0)
        {
            if (_inProgressPages.TryUpdate(pageIndex, remaining - 1, remaining))
                return true;
        }
        return false;
    }

    private bool TryTakeFailure(int pageIndex, out int statusCode)
    {
        statusCode = 0;
        while (_failingPages.TryGetValue(pageIndex, out var failure))
        {
            if (failure.Remaining <= 0)
                return false;
            if (_failingPages.TryUpdate(pageIndex, (failure.Remaining == int.MaxValue ? int.MaxValue : failure.Remaining - 1, failure.StatusCode), failure))
            {
                statusCode = failure.StatusCode;
                return true;
            }
        }
        return false;
    }

    private int CountFor(ExportDataType dataType, string eventName, DateOnly day)
        => _suppliedRecords.TryGetValue((dataType, eventName, day), out var supplied) ? supplied.Length : Options.RecordsPerDay(eventName, day);

    private void WriteRecord(Utf8JsonWriter writer, ExportDataType dataType, string eventName, DateOnly day, int index, int count)
    {
        if (_suppliedRecords.TryGetValue((dataType, eventName, day), out var supplied))
            writer.WriteRawValue(supplied[index]);
        else
            WriteGeneratedRecord(writer, dataType, eventName, day, index, count);
    }

    /// <summary>
    /// A record in the documented shape (https://developer.clevertap.com/docs/get-events-api, clevertap-node's doc
    /// comment): events spread evenly over the local day, <c>ts</c> as <c>yyyyMMddHHmmss</c> in the project time zone.
    /// One in seven users is anonymous (objectId only).
    /// </summary>
    private void WriteGeneratedRecord(Utf8JsonWriter writer, ExportDataType dataType, string eventName, DateOnly day, int index, int count)
    {
        var random = Mix((ulong)Options.Seed ^ Fnv(eventName) ^ ((ulong)day.DayNumber << 20) ^ (ulong)index);
        var user = (int)(random % 100_000);
        var anonymous = random % 7 == 0;
        var objectId = $"__g{Mix(random):x16}";
        var identity = $"user-{user}";
        var email = $"user{user}@example.com";
        if (dataType == ExportDataType.Events)
        {
            var start = ProjectLocalTime.ToUtc(day.ToDateTime(TimeOnly.MinValue), Options.TimeZone);
            var next = ProjectLocalTime.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), Options.TimeZone);
            var instant = start + ((next - start) * index / Math.Max(count, 1));
            var local = TimeZoneInfo.ConvertTime(instant, Options.TimeZone).DateTime;
            writer.WriteStartObject();
            writer.WriteStartObject("profile");
            writer.WriteString("objectId", objectId);
            writer.WriteString("platform", "Web");
            if (!anonymous)
            {
                writer.WriteString("email", email);
                writer.WriteString("identity", identity);
            }
            writer.WriteStartObject("profileData");
            writer.WriteString("favoriteColor", (random % 3) switch { 0 => "blue", 1 => "green", _ => "red" });
            writer.WriteEndObject();
            writer.WriteNumber("id", user);
            writer.WriteEndObject();
            writer.WriteNumber("ts", long.Parse(local.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            writer.WriteStartObject("event_props");
            writer.WriteNumber("index", index);
            writer.WriteString("day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.WriteString("value", "pizza");
            writer.WriteNumber("amount", (double)(random % 10_000) / 100);
            writer.WriteBoolean("firstTime", random % 2 == 0);
            writer.WriteEndObject();
            writer.WriteStartObject("session_props");
            writer.WriteString("utm_source", "newsletter");
            writer.WriteString("utm_medium", "email");
            writer.WriteString("utm_campaign", "november");
            writer.WriteString("session_source", "Direct");
            writer.WriteEndObject();
            writer.WriteEndObject();
            return;
        }
        // Profile records: identity and objectId at the top level, standard fields in profileData. ingestr readProfiles.
        writer.WriteStartObject();
        if (!anonymous)
        {
            writer.WriteString("identity", identity);
            writer.WriteString("email", email);
        }
        writer.WriteString("objectId", objectId);
        writer.WriteString("name", $"User {user}");
        writer.WriteStartObject("profileData");
        writer.WriteString("Phone", $"+1555{user:D7}");
        writer.WriteString("Gender", random % 2 == 0 ? "M" : "F");
        writer.WriteString("Customer Type", "gold");
        writer.WriteNumber("index", index);
        writer.WriteString("day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WriteStartArray("platformInfo");
        writer.WriteStartObject();
        writer.WriteString("objectId", objectId);
        writer.WriteString("platform", "Android");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static async Task FailAsync(HttpContext context, Call call, int statusCode, string error, int? code)
        => await WriteJsonAsync(context, call, statusCode, writer =>
        {
            writer.WriteString("status", "fail");
            writer.WriteString("error", error);
            if (code is { } value)
                writer.WriteNumber("code", value);
        });

    private static async Task WriteJsonAsync(HttpContext context, Call call, int statusCode, Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        call.Leave();
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private static IEnumerable<DateOnly> Days(Cursor cursor)
    {
        for (var day = cursor.From; day <= cursor.To; day = day.AddDays(1))
            yield return day;
    }

    private static DateOnly ParseDay(int value) => new(value / 10000, value / 100 % 100, value % 100);

    /// <summary>Base64 (with <c>+ / =</c>) then percent-encoded, as CleverTap returns cursors: clients must decode before re-encoding.</summary>
    private static string EncodeCursor(Cursor cursor)
    {
        var json = JsonSerializer.Serialize(new object[]
        {
            (int)cursor.DataType, cursor.EventName, cursor.From.DayNumber, cursor.To.DayNumber, cursor.BatchSize, cursor.Offset,
        });
        return Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("~~" + json)));
    }

    private static bool TryDecodeCursor(string raw, out Cursor cursor)
    {
        cursor = default;
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
            if (!json.StartsWith("~~", StringComparison.Ordinal))
                return false;
            using var document = JsonDocument.Parse(json.AsMemory(2));
            var parts = document.RootElement;
            cursor = new Cursor((ExportDataType)parts[0].GetInt32(), parts[1].GetString()!, DateOnly.FromDayNumber(parts[2].GetInt32()),
                DateOnly.FromDayNumber(parts[3].GetInt32()), parts[4].GetInt32(), parts[5].GetInt64());
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static ulong Fnv(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(value))
            hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    /// <summary>splitmix64: cheap, well-mixed and stable across runtimes.</summary>
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    private readonly record struct Cursor(ExportDataType DataType, string EventName, DateOnly From, DateOnly To, int BatchSize, long Offset);

    /// <summary>
    /// One export call in progress. It stops counting just before the last bytes of its answer are written: a client
    /// cannot have read the whole answer (and started its next call) while this one still counts.
    /// </summary>
    private sealed class Call(FakeCleverTapExportApi fake) : IDisposable
    {
        private int _left;

        public bool Over { get; set; }
        public bool Refused { get; set; }

        public void Leave()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
                fake.Leave();
        }

        public void Dispose() => Leave();
    }
}
