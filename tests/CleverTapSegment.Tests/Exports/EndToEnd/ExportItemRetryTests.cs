using System.Text.Json.Nodes;
using CleverTapSegment.DevHost;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Exports.EndToEnd;

/// <summary>
/// A running export whose CleverTap calls keep failing says why on <c>GET api/exports/{id}</c>: each retried item
/// carries its last error and when the host tries it again; both go once the item moves (docs/exports-api.md).
/// </summary>
public sealed class ExportItemRetryTests
{
    private static readonly DateOnly November1 = new(2026, 11, 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Item_whose_CleverTap_page_keeps_failing_shows_its_last_error_and_next_attempt_until_it_moves_again()
    {
        await using var harness = await ExportHarness.StartAsync(Now,
            new FakeCleverTapExportOptions { RecordsPerDay = static (_, _) => 25 },
            settings: new Dictionary<string, string?>
            {
                ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:02",
                // Room for the retries a slow machine might make before the failure is lifted (the client's circuit
                // breaker then holds CleverTap calls for a while): the item must not be given up.
                ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "50",
            });
        await harness.CreatePartnerAsync();
        // Pages of 10: page 0 is delivered, then page 1 fails every time (after the client's retries, which the
        // Retry-After of 0 makes immediate): each attempt goes back to the host, which shows it again after 2 s.
        harness.CleverTap.FailureRetryAfter = TimeSpan.Zero;
        harness.CleverTap.FailPage(1);

        var id = await harness.CreateOneTimeExportAsync(November1, November1, "Charged");
        var failing = await WaitForItemAsync(harness, id, item => item["lastError"] is not null && item["nextAttemptAt"] is not null);

        Assert.Equal("RUNNING", failing["status"]!.GetValue<string>());
        Assert.Null(failing["reason"]);
        Assert.Equal(1, failing["pages"]!.GetValue<long>());
        var lastError = failing["lastError"]!;
        Assert.StartsWith("CleverTap: ", lastError["message"]!.GetValue<string>(), StringComparison.Ordinal);
        // The app's clock stands still in this test: the attempt failed "now" and is due a visibility timeout later.
        Assert.Equal(Now, lastError["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Now + VisibilityTimeout, failing["nextAttemptAt"]!.GetValue<DateTimeOffset>());
        var body = (await harness.GetExportAsync(id)).ToJsonString();
        Assert.DoesNotContain(harness.CleverTap.Options.Passcode, body, StringComparison.Ordinal);
        Assert.DoesNotContain(ExportHarness.WriteKey, body, StringComparison.Ordinal);

        harness.CleverTap.ClearPageFailures();
        // A drained queue does not wait for a message hidden until its retry: wait for the retry itself.
        await harness.App.Monitor.WaitForInvocationAsync(
            invocation => invocation is { FunctionName: ExportWorker.FunctionName, Outcome: TriggerOutcome.Succeeded }, ExportHarness.Limit());
        var done = await WaitForItemAsync(harness, id, item => item["status"]!.GetValue<string>() == "DONE");

        Assert.Equal(25, done["exported"]!.GetValue<long>());
        Assert.Null(done["lastError"]);
        Assert.Null(done["nextAttemptAt"]);
    }

    /// <summary>
    /// Reads the export's only item until it satisfies <paramref name="condition"/>, reading again after each
    /// worker invocation that ends (the worker writes the item before its invocation ends).
    /// </summary>
    private static async Task<JsonNode> WaitForItemAsync(ExportHarness harness, string id, Func<JsonNode, bool> condition)
    {
        var limit = ExportHarness.Limit();
        while (true)
        {
            var before = harness.App.Monitor.Invocations;
            var export = await harness.GetExportAsync(id);
            if (export["runs"]?.AsArray() is [{ } run, ..] && run["items"]?.AsArray() is [{ } item] && condition(item))
                return item;
            await harness.App.Monitor.WaitForInvocationAsync(
                invocation => invocation.FunctionName == ExportWorker.FunctionName && !before.Any(seen => ReferenceEquals(seen, invocation)), limit);
        }
    }
}
