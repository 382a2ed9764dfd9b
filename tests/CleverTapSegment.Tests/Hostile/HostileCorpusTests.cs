using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// The hostile corpus: generated cases against the real app (dev host + worker, <see cref="HostileApp"/>), one theory
/// per family, each case asserting its status class (<see cref="StatusClass"/>): never a 5xx but the documented 501 and
/// a 503 saying CleverTap is unavailable. The families live in the partial files beside this one (framing, ingest,
/// management); the last test, <see cref="After_the_corpus_the_app_is_up_its_memory_bounded_and_valid_events_are_delivered"/>,
/// runs after every case (<see cref="AftermathLast"/>). docs/reliability.md describes the suite.
/// </summary>
[Collection("Hostile")]
[Trait("Category", "Hostile")]
[Trait("Category", "Slow")]
[TestCaseOrderer("CleverTapSegment.Tests.Hostile.AftermathLast", "CleverTapSegment.Tests")]
public sealed partial class HostileCorpusTests(HostileApp hostile, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How much the worker's working set may grow over the whole corpus. Bodies are capped at 256 KB and a case holds
    /// at most a few; growth beyond this is a leak or an unbounded buffer. The measured figures are in the summary.
    /// </summary>
    private const double MaxGrowthMegabytes = 200;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One request on its own connection: exact headers (duplicates stay two lines), exact bytes.</summary>
    private Task<RawHttpAnswer> SendRawAsync(string method, string target, IEnumerable<string> headers, byte[] body, CancellationToken cancellationToken)
    {
        var server = hostile.App.BaseAddress;
        var withLength = body.Length > 0 || method is "POST" or "PATCH" or "PUT";
        var head = RawHttp.Head(method, target, $"{server.Host}:{server.Port}", headers, withLength ? body.Length : null);
        return RawHttp.SendAsync(server, head, body, closeAfterBody: false, cancellationToken);
    }

    private void AssertClass(string family, string name, StatusClass expected, RawHttpAnswer answer)
    {
        hostile.Record(family, answer.StatusCode);
        if (StatusClasses.Check(expected, answer.StatusCode, answer.Body) is { } problem)
            Assert.Fail($"{family} / {name}: {problem}");
    }

    [Fact]
    public async Task After_the_corpus_the_app_is_up_its_memory_bounded_and_valid_events_are_delivered()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var after = hostile.WorkerWorkingSetMegabytes();

        var health = await hostile.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/health"), timeout.Token);
        var users = Enumerable.Range(0, 5).Select(i => $"aftermath-{i}-{Guid.NewGuid():N}").ToList();
        var batch = new JsonArray([.. users.Select(user => (JsonNode)new JsonObject { ["type"] = "track", ["event"] = "Aftermath", ["userId"] = user })]);
        var delivery = await hostile.SendAsync(hostile.Ingest("api/segment", Utf8(batch.ToJsonString())), timeout.Token);

        WriteSummary(after);
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal(HttpStatusCode.OK, delivery.Status);
        var accepted = hostile.CleverTap.Accepted.Select(record => record["identity"]?.ToString()).ToHashSet();
        Assert.All(users, user => Assert.Contains(user, accepted));
        Assert.True(after - hostile.BaselineMegabytes < MaxGrowthMegabytes,
            $"The worker's working set grew from {hostile.BaselineMegabytes:F0} MB to {after:F0} MB over the corpus.");
        Assert.False(hostile.App.Host.WorkerCrashed.IsCompleted, "The worker process exited during the corpus.");
        // Hostile input is the client's fault: nothing the corpus sends may be logged as an error or with a stack
        // trace, by the worker or the dev host (an error here is what pages someone, and a sender could flood it).
        var workerErrors = hostile.WorkerLog.Where(entry => entry.Level >= LogLevel.Error || entry.Exception is not null)
            .Select(entry => $"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception}").ToList();
        Assert.True(workerErrors.Count == 0, $"{workerErrors.Count} worker log entries are errors or carry a stack trace:\n{string.Join("\n", workerErrors.Take(5))}");
        var hostErrors = hostile.HostLog.Where(entry => entry.Level >= LogLevel.Warning || entry.Exception is not null)
            .Select(entry => $"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception}").ToList();
        Assert.True(hostErrors.Count == 0, $"{hostErrors.Count} dev host log entries are warnings or errors:\n{string.Join("\n", hostErrors.Take(5))}");
    }

    /// <summary>Cases and status classes per family and the memory figures, into the test output and a file beside the test assembly.</summary>
    private void WriteSummary(double afterMegabytes)
    {
        var text = new StringBuilder();
        foreach (var family in hostile.Answers.GroupBy(pair => pair.Key.Family).OrderBy(group => group.Key, StringComparer.Ordinal))
        {
            var statuses = string.Join(", ", family.OrderBy(pair => pair.Key.Status).Select(pair => $"{(pair.Key.Status == 0 ? "no answer" : pair.Key.Status)}×{pair.Value}"));
            text.AppendLine($"{family.Key}: {family.Sum(pair => pair.Value)} cases ({statuses})");
        }
        text.AppendLine($"total: {hostile.Answers.Values.Sum()} cases");
        text.AppendLine($"worker working set: {hostile.BaselineMegabytes:F0} MB before, {afterMegabytes:F0} MB after");
        var levels = hostile.WorkerLog.GroupBy(entry => entry.Level).OrderBy(group => group.Key).Select(group => $"{group.Key}×{group.Count()}");
        text.AppendLine($"worker log entries: {string.Join(", ", levels)}; bad request bodies logged: {hostile.WorkerLog.Count(entry => entry.Category == "CleverTapSegment.Hosting.RequestBodyFaults")} by the worker, {hostile.HostLog.Count(entry => entry.Message.StartsWith("Bad request from the client", StringComparison.Ordinal))} by the dev host");
        output.WriteLine(text.ToString());
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "hostile-corpus-summary.txt"), text.ToString());
    }
}

/// <summary>Runs the aftermath test (a method named <c>After_…</c>) after every other case of its class.</summary>
public sealed class AftermathLast : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(testCase => testCase.TestMethod.Method.Name.StartsWith("After_", StringComparison.Ordinal) ? 1 : 0);
}
