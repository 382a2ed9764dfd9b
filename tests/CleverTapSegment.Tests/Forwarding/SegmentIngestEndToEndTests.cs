using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.DevHost;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleverTapSegment.Tests.Forwarding;

/// <summary>The SegmentIngest function on the worker under the dev host, with Azurite and a fake CleverTap.</summary>
[Collection("Azurite")]
public sealed class SegmentIngestEndToEndTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private FakeCleverTap _cleverTap = null!;

    public async Task InitializeAsync() => _cleverTap = await FakeCleverTap.StartAsync();

    public async Task DisposeAsync() => await _cleverTap.DisposeAsync();

    private Task<WorkerApp> StartAppAsync(Dictionary<string, string?>? extra = null, LogCapture? logs = null)
    {
        var options = new WorkerAppOptions
        {
            OnWorkerLog = logs is null ? null : logs.Add,
            Settings =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = _cleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = _cleverTap.AccountId,
                ["CleverTap__Passcode"] = _cleverTap.Passcode,
            },
        };
        foreach (var (key, value) in extra ?? [])
            options.Settings[key] = value;
        return WorkerApp.StartAsync(options);
    }

    /// <summary>A track event with a unique user, so each event is one identifiable CleverTap record.</summary>
    internal static JsonObject Track(string user, string? messageId = null) => new()
    {
        ["type"] = "track",
        ["event"] = "Song Played",
        ["userId"] = user,
        ["messageId"] = messageId ?? $"{user}-{Guid.NewGuid():N}",
        ["timestamp"] = "2026-11-22T04:00:00.000Z",
        ["properties"] = new JsonObject { ["title"] = "Blue", ["plays"] = 3 },
    };

    private static JsonArray Batch(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode)Track($"{prefix}-{i}"))];

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(WorkerApp app, string path, JsonNode body, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        if (signature is not null)
            request.Headers.TryAddWithoutValidation("X-Signature", signature);
        using var response = await app.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!);
    }

    private List<string> AcceptedIdentities() => _cleverTap.Accepted.Select(record => record["identity"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Single_track_event_is_delivered()
    {
        await using var app = await StartAppAsync();

        var (status, body) = await PostAsync(app, "api/segment", Track("single-1"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("delivered", body["status"]!.GetValue<string>());
        var record = Assert.Single(_cleverTap.Accepted);
        Assert.Equal(("event", "Song Played", "single-1"), (record["type"]!.GetValue<string>(), record["evtName"]!.GetValue<string>(), record["identity"]!.GetValue<string>()));
        Assert.Empty(_cleverTap.ContractViolations);
    }

    [Fact]
    public async Task Ingest_stats_show_the_accounts_events_of_the_last_day_and_its_last_upload()
    {
        await using var app = await StartAppAsync();
        // The Azurite account is shared with the other ingest tests, whose apps wrote their own counts: compare before and after.
        var (before, _) = await ReadStatsAsync(app);

        await PostAsync(app, "api/segment", Batch("stats", 3));
        await PostAsync(app, "api/segment", new JsonObject { ["type"] = "track", ["event"] = "Anonymous" });
        var (after, text) = await ReadStatsAsync(app);

        Assert.Equal("default", after["account"]!.GetValue<string>());
        static long Count(JsonNode account, string name) => name == "rejected" ? account["rejected"]!["total"]!.GetValue<long>() : account[name]!.GetValue<long>();
        Assert.Equal((4, 3, 1), (Count(after, "received") - Count(before, "received"), Count(after, "delivered") - Count(before, "delivered"),
            Count(after, "rejected") - Count(before, "rejected")));
        Assert.NotNull(after["lastSuccessfulUploadAt"]);
        Assert.DoesNotContain(_cleverTap.Passcode, text, StringComparison.Ordinal);
    }

    private static async Task<(JsonNode DefaultAccount, string Text)> ReadStatsAsync(WorkerApp app)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ingest/stats");
        request.Headers.Add("x-functions-key", "local-admin-key");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return (JsonNode.Parse(text)!["accounts"]![0]!, text);
    }

    [Fact]
    public async Task Array_of_2500_events_goes_out_as_three_uploads()
    {
        await using var app = await StartAppAsync();

        var (status, body) = await PostAsync(app, "api/segment", Batch("bulk", 2500));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2500, body["delivered"]!.GetValue<int>());
        Assert.Equal([500, 1000, 1000], _cleverTap.Uploads.Select(upload => upload.Records).Order());
        Assert.Equal(2500, AcceptedIdentities().Distinct().Count());
        Assert.Empty(_cleverTap.ContractViolations);
    }

    [Fact]
    public async Task Batch_envelope_is_accepted_with_per_event_results()
    {
        await using var app = await StartAppAsync();

        var (status, body) = await PostAsync(app, "api/segment", new JsonObject { ["batch"] = Batch("envelope", 3) });

        Assert.Equal(HttpStatusCode.OK, status);
        var results = body["results"]!.AsArray();
        Assert.Equal(3, results.Count);
        Assert.All(results, result => Assert.Equal("delivered", result!["status"]!.GetValue<string>()));
        Assert.Equal(3, _cleverTap.Accepted.Count);
    }

    [Fact]
    public async Task Signed_request_is_accepted_and_unsigned_or_wrong_ones_are_refused()
    {
        await using var app = await StartAppAsync(new() { ["Ingest__SharedSecrets__0"] = "old-secret", ["Ingest__SharedSecrets__1"] = "abc123" });
        var batch = Batch("signed", 2);
        var firstElement = Encoding.UTF8.GetBytes(batch[0]!.ToJsonString());
        var signature = Convert.ToHexStringLower(HMACSHA1.HashData("abc123"u8, firstElement));

        var (unsigned, _) = await PostAsync(app, "api/segment", batch);
        var (wrong, wrongBody) = await PostAsync(app, "api/segment", batch, signature: new string('0', 40));
        Assert.Empty(_cleverTap.Accepted);
        var (signed, _) = await PostAsync(app, "api/segment", batch, signature);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (unsigned, wrong, signed));
        Assert.NotNull(wrongBody["message"]);
        Assert.Equal(2, _cleverTap.Accepted.Count);
    }

    [Fact]
    public async Task Segment_retry_of_a_partly_failed_batch_resends_only_the_undelivered_events()
    {
        await using var app = await StartAppAsync();
        // The first upload loses two records to CleverTap's retryable code 555; everything after goes through.
        _cleverTap.Respond = context => context.UploadNumber == 1
            ? FakeAnswer.Rejecting(record => record["identity"]!.GetValue<string>() is "retry-3" or "retry-7", code: 555)
            : FakeAnswer.Process;
        var batch = Batch("retry", 10);

        var (first, firstBody) = await PostAsync(app, "api/segment", batch);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal(2, firstBody["failed"]!.GetValue<int>());
        Assert.Equal(8, _cleverTap.Accepted.Count);

        var (second, _) = await PostAsync(app, "api/segment", batch);

        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(2, _cleverTap.Uploads[^1].Records);
        var identities = AcceptedIdentities();
        Assert.Equal(10, identities.Count);
        Assert.Equal(10, identities.Distinct().Count());
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_deadline_is_answered_429_never_200()
    {
        await using var app = await StartAppAsync(new() { ["Ingest__DeadlineSeconds"] = "1.5" });
        // A fresh worker process's first upload (the slots table, the first connection) can take longer than the
        // deadline on a busy machine, and a record without any answer counts as unavailable (503): deliver one first.
        var (first, _) = await PostAsync(app, "api/segment", Track("before-the-storm"));
        Assert.Equal(HttpStatusCode.OK, first);
        _cleverTap.Respond = _ => FakeAnswer.Status(429);

        var (status, body) = await PostAsync(app, "api/segment", Batch("storm", 5));

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(5, body["failed"]!.GetValue<int>());
        Assert.Equal(["before-the-storm"], AcceptedIdentities());
    }

    [Fact]
    public async Task A_429_storm_ends_in_delivery_or_a_retryable_answer_for_every_request()
    {
        await using var app = await StartAppAsync(new() { ["CleverTap__MaxConcurrentUploads"] = "6" });
        _cleverTap.MaxConcurrentRequests = 1; // most uploads are refused with 429
        // Long enough that uploads overlap at the fake even on a loaded machine (its latency counts from arrival).
        _cleverTap.Latency = TimeSpan.FromMilliseconds(200);

        // 1,200 records: more than one upload holds, so at least two uploads are in flight at once, whatever the timing.
        var requests = Enumerable.Range(0, 24).Select(async sender =>
        {
            var batch = Batch($"storm{sender}", 50);
            var (status, _) = await PostAsync(app, "api/segment", batch);
            return (Status: status, Users: batch.Select(e => e!["userId"]!.GetValue<string>()).ToList());
        }).ToList();
        var answers = await Task.WhenAll(requests).WaitAsync(Patience);

        Assert.True(_cleverTap.Throttled > 0);
        var accepted = AcceptedIdentities().ToHashSet();
        foreach (var (status, users) in answers)
        {
            Assert.Contains(status, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable });
            if (status == HttpStatusCode.OK)
                Assert.All(users, user => Assert.Contains(user, accepted)); // a 200 is never given for an undelivered event
        }
    }

    [Fact]
    public async Task Dry_run_shows_the_requests_with_the_passcode_masked_and_sends_nothing()
    {
        await using var app = await StartAppAsync();

        var (status, body) = await PostAsync(app, "api/segment?dryRun=true", Batch("dry", 2));

        Assert.Equal(HttpStatusCode.OK, status);
        var request = Assert.Single(body["requests"]!.AsArray())!;
        Assert.Equal("POST", request["method"]!.GetValue<string>());
        Assert.Equal(new Uri(_cleverTap.BaseAddress, "1/upload").AbsoluteUri, request["url"]!.GetValue<string>());
        Assert.DoesNotContain(_cleverTap.Passcode, request["headers"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, request["body"]!["d"]!.AsArray().Count);
        Assert.Equal(2, body["results"]!.AsArray().Count);
        Assert.Equal(0, _cleverTap.Requests);
    }

    [Fact]
    public async Task Preview_needs_the_management_key_not_Segments_credentials_and_sends_nothing()
    {
        await using var app = await StartAppAsync(new()
        {
            ["Ingest__BasicAuthUsername"] = "segment",
            ["Ingest__BasicAuthPassword"] = "s3cret",
            ["Admin__ApiKey"] = "preview-admin-key",
        });

        var (withoutKey, _) = await PostAsync(app, "api/ingest/preview", Batch("preview", 2));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/ingest/preview") { Content = Json(Batch("preview", 2)) };
        request.Headers.Add("x-functions-key", "preview-admin-key");
        using var withKey = await app.Client.SendAsync(request);
        var body = JsonNode.Parse(await withKey.Content.ReadAsStringAsync())!;

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (withoutKey, withKey.StatusCode));
        var upload = Assert.Single(body["requests"]!.AsArray())!;
        Assert.DoesNotContain(_cleverTap.Passcode, upload["headers"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, upload["body"]!["d"]!.AsArray().Count);
        Assert.Equal(0, _cleverTap.Requests);
    }

    [Fact]
    public async Task Unknown_connection_is_404_and_a_named_connection_delivers()
    {
        await using var app = await StartAppAsync(new() { ["CleverTap__Connections__second__AccountId"] = _cleverTap.AccountId });

        var (unknown, body) = await PostAsync(app, "api/segment/nope", Track("conn-1"));
        var (named, _) = await PostAsync(app, "api/segment/second", Track("conn-2"));

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains("nope", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, named);
        Assert.Equal(["conn-2"], AcceptedIdentities());
    }

    [Fact]
    public async Task Malformed_unsupported_and_oversized_requests_get_their_own_status()
    {
        await using var app = await StartAppAsync(new() { ["Ingest__MaxBodyBytes"] = "2048" });

        using var malformed = await app.Client.PostAsync("api/segment", new StringContent("{not json", Encoding.UTF8, "application/json"));
        var (unsupported, _) = await PostAsync(app, "api/segment", new JsonObject { ["type"] = "bogus", ["userId"] = "u", ["messageId"] = "m" });
        var big = Track("big");
        big["properties"]!["padding"] = new string('x', 4096);
        var (oversized, _) = await PostAsync(app, "api/segment", big);

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.NotNull(JsonNode.Parse(await malformed.Content.ReadAsStringAsync())!["message"]);
        Assert.Equal(HttpStatusCode.NotImplemented, unsupported);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized);
        Assert.Equal(0, _cleverTap.Requests);
    }

    [Fact]
    public async Task Delete_event_deletes_the_profile()
    {
        await using var app = await StartAppAsync();

        var (status, _) = await PostAsync(app, "api/segment", new JsonObject { ["type"] = "delete", ["userId"] = "gone-1", ["messageId"] = "del-1" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["gone-1"], _cleverTap.DeletedIdentities);
    }

    [Fact]
    public async Task Basic_auth_when_configured_is_required()
    {
        await using var app = await StartAppAsync(new() { ["Ingest__BasicAuthUsername"] = "segment", ["Ingest__BasicAuthPassword"] = "s3cret" });

        var (without, _) = await PostAsync(app, "api/segment", Track("basic-1"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/segment") { Content = Json(Track("basic-2")) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("segment:s3cret"u8));
        using var with = await app.Client.SendAsync(request);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (without, with.StatusCode));
        Assert.Equal(["basic-2"], AcceptedIdentities());
    }

    [Fact]
    public async Task Events_with_text_that_is_not_unicode_are_rejected_with_a_reason_and_no_stack_trace_is_logged()
    {
        var logs = new LogCapture();
        await using var app = await StartAppAsync(logs: logs);
        // 188 events whose title holds the byte 0xFF (never UTF-8), then one good event.
        var good = Track("text-good");
        var badEvent = Encoding.UTF8.GetBytes(Track("text-bad", "bad-message").ToJsonString().Replace("Blue", "Bl~e", StringComparison.Ordinal));
        badEvent[Array.IndexOf(badEvent, (byte)'~')] = 0xFF;
        var body = new List<byte>("["u8.ToArray());
        for (var i = 0; i < 188; i++)
            body.AddRange([.. badEvent, (byte)',']);
        body.AddRange(Encoding.UTF8.GetBytes(good.ToJsonString() + "]"));

        var (status, answer) = await PostBytesAsync(app, "api/segment", [.. body]);

        Assert.Equal(HttpStatusCode.OK, status);
        var results = answer["results"]!.AsArray();
        Assert.Equal(188, answer["rejected"]!.GetValue<int>());
        Assert.All(results.Take(188), result =>
        {
            Assert.Equal("rejected", result!["status"]!.GetValue<string>());
            Assert.Equal("invalid UTF-8 in a string value at 'properties.title'", result["reason"]!.GetValue<string>());
            Assert.Equal("bad-message", result["messageId"]!.GetValue<string>());
        });
        Assert.Equal("delivered", results[188]!["status"]!.GetValue<string>());
        Assert.Equal(["text-good"], AcceptedIdentities());
        Assert.DoesNotContain(logs.Entries, LogCapture.IsProblem);
    }

    [Fact]
    public async Task Dry_run_of_an_event_with_an_unpaired_surrogate_gives_the_reason_not_an_internal_error()
    {
        var logs = new LogCapture();
        await using var app = await StartAppAsync(logs: logs);
        var body = Encoding.UTF8.GetBytes("""{"type":"track","event":"Played","userId":"u-1","properties":{"title":"a\ud800b"}}""");

        var (status, answer) = await PostBytesAsync(app, "api/segment?dryRun=true", body);

        Assert.Equal(HttpStatusCode.OK, status);
        var result = Assert.Single(answer["results"]!.AsArray())!;
        Assert.Equal("rejected", result["status"]!.GetValue<string>());
        Assert.Equal("an unpaired UTF-16 surrogate (\\ud800) in a string value at 'properties.title'", result["reason"]!.GetValue<string>());
        Assert.Empty(answer["requests"]!.AsArray());
        Assert.DoesNotContain(logs.Entries, LogCapture.IsProblem);
    }

    [Fact]
    public async Task A_single_event_with_an_unpaired_surrogate_in_a_top_level_key_is_a_400_with_the_reason()
    {
        await using var app = await StartAppAsync();
        var body = Encoding.UTF8.GetBytes("""{"\udfff":1,"type":"track","event":"Played","userId":"u-1","messageId":"m-1"}""");

        var (status, answer) = await PostBytesAsync(app, "api/segment", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Rejected: an unpaired UTF-16 surrogate (\\udfff) in a key", answer["message"]!.GetValue<string>());
        Assert.Equal(0, _cleverTap.Requests);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostBytesAsync(WorkerApp app, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await app.Client.PostAsync(path, content);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>Every log entry the worker writes (they reach the dev host as rpc_log messages), for assertions about what is (not) logged.</summary>
    internal sealed class LogCapture
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<WorkerLogEntry> _entries = new();

        public IReadOnlyCollection<WorkerLogEntry> Entries => _entries;

        public void Add(WorkerLogEntry entry) => _entries.Enqueue(entry);

        /// <summary>
        /// A stack trace anywhere, or a warning or error of the ingest path. Other features' background warnings (the
        /// export scheduler sweeping exports other tests left in the shared Azurite) are not what these tests are about.
        /// </summary>
        public static bool IsProblem(WorkerLogEntry entry) =>
            entry.Exception is not null || (entry.Level >= LogLevel.Warning && entry.Category.StartsWith("CleverTapSegment.Forwarding", StringComparison.Ordinal));
    }
}
