using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CleverTapSegment.DevHost;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Hosting;
using CleverTapSegment.Storage;
using CleverTapSegment.Telemetry;
using CleverTapSegment.Testing;
using CleverTapSegment.Tests.Exports.EndToEnd;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// Success and failure paths that carry every secret (the CleverTap passcode, the management key, Segment's shared
/// secret and the Basic password, Segment write keys): none may appear in an answer (body or header), in the worker's
/// or the dev host's log, or in a telemetry attribute.
/// </summary>
[Collection("Hostile")]
[Trait("Category", "Hostile")]
[Trait("Category", "Slow")]
public sealed class SecretsTests(HostileApp hostile)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string[] Secrets => [hostile.Passcode, hostile.Passcode + "-wrong", hostile.AdminKey, hostile.SharedSecret, hostile.BasicPassword, hostile.WriteKey];

    private static byte[] Track(string user) => Encoding.UTF8.GetBytes($$"""{"type":"track","event":"Secret Path","userId":"{{user}}"}""");

    [Fact]
    public async Task Ingest_and_management_calls_leave_no_secret_in_answers_or_logs()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var answers = new List<string>();
        async Task<HttpStatusCode> Send(HttpRequestMessage request)
        {
            var (status, headers, body) = await hostile.SendAsync(request, timeout.Token);
            answers.Add($"{status} {headers}\n{body}");
            return status;
        }
        HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
            return request;
        }
        var rotatedKey = "rotated-" + Guid.NewGuid().ToString("N");
        var refusedKey = "refused-" + Guid.NewGuid().ToString("N");

        var statuses = new[]
        {
            // Ingest: delivered with the passcode, previewed, refused for a wrong signature or password (each
            // request carrying the right other secret), and refused by CleverTap for a wrong passcode.
            await Send(hostile.Ingest("api/segment", Track("secret-ok"))),
            await Send(hostile.Ingest("api/segment?dryRun=true", Track("secret-dry"))),
            await Send(WithHeader(hostile.Ingest("api/segment", Track("secret-bad-signature")), "X-Signature", new string('0', 40))),
            await Send(WithHeader(hostile.Ingest("api/segment", Track("secret-bad-password")), "Authorization",
                "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{HostileApp.BasicUser}:{hostile.BasicPassword}x")))),
            await Send(hostile.Ingest("api/segment/refused", Track("secret-refused"))),
            await Send(hostile.Ingest("api/segment", Encoding.UTF8.GetBytes("{\"type\":"))),
            // Management: partners created, read, rotated and refused; the key right, wrong and missing.
            await Send(hostile.Management(HttpMethod.Post, "api/partners", $$"""{"nickname":"secret-{{Guid.NewGuid():N}}","writeKey":"{{refusedKey}}"}""")),
            await Send(hostile.Management(HttpMethod.Get, "api/partners")),
            await Send(hostile.Management(HttpMethod.Get, $"api/partners/{HostileApp.PartnerNickname}")),
            await Send(hostile.Management(HttpMethod.Patch, $"api/partners/{HostileApp.PartnerNickname}", $$"""{"writeKey":"{{rotatedKey}}"}""")),
            await Send(hostile.Management(HttpMethod.Patch, $"api/partners/{HostileApp.PartnerNickname}", $$"""{"writeKey":"{{hostile.WriteKey}}"}""")),
            await Send(hostile.Management(HttpMethod.Patch, $"api/partners/{HostileApp.PartnerNickname}", $$$"""{"writeKey":{"value":"{{{hostile.WriteKey}}}"}}""")),
            await Send(hostile.Management(HttpMethod.Post, "api/partners", $$"""{"nickname":"{{HostileApp.PartnerNickname}}","writeKey":"{{hostile.WriteKey}}"}""")),
            await Send(hostile.Management(HttpMethod.Get, $"api/exports/{hostile.ExportId}")),
            await Send(hostile.Management(HttpMethod.Get, "api/ingest/stats")),
            await Send(WithHeader(hostile.Management(HttpMethod.Get, "api/partners"), "x-functions-key", hostile.AdminKey + "x")),
            await Send(new HttpRequestMessage(HttpMethod.Get, "api/exports")),
        };

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses[..4]);
        Assert.Contains(hostile.CleverTap.Accepted, record => record["identity"]?.ToString() == "secret-ok");
        Assert.Contains(hostile.CleverTap.Uploads, upload => upload.Status == 401);
        Assert.Equal(HttpStatusCode.Conflict, statuses[12]);
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[^1]);
        AssertNoSecretIn("answers", answers, [.. Secrets, rotatedKey, refusedKey]);
        AssertNoSecretInLogs(hostile.WorkerLog, hostile.HostLog, [.. Secrets, rotatedKey, refusedKey]);
    }

    [Fact]
    public async Task Exports_with_an_accepted_and_a_refused_write_key_leave_no_key_or_passcode_in_answers_or_logs()
    {
        var passcode = "export-passcode-" + Guid.NewGuid().ToString("N");
        var refusedKey = "refused-write-key-" + Guid.NewGuid().ToString("N");
        var workerLog = new ConcurrentQueue<WorkerLogEntry>();
        var hostLog = new FakeLoggerProvider();
        await using var harness = await ExportHarness.StartAsync(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero),
            cleverTapOptions: new FakeCleverTapExportOptions { Passcode = passcode },
            segmentOptions: new FakeSegmentOptions { WriteKeys = [ExportHarness.WriteKey], RefuseUnknownWriteKeys = true },
            configure: options =>
            {
                options.OnWorkerLog = workerLog.Enqueue;
                options.HostLogger = hostLog;
            });
        var day = new DateOnly(2026, 11, 1);
        var answers = new List<string>();

        await harness.CreatePartnerAsync();
        var delivered = await harness.CreateOneTimeExportAsync(day, day, "Charged");
        await harness.WaitForWorkToDrainAsync();
        await harness.RotateWriteKeyAsync(refusedKey);
        var refused = await harness.CreateOneTimeExportAsync(day, day, "Charged");
        await harness.WaitForWorkToDrainAsync();
        foreach (var path in new[] { $"api/exports/{delivered}", $"api/exports/{refused}", "api/exports", "api/partners", "api/partners/prod-source" })
        {
            using var response = await harness.App.Client.GetAsync(path);
            answers.Add($"{response.StatusCode} {response.Headers}{response.Content.Headers}\n{await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal("DONE", (await harness.GetExportAsync(delivered))["status"]!.GetValue<string>());
        Assert.Equal("FAILED", (await harness.GetExportAsync(refused))["status"]!.GetValue<string>());
        Assert.True(harness.Segment.AcceptedMessages > 0);
        Assert.Contains(harness.Segment.Requests, request => request.StatusCode == 401);
        string[] secrets = [passcode, ExportHarness.WriteKey, refusedKey, ExportHarness.AdminKey];
        AssertNoSecretIn("answers", answers, secrets);
        AssertNoSecretInLogs(workerLog, hostLog.Collector.GetSnapshot(), secrets);
    }

    /// <summary>
    /// Telemetry attributes: the worker exports them only to Application Insights, which a test cannot read back, so
    /// the same code paths (the SegmentIngest handler, its reader, delivery, coalescer and CleverTap client with its
    /// resilience pipeline, the app's meter and activity source, HttpClient's own) are composed in this process the way
    /// Program.cs composes them, and an <see cref="ActivityListener"/> and a <see cref="MeterListener"/> see every
    /// attribute of every source and meter, whatever the exporter; a test exporter would see only what is registered.
    /// </summary>
    [Fact]
    public async Task Telemetry_attributes_of_ingest_successes_and_failures_carry_no_secret()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var attributes = new ConcurrentQueue<string>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                attributes.Enqueue($"{activity.Source.Name} {activity.DisplayName} {activity.StatusDescription}");
                foreach (var tag in activity.TagObjects)
                    attributes.Enqueue($"{tag.Key}={tag.Value}");
                foreach (var activityEvent in activity.Events)
                    attributes.Enqueue(activityEvent.Name + string.Join(",", activityEvent.Tags.Select(tag => $"{tag.Key}={tag.Value}")));
            },
        };
        ActivitySource.AddActivityListener(activities);
        using var meters = new MeterListener { InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument) };
        void Measured<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            foreach (var tag in tags)
                attributes.Enqueue($"{instrument.Meter.Name}/{instrument.Name} {tag.Key}={tag.Value}");
        }
        meters.SetMeasurementEventCallback<long>(Measured);
        meters.SetMeasurementEventCallback<int>(Measured);
        meters.SetMeasurementEventCallback<double>(Measured);
        meters.Start();

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = hostile.StorageConnectionString,
            ["CleverTap:ApiBaseUrl"] = hostile.CleverTap.BaseAddress.ToString(),
            ["CleverTap:AccountId"] = hostile.CleverTap.AccountId,
            ["CleverTap:Passcode"] = hostile.Passcode,
            ["CleverTap:Region"] = "eu1",
            ["CleverTap:Connections:refused:AccountId"] = hostile.CleverTap.AccountId,
            ["CleverTap:Connections:refused:Passcode"] = hostile.Passcode + "-wrong",
            ["Ingest:SharedSecrets:0"] = hostile.SharedSecret,
            ["Ingest:BasicAuthUsername"] = HostileApp.BasicUser,
            ["Ingest:BasicAuthPassword"] = hostile.BasicPassword,
        });
        builder.AddClock();
        builder.AddTelemetry();
        builder.AddStorage();
        builder.AddForwarding();
        using var host = builder.Build();
        await host.StartAsync(timeout.Token);
        var handler = host.Services.GetRequiredService<SegmentIngestHandler>();

        var statuses = new List<int>();
        foreach (var (connection, body, signature, password) in new (string?, byte[], string?, string)[]
                 {
                     (null, Track("telemetry-ok"), null, hostile.BasicPassword),
                     ("refused", Track("telemetry-refused"), null, hostile.BasicPassword),
                     (null, Track("telemetry-bad-signature"), new string('0', 40), hostile.BasicPassword),
                     (null, Track("telemetry-bad-password"), null, hostile.BasicPassword + "x"),
                 })
        {
            var context = new DefaultHttpContext { RequestServices = host.Services };
            context.Request.Method = "POST";
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(body);
            context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{HostileApp.BasicUser}:{password}"));
            context.Request.Headers["X-Signature"] = signature ?? hostile.Sign(body);
            context.Response.Body = new MemoryStream();
            var result = await handler.HandleAsync(context, connection, timeout.Token);
            await result.ExecuteAsync(context);
            statuses.Add(context.Response.StatusCode);
        }
        await host.StopAsync(timeout.Token);
        meters.RecordObservableInstruments();

        Assert.Equal(200, statuses[0]);
        Assert.Equal([401, 401], statuses[2..]);
        Assert.Contains(attributes, attribute => attribute.StartsWith(BridgeTelemetry.AccountTag, StringComparison.Ordinal));
        AssertNoSecretIn("telemetry attributes", attributes, Secrets);
    }

    private static void AssertNoSecretIn(string where, IEnumerable<string> texts, IReadOnlyCollection<string> secrets)
    {
        var leaks = texts.SelectMany(text => secrets.Where(secret => text.Contains(secret, StringComparison.Ordinal)).Select(secret => $"{secret[..8]}… in {text}")).ToList();
        Assert.True(leaks.Count == 0, $"A secret appears in {where}:\n{string.Join("\n", leaks.Take(5))}");
    }

    private static void AssertNoSecretInLogs(IEnumerable<WorkerLogEntry> workerLog, IEnumerable<FakeLogRecord> hostLog, IReadOnlyCollection<string> secrets)
    {
        var worker = workerLog.Select(entry => $"{entry.Category} {entry.Message} {entry.Exception}").ToList();
        var host = hostLog.Select(entry => $"{entry.Category} {entry.Message} {entry.Exception}").ToList();
        Assert.NotEmpty(worker);
        AssertNoSecretIn("the worker's log", worker, secrets);
        AssertNoSecretIn("the dev host's log", host, secrets);
    }
}
