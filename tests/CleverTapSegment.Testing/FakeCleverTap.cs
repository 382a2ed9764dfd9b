using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Testing;

/// <summary>
/// A loopback CleverTap that enforces the documented Upload and Delete Profiles contracts and records what it
/// accepted. https://developer.clevertap.com/docs/upload-events-api ; https://developer.clevertap.com/docs/api-errors
/// Contract checks: path, both auth headers (else 401), JSON content type, <c>{"d":[…]}</c> with ≤ 1000 records
/// (else 400 and a <see cref="ContractViolations"/> entry), and per record exactly one identifier (else 523), a known
/// type (524), an event name (509), flat <c>evtData</c>/<c>profileData</c> except <c>Items</c> (512), token data (532/533);
/// bad records come back in a <c>partial</c>/<c>fail</c> body like CleverTap's, the rest are accepted.
/// Behaviour knobs: <see cref="Latency"/>, <see cref="MaxConcurrentRequests"/> (429 beyond it), <see cref="Respond"/>
/// (scripted answers) and <see cref="Faults"/> (seeded random faults).
/// </summary>
public sealed class FakeCleverTap : IAsyncDisposable
{
    public const int MaxRecordsPerUpload = 1000;

    private readonly LoopbackServer _server;
    private readonly Lock _lock = new();
    private readonly List<JsonObject> _accepted = [];
    private readonly List<long> _acceptedAt = [];
    private readonly List<FakeUpload> _uploads = [];
    private readonly List<string> _deleted = [];
    private readonly List<string> _violations = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _maxObservedConcurrency;
    private int _throttled;
    private int _requests;

    private FakeCleverTap(LoopbackServer server, string accountId, string passcode)
    {
        _server = server;
        AccountId = accountId;
        Passcode = passcode;
    }

    public static async Task<FakeCleverTap> StartAsync(string accountId = "TEST-ACCOUNT-ID", string passcode = "test-passcode")
    {
        FakeCleverTap? fake = null;
        var server = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/1/upload", (HttpContext context) => fake!.HandleUploadAsync(context));
            app.MapPost("/1/delete/profiles.json", (HttpContext context) => fake!.HandleDeleteAsync(context));
            app.MapFallback((HttpContext context) =>
            {
                fake!.Violation($"unexpected {context.Request.Method} {context.Request.Path}");
                return Results.NotFound();
            });
        });
        fake = new FakeCleverTap(server, accountId, passcode);
        return fake;
    }

    /// <summary>Where to point <c>CleverTap__ApiBaseUrl</c>.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    public string AccountId { get; }

    public string Passcode { get; }

    /// <summary>How long after its arrival an upload is answered at the earliest (CleverTap's own processing time, the fake's included).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Requests in flight beyond this answer 429 at once, as CleverTap does (https://developer.clevertap.com/docs/api-request-limit).</summary>
    public int? MaxConcurrentRequests { get; set; }

    /// <summary>Scripted answer per upload; null (the default) processes normally.</summary>
    public Func<FakeUploadContext, FakeAnswer>? Respond { get; set; }

    /// <summary>Seeded random faults applied before <see cref="Respond"/>.</summary>
    public FakeCleverTapFaults? Faults { get; set; }

    /// <summary>Every record accepted, in arrival order (rejected records are not here).</summary>
    public IReadOnlyList<JsonObject> Accepted { get { lock (_lock) return [.. _accepted]; } }

    /// <summary>Records accepted so far: a cheap condition to wait on (<see cref="Accepted"/> copies the list).</summary>
    public int AcceptedCount { get { lock (_lock) return _accepted.Count; } }

    /// <summary>
    /// Every record accepted with the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the fake accepted
    /// it (after <see cref="Latency"/>), in arrival order: lets a benchmark in the same process time each record from
    /// its own clock to CleverTap.
    /// </summary>
    public IReadOnlyList<FakeArrival> Arrivals
    {
        get
        {
            lock (_lock)
                return [.. _accepted.Select((record, i) => new FakeArrival(record, _acceptedAt[i]))];
        }
    }

    /// <summary>Every upload request that reached the handler (including refused ones).</summary>
    public IReadOnlyList<FakeUpload> Uploads { get { lock (_lock) return [.. _uploads]; } }

    public IReadOnlyList<string> DeletedIdentities { get { lock (_lock) return [.. _deleted]; } }

    /// <summary>Ways the client broke the documented contract; a correct client leaves this empty.</summary>
    public IReadOnlyList<string> ContractViolations { get { lock (_lock) return [.. _violations]; } }

    public int MaxObservedConcurrency => Volatile.Read(ref _maxObservedConcurrency);

    public int Throttled => Volatile.Read(ref _throttled);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Waits (on a signal, not a sleep) until <paramref name="condition"/> holds; false on timeout.</summary>
    public async Task<bool> WaitUntilAsync(Func<FakeCleverTap, bool> condition, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
                changed = _changed.Task;
            if (condition(this))
                return true;
            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                return condition(this);
            }
        }
    }

    /// <summary>Forgets what was recorded (between phases of a test).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _accepted.Clear();
            _acceptedAt.Clear();
            _uploads.Clear();
            _deleted.Clear();
        }
    }

    private async Task HandleUploadAsync(HttpContext context)
    {
        var arrivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var uploadNumber = Interlocked.Increment(ref _requests);
        var concurrent = Interlocked.Increment(ref _inFlight);
        try
        {
            UpdateMax(concurrent);
            if (concurrent > MaxConcurrentRequests)
            {
                Interlocked.Increment(ref _throttled);
                Record(new FakeUpload(uploadNumber, 0, 429));
                await Answer(context, 429, new JsonObject { ["status"] = "fail", ["error"] = "Too many concurrent requests", ["code"] = 429 });
                return;
            }
            if (!Authorised(context.Request))
            {
                Record(new FakeUpload(uploadNumber, 0, 401));
                await Answer(context, 401, new JsonObject { ["status"] = "fail", ["error"] = "Invalid Credentials", ["code"] = 401 });
                return;
            }
            if (await ReadBodyAsync(context, "d") is not { } records)
            {
                Record(new FakeUpload(uploadNumber, 0, 400));
                await Answer(context, 400, new JsonObject { ["status"] = "fail", ["error"] = "Bad request", ["code"] = 400 });
                return;
            }
            if (records.Count > MaxRecordsPerUpload)
            {
                Violation($"upload of {records.Count} records (max {MaxRecordsPerUpload})");
                Record(new FakeUpload(uploadNumber, records.Count, 400));
                await Answer(context, 400, new JsonObject { ["status"] = "fail", ["error"] = "Too many records", ["code"] = 400 });
                return;
            }

            var objects = records.Select(node => node as JsonObject ?? new JsonObject()).ToList();
            var answer = Faults?.Next(objects.Count) ?? FakeAnswer.Process;
            if (answer == FakeAnswer.Process && Respond is { } respond)
                answer = respond(new FakeUploadContext(uploadNumber, objects));
            // Counted from the request's arrival: the fake's own parsing is part of CleverTap's processing time, not added to it.
            var wait = Latency + answer.Delay - System.Diagnostics.Stopwatch.GetElapsedTime(arrivedAt);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, context.RequestAborted);

            if (answer.Hang)
            {
                // A request CleverTap never answers: nothing is processed; the client must give up and retry.
                Record(new FakeUpload(uploadNumber, objects.Count, 0));
                await context.RequestAborted.WhenCancelledAsync();
                return;
            }
            if (answer.StatusCode is { } status)
            {
                Record(new FakeUpload(uploadNumber, objects.Count, status));
                await Answer(context, status, new JsonObject { ["status"] = "fail", ["error"] = $"Injected {status}", ["code"] = status });
                return;
            }

            var unprocessed = new JsonArray();
            var acceptedHere = new List<JsonObject>();
            for (var i = 0; i < objects.Count; i++)
            {
                var (code, error) = Validate(objects[i]);
                if (code is null && answer.Reject?.Invoke(objects[i]) == true)
                    (code, error) = (answer.RejectCode, "Rejected by the test script");
                if (code is null)
                {
                    acceptedHere.Add(objects[i]);
                    continue;
                }
                unprocessed.Add(new JsonObject
                {
                    ["status"] = "fail",
                    ["code"] = code,
                    ["error"] = $"{error}. Skipped record number : {i + 1}",
                    ["record"] = objects[i].DeepClone(),
                });
            }
            var acceptedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            lock (_lock)
            {
                _accepted.AddRange(acceptedHere);
                _acceptedAt.AddRange(Enumerable.Repeat(acceptedAt, acceptedHere.Count));
                _uploads.Add(new FakeUpload(uploadNumber, objects.Count, 200, acceptedHere.Count));
            }
            Signal();
            var bodyStatus = unprocessed.Count == 0 ? "success" : acceptedHere.Count == 0 ? "fail" : "partial";
            await Answer(context, 200, new JsonObject { ["status"] = bodyStatus, ["processed"] = acceptedHere.Count, ["unprocessed"] = unprocessed });
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its attempt timeout): nothing to answer.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task HandleDeleteAsync(HttpContext context)
    {
        if (!Authorised(context.Request))
        {
            await Answer(context, 401, new JsonObject { ["status"] = "fail", ["error"] = "Invalid Credentials", ["code"] = 401 });
            return;
        }
        if (await ReadBodyAsync(context, "identity") is not { } identities)
        {
            await Answer(context, 400, new JsonObject { ["status"] = "fail", ["error"] = "Bad request", ["code"] = 400 });
            return;
        }
        lock (_lock)
            _deleted.AddRange(identities.Select(node => node?.GetValue<string>() ?? ""));
        Signal();
        await Answer(context, 200, new JsonObject { ["status"] = "success" });
    }

    private bool Authorised(HttpRequest request)
    {
        var account = request.Headers["X-CleverTap-Account-Id"].ToString();
        var passcode = request.Headers["X-CleverTap-Passcode"].ToString();
        if (account.Length == 0 || passcode.Length == 0)
            Violation("request without both X-CleverTap-Account-Id and X-CleverTap-Passcode");
        return account == AccountId && passcode == Passcode;
    }

    private async Task<JsonArray?> ReadBodyAsync(HttpContext context, string arrayName)
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
            Violation($"content type '{context.Request.ContentType}' is not application/json");
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            Violation("body is not JSON");
            return null;
        }
        if (body is JsonObject root && root.Count == 1 && root[arrayName] is JsonArray array)
            return array;
        Violation($"body is not {{\"{arrayName}\":[…]}}");
        return null;
    }

    /// <summary>The per-record checks CleverTap documents, with its codes.</summary>
    internal static (int? Code, string? Error) Validate(JsonObject record)
    {
        var identifiers = new[] { "identity", "objectId", "FBID", "GPID" }.Count(record.ContainsKey);
        if (identifiers != 1)
            return (523, identifiers == 0 ? "Identity not found" : "More than one identifier");
        switch (record["type"]?.GetValue<string>())
        {
            case "event":
                if (record["evtName"] is not JsonValue name || string.IsNullOrEmpty(name.GetValue<string>()))
                    return (509, "Event name is mandatory");
                if (record["evtData"] is JsonNode evtData && FirstNested(evtData, allowItems: true, allowStringArrays: false) is { } field)
                    return (512, $"Event data is incorrect. 512 - Only Items can have a nested structure, incorrect nested structure for field : {field}");
                return (null, null);
            case "profile":
                if (record["profileData"] is JsonNode profileData && FirstNested(profileData, allowItems: false, allowStringArrays: true) is { } key)
                    return (512, $"Profile data is incorrect, nested structure for field : {key}");
                return (null, null);
            case "token":
                if (!record.ContainsKey("objectId"))
                    return (530, "Invalid objectId");
                if (record["tokenData"] is not JsonObject token || token["id"] is null)
                    return (532, "Token id missing");
                if (token["type"] is null)
                    return (533, "Token type missing");
                return (null, null);
            default:
                return (524, "Record is neither event nor profile");
        }
    }

    private static string? FirstNested(JsonNode data, bool allowItems, bool allowStringArrays)
    {
        if (data is not JsonObject properties)
            return "(root)";
        foreach (var (key, value) in properties)
        {
            switch (value)
            {
                case JsonObject:
                    return key;
                case JsonArray items when allowItems && key == "Items":
                    if (items.Any(item => item is not JsonObject obj || obj.Any(pair => pair.Value is JsonObject or JsonArray)))
                        return key;
                    break;
                case JsonArray values when allowStringArrays:
                    if (values.Any(item => item is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                        return key;
                    break;
                case JsonArray:
                    return key;
            }
        }
        return null;
    }

    private static async Task Answer(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private void Record(FakeUpload upload)
    {
        lock (_lock)
            _uploads.Add(upload);
        Signal();
    }

    private void Violation(string violation)
    {
        lock (_lock)
            _violations.Add(violation);
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    private void UpdateMax(int concurrent)
    {
        var seen = Volatile.Read(ref _maxObservedConcurrency);
        while (concurrent > seen)
        {
            var previous = Interlocked.CompareExchange(ref _maxObservedConcurrency, concurrent, seen);
            if (previous == seen)
                break;
            seen = previous;
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>One upload request as the fake saw it. <see cref="Status"/> 0 means it was never answered (a hang).</summary>
public sealed record FakeUpload(int Number, int Records, int Status, int Accepted = 0);

/// <summary>An accepted record and the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the fake accepted it.</summary>
public sealed record FakeArrival(JsonObject Record, long AcceptedAt);

/// <summary>What a scripted answer gets to look at.</summary>
public sealed record FakeUploadContext(int UploadNumber, IReadOnlyList<JsonObject> Records);

/// <summary>A scripted answer: process (optionally rejecting some records), a whole-request status, a hang, and extra delay.</summary>
public sealed record FakeAnswer
{
    public static FakeAnswer Process { get; } = new();

    public static FakeAnswer Hangs { get; } = new() { Hang = true };

    public int? StatusCode { get; init; }

    public bool Hang { get; init; }

    public TimeSpan Delay { get; init; }

    /// <summary>Records for which this returns true come back in <c>unprocessed</c> with <see cref="RejectCode"/>.</summary>
    public Func<JsonObject, bool>? Reject { get; init; }

    /// <summary>509–535 are validation failures; 555 is CleverTap's retryable "miscellaneous server error".</summary>
    public int RejectCode { get; init; } = 509;

    public static FakeAnswer Status(int statusCode) => new() { StatusCode = statusCode };

    public static FakeAnswer Rejecting(Func<JsonObject, bool> reject, int code = 509) => new() { Reject = reject, RejectCode = code };

    public static FakeAnswer Slow(TimeSpan delay) => new() { Delay = delay };
}

/// <summary>Seeded random faults for fault runs: each upload draws one of 429, 500, a hang, a partial (555) or a normal answer.</summary>
public sealed class FakeCleverTapFaults(int seed, double throttle, double serverError, double hang, double partial)
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int Injected { get; private set; }

    public FakeAnswer? Next(int records)
    {
        double draw;
        int recordSeed;
        lock (_lock)
        {
            draw = _random.NextDouble();
            recordSeed = _random.Next();
        }
        FakeAnswer? answer = draw switch
        {
            _ when draw < throttle => FakeAnswer.Status(429),
            _ when draw < throttle + serverError => FakeAnswer.Status(500),
            _ when draw < throttle + serverError + hang => FakeAnswer.Hangs,
            _ when draw < throttle + serverError + hang + partial => PartialOf(recordSeed),
            _ => null,
        };
        if (answer is not null)
        {
            lock (_lock)
                Injected++;
        }
        return answer;
    }

    /// <summary>About a third of the records come back unprocessed with the retryable code 555.</summary>
    private static FakeAnswer PartialOf(int seed)
    {
        var random = new Random(seed);
        var gate = new Lock();
        return FakeAnswer.Rejecting(_ =>
        {
            lock (gate)
                return random.Next(3) == 0;
        }, 555);
    }
}
