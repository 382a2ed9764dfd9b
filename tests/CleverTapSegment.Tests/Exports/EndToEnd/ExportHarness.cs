using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Testing;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Exports.EndToEnd;

/// <summary>
/// The worker under the dev host on Azurite with a fake CleverTap export API and a fake Segment, driven through the
/// management API like a user would: create a partner and an export, fire the scheduler, wait for the work queue to
/// drain. <see cref="Exports"/> and <see cref="Runs"/> read (and seed) the same tables from the test.
/// </summary>
internal sealed class ExportHarness : IAsyncDisposable
{
    public const string WorkQueue = "export-work";
    public const string AdminKey = "local-admin-key";
    public const string WriteKey = "test-write-key";

    /// <summary>A safety net against a hang, not a timing assertion.</summary>
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    private ExportHarness(AzuriteProcess azurite, FakeCleverTapExportApi cleverTap, FakeSegment segment, WorkerApp app, WorkerClock time)
    {
        _azurite = azurite;
        CleverTap = cleverTap;
        Segment = segment;
        App = app;
        Time = time;
        _services = AppServices.Create(azurite.ConnectionString, time);
    }

    private readonly AzuriteProcess _azurite;
    private readonly ServiceProvider _services;

    public FakeCleverTapExportApi CleverTap { get; }
    public FakeSegment Segment { get; }
    public WorkerApp App { get; }
    public WorkerClock Time { get; }

    /// <summary>The app's export definitions, composed in the test against the same Azurite.</summary>
    public ExportStore Exports => _services.GetRequiredService<ExportStore>();

    /// <summary>The app's runs and work items, composed in the test against the same Azurite.</summary>
    public RunStore Runs => _services.GetRequiredService<RunStore>();

    /// <summary>The app's work queue, composed in the test against the same Azurite.</summary>
    public WorkQueue WorkItemQueue => _services.GetRequiredService<WorkQueue>();

    /// <summary>The storage account's tables (e.g. the CleverTap concurrency slots the worker leases).</summary>
    public TableServiceClient Tables => _services.GetRequiredService<TableServiceClient>();

    /// <summary>
    /// Each test gets its own Azurite: the scheduler picks up every due export in the account, so exports left by
    /// another test would otherwise run against this test's fakes.
    /// </summary>
    public static async Task<ExportHarness> StartAsync(DateTimeOffset now,
        FakeCleverTapExportOptions? cleverTapOptions = null, IReadOnlyDictionary<string, string?>? settings = null,
        FakeSegmentOptions? segmentOptions = null, Action<WorkerAppOptions>? configure = null)
    {
        var azurite = await AzuriteProcess.StartAsync();
        var cleverTap = await FakeCleverTapExportApi.StartAsync(cleverTapOptions);
        var segment = await FakeSegment.StartAsync(segmentOptions ?? new FakeSegmentOptions { WriteKeys = [WriteKey] });
        var time = new WorkerClock(now);
        var options = new WorkerAppOptions { Clock = time };
        options.Settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        options.Settings["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString();
        options.Settings["CleverTap__AccountId"] = cleverTap.Options.AccountId;
        options.Settings["CleverTap__Passcode"] = cleverTap.Options.Passcode;
        options.Settings["CleverTap__TimeZone"] = "UTC";
        options.Settings["Segment__ApiBaseUrl"] = segment.BaseAddress.ToString();
        options.Settings["Admin__ApiKey"] = AdminKey;
        // The tests fire the scheduler themselves; a yearly schedule keeps the manual clock from firing it too.
        options.Settings["Exports__SchedulerSchedule"] = "0 0 0 1 1 *";
        // Several pages per work item, so checkpoints and stop-before-page are exercised.
        options.Settings["Exports__PageSize"] = "10";
        // A failed invocation is retried at once instead of after the host's 30 s.
        options.Settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00";
        options.Settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            options.Settings[key] = value;
        configure?.Invoke(options);
        try
        {
            var app = await WorkerApp.StartAsync(options);
            app.Client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
            return new ExportHarness(azurite, cleverTap, segment, app, time);
        }
        catch
        {
            time.Dispose();
            await segment.DisposeAsync();
            await cleverTap.DisposeAsync();
            await azurite.DisposeAsync();
            throw;
        }
    }

    public static CancellationToken Limit() => new CancellationTokenSource(WaitLimit).Token;

    public async Task CreatePartnerAsync(string nickname = "prod-source", string writeKey = WriteKey)
    {
        using var response = await App.Client.PostAsJsonAsync("api/partners",
            new { nickname, writeKey, region = "US", userIdSource = "identity", anonymousIdSource = "objectId" });
        await EnsureAsync(response, 201);
    }

    public async Task RotateWriteKeyAsync(string writeKey, string nickname = "prod-source")
    {
        using var response = await App.Client.PatchAsJsonAsync($"api/partners/{nickname}", new { writeKey });
        await EnsureAsync(response, 200);
    }

    public async Task<string> CreateOneTimeExportAsync(DateOnly from, DateOnly to, params string[] events)
    {
        using var response = await App.Client.PostAsJsonAsync("api/exports", new
        {
            partner = "prod-source",
            dataType = "events",
            events = new { selection = "selected", names = events },
            frequency = "oneTime",
            oneTime = new { from = from.ToString("yyyy-MM-dd"), to = to.ToString("yyyy-MM-dd") },
        });
        return await IdOfAsync(response);
    }

    public async Task<string> CreateRecurringExportAsync(int everyHours, DateOnly startDate, params string[] events)
    {
        using var response = await App.Client.PostAsJsonAsync("api/exports", new
        {
            partner = "prod-source",
            dataType = "events",
            events = new { selection = "selected", names = events },
            frequency = "recurring",
            recurring = new { everyHours, startDate = startDate.ToString("yyyy-MM-dd") },
        });
        return await IdOfAsync(response);
    }

    public async Task<JsonNode> GetExportAsync(string id)
    {
        using var response = await App.Client.GetAsync($"api/exports/{id}");
        await EnsureAsync(response, 200);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    public async Task StopExportAsync(string id)
    {
        using var response = await App.Client.PostAsync($"api/exports/{id}/stop", null);
        await EnsureAsync(response, 200);
    }

    public async Task FireSchedulerAsync()
    {
        var result = await App.Monitor.FireTimerAsync(ExportScheduler.FunctionName, Limit());
        Assert.True(result.Succeeded, result.Error);
    }

    public Task WaitForWorkToDrainAsync() => App.Monitor.WaitForIdleAsync(WorkQueue, Limit());

    /// <summary>The messageIds Segment must receive for these (event, day) slices: the fake's records mapped as the app maps them.</summary>
    public IReadOnlySet<string> ExpectedMessageIds(IEnumerable<string> events, IEnumerable<DateOnly> days, DateTimeOffset? windowStart = null, DateTimeOffset? windowEnd = null)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var eventName in events)
        {
            foreach (var day in days)
            {
                foreach (var raw in CleverTap.RecordsFor(ExportDataType.Events, eventName, day))
                {
                    using var record = JsonDocument.Parse(raw);
                    var mapped = ExportRecordMapper.MapEvent(record.RootElement, eventName, ExportIdentitySources.Default, TimeZoneInfo.Utc);
                    if (mapped.Message is null)
                        continue;
                    if (mapped.Timestamp is { } at && ((windowStart is { } start && at < start) || (windowEnd is { } end && at >= end)))
                        continue;
                    using var message = JsonDocument.Parse(mapped.Message);
                    ids.Add(message.RootElement.GetProperty("messageId").GetString()!);
                }
            }
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _services.DisposeAsync();
        Time.Dispose();
        await Segment.DisposeAsync();
        await CleverTap.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private static async Task<string> IdOfAsync(HttpResponseMessage response)
    {
        await EnsureAsync(response, 201);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["id"]!.GetValue<string>();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, int expectedStatus)
    {
        if ((int)response.StatusCode != expectedStatus)
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
