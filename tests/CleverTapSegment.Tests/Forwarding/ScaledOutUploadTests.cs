using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Forwarding;

/// <summary>
/// Two instances of the app (as after a scale-out) share one storage account and one CleverTap account whose
/// concurrency ceiling is 3: together they must stay under it. https://developer.clevertap.com/docs/api-request-limit
/// </summary>
[Collection("Azurite")]
public sealed class ScaledOutUploadTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const int CleverTapCeiling = 3;
    private const int RequestsPerInstance = 12;
    private const int EventsPerRequest = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private FakeCleverTap _cleverTap = null!;

    public async Task InitializeAsync() => _cleverTap = await FakeCleverTap.StartAsync();

    public async Task DisposeAsync() => await _cleverTap.DisposeAsync();

    private Task<WorkerApp> StartInstanceAsync() => WorkerApp.StartAsync(new WorkerAppOptions
    {
        Settings =
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["CleverTap__ApiBaseUrl"] = _cleverTap.BaseAddress.ToString(),
            ["CleverTap__AccountId"] = _cleverTap.AccountId,
            ["CleverTap__Passcode"] = _cleverTap.Passcode,
            ["CleverTap__MaxConcurrentUploads"] = CleverTapCeiling.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One upload per request, so each instance alone fills its 3 local slots and two together would make 6.
            ["Ingest__Coalesce"] = "false",
            // Generous: this test is about the ceiling, not about how fast a loaded test machine answers.
            ["Ingest__DeadlineSeconds"] = "30",
        },
    });

    [Fact]
    public async Task Two_instances_under_concurrent_load_never_exceed_the_accounts_ceiling()
    {
        await using var first = await StartInstanceAsync();
        await using var second = await StartInstanceAsync();
        _cleverTap.MaxConcurrentRequests = CleverTapCeiling;
        // Each upload stays in flight long enough for the instances' uploads to overlap.
        _cleverTap.Latency = TimeSpan.FromMilliseconds(100);

        var requests = new[] { first, second }
            .SelectMany((app, instance) => Enumerable.Range(0, RequestsPerInstance).Select(n => SendAsync(app, $"scaled{instance}-{n}")))
            .ToList();
        var answers = await Task.WhenAll(requests).WaitAsync(Patience);

        Assert.Equal(0, _cleverTap.Throttled);
        Assert.InRange(_cleverTap.MaxObservedConcurrency, 1, CleverTapCeiling);
        var accepted = _cleverTap.Accepted.Select(record => record["identity"]!.GetValue<string>()).ToHashSet();
        Assert.All(answers, answer =>
        {
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.All(answer.Users, user => Assert.Contains(user, accepted));
        });
        Assert.Empty(_cleverTap.ContractViolations);
    }

    private static async Task<(HttpStatusCode Status, List<string> Users)> SendAsync(WorkerApp app, string prefix)
    {
        var users = Enumerable.Range(0, EventsPerRequest).Select(i => $"{prefix}-{i}").ToList();
        JsonArray batch = [.. users.Select(user => (JsonNode)SegmentIngestEndToEndTests.Track(user))];
        using var content = new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await app.Client.PostAsync("api/segment", content);
        return (response.StatusCode, users);
    }
}
