using System.Text.Json.Nodes;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.CleverTap;

public sealed class CleverTapClientTests : IAsyncLifetime
{
    private FakeCleverTap _fake = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeCleverTap.StartAsync();
        _services = new ServiceCollection().AddLogging().AddCleverTapClient().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private CleverTapAccount Account(string? passcode = null) =>
        new("default", _fake.AccountId, passcode ?? _fake.Passcode, _fake.BaseAddress, 3, TimeZoneInfo.Utc);

    private CleverTapClient Client => _services.GetRequiredService<CleverTapClient>();

    private static DateTimeOffset Deadline => DateTimeOffset.UtcNow.AddSeconds(10);

    internal static UploadRecord Event(string identity, string name = "Product Viewed") => new()
    {
        Type = UploadRecordType.Event,
        Identity = identity,
        EventName = name,
        Timestamp = 1_700_000_000,
        Data = new JsonObject { ["price"] = 9.5 },
    };

    [Fact]
    public async Task Upload_sends_the_documented_request_and_reads_success()
    {
        var results = await Client.UploadAsync(Account(), [Event("u1"), Event("u2")], Deadline, CancellationToken.None);

        Assert.All(results, result => Assert.Equal(RecordOutcome.Delivered, result.Outcome));
        Assert.Equal(["u1", "u2"], _fake.Accepted.Select(record => record["identity"]!.GetValue<string>()));
        Assert.Empty(_fake.ContractViolations);
    }

    [Fact]
    public async Task Partial_answer_is_mapped_back_to_each_record()
    {
        _fake.Respond = _ => FakeAnswer.Rejecting(record => record["identity"]!.GetValue<string>() == "bad");

        var results = await Client.UploadAsync(Account(), [Event("u1"), Event("bad"), Event("u3")], Deadline, CancellationToken.None);

        Assert.Equal([RecordOutcome.Delivered, RecordOutcome.Rejected, RecordOutcome.Delivered], results.Select(result => result.Outcome));
        Assert.Equal(509, results[1].Code);
    }

    [Fact]
    public async Task Wrong_passcode_is_transient_so_Segment_keeps_the_events()
    {
        var results = await Client.UploadAsync(Account(passcode: "wrong"), [Event("u1")], Deadline, CancellationToken.None);

        Assert.Equal(RecordOutcome.Unavailable, results[0].Outcome);
        Assert.Single(_fake.Uploads); // a 401 is not retried
    }

    [Fact]
    public async Task Server_errors_are_retried_until_delivered()
    {
        _fake.Respond = context => context.UploadNumber <= 2 ? FakeAnswer.Status(500) : FakeAnswer.Process;

        var results = await Client.UploadAsync(Account(), [Event("u1")], Deadline, CancellationToken.None);

        Assert.Equal(RecordOutcome.Delivered, results[0].Outcome);
        Assert.Equal(3, _fake.Uploads.Count);
        Assert.Single(_fake.Accepted);
    }

    [Fact]
    public async Task Throttling_until_the_deadline_leaves_the_record_transient_and_undelivered()
    {
        _fake.Respond = _ => FakeAnswer.Status(429);

        var results = await Client.UploadAsync(Account(), [Event("u1")], DateTimeOffset.UtcNow.AddSeconds(1), CancellationToken.None);

        // Throttled when the last 429 arrived in time; Unavailable when the deadline cut the last attempt short
        // (a loaded machine). Both make Segment retry, which is the contract.
        Assert.True(results[0].IsTransient, $"expected a transient outcome, got {results[0].Outcome}");
        Assert.NotEmpty(_fake.Uploads);
        Assert.Empty(_fake.Accepted);
    }

    [Fact]
    public async Task A_request_that_never_answers_times_out_and_is_retried()
    {
        _fake.Respond = context => context.UploadNumber == 1 ? FakeAnswer.Hangs : FakeAnswer.Process;

        var results = await Client.UploadAsync(Account(), [Event("u1")], Deadline, CancellationToken.None);

        Assert.Equal(RecordOutcome.Delivered, results[0].Outcome);
        Assert.Single(_fake.Accepted);
    }

    [Fact]
    public async Task Delete_posts_the_identities()
    {
        var result = await Client.DeleteProfilesAsync(Account(), ["u1", "u2"], Deadline, CancellationToken.None);

        Assert.Equal(RecordOutcome.Delivered, result.Outcome);
        Assert.Equal(["u1", "u2"], _fake.DeletedIdentities);
    }

    [Fact]
    public void Preview_masks_the_passcode()
    {
        var preview = CleverTapClient.PreviewUpload(Account(), [Event("u1")]);

        Assert.Equal("POST", preview.Method);
        Assert.EndsWith("/1/upload", preview.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Passcode, preview.Headers["X-CleverTap-Passcode"], StringComparison.Ordinal);
        Assert.Equal(_fake.AccountId, preview.Headers["X-CleverTap-Account-Id"]);
        Assert.Equal("u1", preview.Body!["d"]![0]!["identity"]!.GetValue<string>());
    }
}
