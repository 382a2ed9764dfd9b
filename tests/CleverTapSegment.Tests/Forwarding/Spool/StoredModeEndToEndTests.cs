using System.Net;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Forwarding.Spool;

/// <summary><c>Ingest__Acknowledge=stored</c> through the dev host: accepted once spooled, delivered by <c>SpoolDelivery</c>.</summary>
[Collection("Azurite")]
public sealed class StoredModeEndToEndTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private FakeCleverTap _cleverTap = null!;

    public async Task InitializeAsync()
    {
        await SpoolTestKit.ClearSpoolAsync(azurite);
        _cleverTap = await FakeCleverTap.StartAsync();
    }

    public async Task DisposeAsync() => await _cleverTap.DisposeAsync();

    [Fact]
    public async Task Concurrent_single_events_are_accepted_then_delivered_once()
    {
        await using var app = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, _cleverTap));
        var run = $"single-{Guid.NewGuid():N}"[..15];

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            SpoolTestKit.PostAsync(app.Client, "api/segment", SegmentIngestEndToEndTests.Track($"{run}-{i}"))));

        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.OK, "accepted"), (answer.Status, answer.Body["status"]!.GetValue<string>())));
        Assert.True(await SpoolTestKit.AllDeliveredAsync(_cleverTap, run, 40, Patience));
        Assert.All(SpoolTestKit.Delivered(_cleverTap, run).Values, count => Assert.Equal(1, count));
        Assert.Empty(_cleverTap.ContractViolations);
    }

    [Fact]
    public async Task A_2500_event_array_is_accepted_then_delivered_in_full_uploads()
    {
        await using var app = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, _cleverTap));
        var run = $"array-{Guid.NewGuid():N}"[..14];

        var (status, body) = await SpoolTestKit.PostAsync(app.Client, "api/segment", SpoolTestKit.Batch(run, 2500));

        Assert.Equal((HttpStatusCode.OK, 2500), (status, body["accepted"]!.GetValue<int>()));
        Assert.All(body["results"]!.AsArray(), result => Assert.Equal("accepted", result!["status"]!.GetValue<string>()));
        Assert.True(await SpoolTestKit.AllDeliveredAsync(_cleverTap, run, 2500, Patience));
        Assert.All(SpoolTestKit.Delivered(_cleverTap, run).Values, count => Assert.Equal(1, count));
        Assert.Empty(_cleverTap.ContractViolations);
    }

    [Fact]
    public async Task A_batch_over_64_KB_goes_through_a_claim_check_blob_that_is_removed_once_delivered()
    {
        _cleverTap.Respond = _ => FakeAnswer.Status(503);
        await using var app = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, _cleverTap));
        var run = $"blob-{Guid.NewGuid():N}"[..13];
        var batch = SpoolTestKit.Batch(run, 600);
        Assert.True(batch.ToJsonString().Length > 64 * 1024);

        var (status, _) = await SpoolTestKit.PostAsync(app.Client, "api/segment", batch);
        var container = SpoolTestKit.ClaimChecks(azurite);
        var blobsWhileUndelivered = await container.GetBlobsAsync().CountAsync();
        // CleverTap refuses, so the records wait in the spool: in a blob, since they do not fit a queue message.
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(blobsWhileUndelivered >= 1);

        _cleverTap.Respond = null;
        Assert.True(await SpoolTestKit.AllDeliveredAsync(_cleverTap, run, 600, Patience));
        await app.Monitor.WaitForIdleAsync("ingest-spool", new CancellationTokenSource(Patience).Token);
        Assert.Equal(0, await container.GetBlobsAsync().CountAsync());
        Assert.All(SpoolTestKit.Delivered(_cleverTap, run).Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Events_that_cannot_be_mapped_are_rejected_in_the_answer_and_never_spooled()
    {
        await using var app = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, _cleverTap));
        var run = $"reject-{Guid.NewGuid():N}"[..15];
        var anonymous = new JsonObject { ["type"] = "track", ["event"] = "Anonymous" };

        var (batchStatus, batchBody) = await SpoolTestKit.PostAsync(app.Client, "api/segment",
            new JsonArray(SegmentIngestEndToEndTests.Track($"{run}-ok"), anonymous.DeepClone()));
        var (singleStatus, singleBody) = await SpoolTestKit.PostAsync(app.Client, "api/segment", anonymous);

        Assert.Equal(HttpStatusCode.OK, batchStatus);
        Assert.Equal(["accepted", "rejected"], batchBody["results"]!.AsArray().Select(result => result!["status"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "rejected"), (singleStatus, singleBody["status"]!.GetValue<string>()));
        Assert.True(await SpoolTestKit.AllDeliveredAsync(_cleverTap, run, 1, Patience));
    }

    [Fact]
    public async Task Spool_status_and_replay_are_management_routes()
    {
        await using var app = await WorkerApp.StartAsync(SpoolTestKit.StoredMode(azurite, _cleverTap));

        using var anonymous = await app.Client.GetAsync("api/ingest/spool");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ingest/spool");
        request.Headers.Add("x-functions-key", SpoolTestKit.AdminKey);
        using var signedIn = await app.Client.SendAsync(request);
        // With the key's session but neither key nor the dashboard's header, a state-changing call is refused.
        using var crossSite = await app.Client.PostAsync("api/ingest/deadletters/replay", null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var body = JsonNode.Parse(await signedIn.Content.ReadAsStringAsync())!;
        Assert.Equal("stored", body["acknowledge"]!.GetValue<string>());
        Assert.NotNull(body["depth"]);
        Assert.NotNull(body["deadLetters"]);
        Assert.Equal(HttpStatusCode.Unauthorized, crossSite.StatusCode);
    }
}
