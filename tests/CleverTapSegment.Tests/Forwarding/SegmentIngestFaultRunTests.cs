using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;
using Xunit.Abstractions;

namespace CleverTapSegment.Tests.Forwarding;

/// <summary>
/// A bounded fault run: CleverTap fails at random (seeded: 429, 500, hangs, retryable partials) and a client
/// retries like Segment (5xx/429/timeouts, backoff, bounded attempts). Every event must be delivered at least
/// once, none twice, and none acknowledged with a 2xx yet lost.
/// </summary>
[Collection("Azurite")]
public sealed class SegmentIngestFaultRunTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Senders = 8;
    private const int RequestsPerSender = 12;
    private const int MaxAttempts = 20;

    [Fact]
    public async Task Random_CleverTap_faults_lose_nothing_and_duplicate_nothing()
    {
        await using var cleverTap = await FakeCleverTap.StartAsync();
        cleverTap.Latency = TimeSpan.FromMilliseconds(20);
        cleverTap.MaxConcurrentRequests = 3;
        cleverTap.Faults = new FakeCleverTapFaults(seed: 20261122, throttle: 0.15, serverError: 0.10, hang: 0.05, partial: 0.15);
        var app = await WorkerApp.StartAsync(new WorkerAppOptions
        {
            Settings =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = cleverTap.AccountId,
                ["CleverTap__Passcode"] = cleverTap.Passcode,
            },
        });
        // Segment gives a webhook about 5 s before it counts a timeout and retries.
        using var segment = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };

        var run = Guid.NewGuid().ToString("N")[..8];
        var requests = Enumerable.Range(0, Senders * RequestsPerSender)
            .Select(n => n % 3 == 0
                ? new JsonArray([.. Enumerable.Range(0, 25).Select(i => (JsonNode)SegmentIngestEndToEndTests.Track($"fault-{run}-{n}-{i}"))])
                : (JsonNode)SegmentIngestEndToEndTests.Track($"fault-{run}-{n}"))
            .ToList();
        var allUsers = requests.SelectMany(Users).ToList();
        var acknowledged = new ConcurrentBag<string>();
        var answers = new ConcurrentDictionary<string, int>();
        var gaveUp = 0;

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(async sender =>
            {
                for (var n = sender; n < requests.Count; n += Senders)
                {
                    if (await SendLikeSegmentAsync(segment, requests[n], answers))
                    {
                        foreach (var user in Users(requests[n]))
                            acknowledged.Add(user);
                    }
                    else
                    {
                        Interlocked.Increment(ref gaveUp);
                    }
                }
            })).WaitAsync(TimeSpan.FromMinutes(3));
        }
        finally
        {
            // Stopping the app waits for uploads still in flight, so nothing arrives after the counts below.
            await app.DisposeAsync();
        }

        var delivered = cleverTap.Accepted.GroupBy(record => record["identity"]!.GetValue<string>()).ToDictionary(group => group.Key, group => group.Count());
        var missing = allUsers.Count(user => !delivered.ContainsKey(user));
        var duplicated = allUsers.Count(user => delivered.GetValueOrDefault(user) > 1);
        var acknowledgedButLost = acknowledged.Count(user => !delivered.ContainsKey(user));
        output.WriteLine($"events {allUsers.Count}, requests {requests.Count}, acknowledged events {acknowledged.Count}, gave up {gaveUp}");
        output.WriteLine($"answers to attempts: {string.Join(", ", answers.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}"))}");
        output.WriteLine($"CleverTap: uploads {cleverTap.Requests}, faults injected {cleverTap.Faults.Injected}, 429 over the concurrency limit {cleverTap.Throttled}, records accepted {cleverTap.Accepted.Count}");
        output.WriteLine($"delivered at least once {allUsers.Count - missing}, missing {missing}, delivered twice {duplicated}, acknowledged but lost {acknowledgedButLost}");

        Assert.True(cleverTap.Faults.Injected > 0);
        Assert.Equal(0, gaveUp);
        Assert.Equal(0, missing);
        Assert.Equal(0, duplicated);
        Assert.Equal(0, acknowledgedButLost);
        Assert.Empty(cleverTap.ContractViolations);
    }

    private static IEnumerable<string> Users(JsonNode request) =>
        request is JsonArray batch ? batch.Select(e => e!["userId"]!.GetValue<string>()) : [request["userId"]!.GetValue<string>()];

    /// <summary>Segment's destination retry: 5xx, 429 and timeouts are retried with randomised exponential backoff; a 2xx ends it.</summary>
    private static async Task<bool> SendLikeSegmentAsync(HttpClient segment, JsonNode request, ConcurrentDictionary<string, int> answers)
    {
        var body = request.ToJsonString();
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            string answer;
            try
            {
                using var response = await segment.PostAsync("api/segment", new StringContent(body, Encoding.UTF8, "application/json"));
                answer = ((int)response.StatusCode).ToString();
                answers.AddOrUpdate(answer, 1, (_, count) => count + 1);
                if (response.IsSuccessStatusCode)
                    return true;
                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError) || response.StatusCode == HttpStatusCode.NotImplemented)
                    return false;
            }
            catch (TaskCanceledException)
            {
                answers.AddOrUpdate("timeout", 1, (_, count) => count + 1);
            }
            // The simulated sender's backoff (its behaviour, not a test synchronisation).
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(800, 25 * Math.Pow(2, attempt)) * Random.Shared.NextDouble()));
        }
        return false;
    }
}
