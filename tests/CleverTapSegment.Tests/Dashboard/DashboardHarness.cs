using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Forwarding.Spool;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Dashboard;

/// <summary>
/// The app on its own Azurite with a fake CleverTap export API and a fake Segment, plus a headless browser on its
/// dashboard. Seeding goes through the management API (as another user would); what a scenario checks goes
/// through the page. The app is the isolated worker under the dev host (<see cref="WorkerApp"/>); its clock is a
/// <see cref="WorkerClock"/> that starts at the real time, so the browser's "today" (date inputs, presets) and the
/// app's agree.
/// </summary>
internal sealed class DashboardHarness : IAsyncDisposable
{
    public const string WorkQueue = "export-work";
    public const string AdminKey = "local-admin-key";
    public const string WriteKey = "test-write-key";
    public const string Partner = "prod-source";

    /// <summary>A safety net against a hang, not a timing assertion.</summary>
    private static readonly TimeSpan WaitLimit = TimeSpan.FromMinutes(2);

    private readonly AzuriteProcess _azurite;
    private readonly RunningApp _app;

    private DashboardHarness(AzuriteProcess azurite, FakeCleverTapExportApi cleverTap, FakeSegment segment, WorkerClock time, RunningApp app, DashboardBrowser browser)
    {
        _azurite = azurite;
        CleverTap = cleverTap;
        Segment = segment;
        Time = time;
        _app = app;
        Browser = browser;
    }

    public FakeCleverTapExportApi CleverTap { get; }
    public FakeSegment Segment { get; }
    public WorkerClock Time { get; }
    public DashboardBrowser Browser { get; }

    /// <summary>The management API with the admin key, for seeding and for checking what the page did.</summary>
    public HttpClient Api => _app.Client;

    public DateOnly Today => DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime);

    /// <summary>Each scenario gets its own Azurite: the scheduler picks up every due export in the account.</summary>
    /// <param name="settings">App settings that replace the harness's own (host.json overrides, for instance).</param>
    public static async Task<DashboardHarness> StartAsync(DateTimeOffset? now = null, FakeCleverTapExportOptions? cleverTapOptions = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var azurite = await AzuriteProcess.StartAsync();
        FakeCleverTapExportApi? cleverTap = null;
        FakeSegment? segment = null;
        RunningApp? app = null;
        WorkerClock? time = null;
        try
        {
            cleverTap = await FakeCleverTapExportApi.StartAsync(cleverTapOptions);
            segment = await FakeSegment.StartAsync(new FakeSegmentOptions { WriteKeys = [WriteKey] });
            time = new WorkerClock(now ?? TruncateToSeconds(DateTimeOffset.UtcNow));
            var appSettings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = cleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = cleverTap.Options.AccountId,
                ["CleverTap__Passcode"] = cleverTap.Options.Passcode,
                ["CleverTap__TimeZone"] = "UTC",
                ["Segment__ApiBaseUrl"] = segment.BaseAddress.ToString(),
                ["Admin__ApiKey"] = AdminKey,
                // Scenarios start runs through the API (a due export starts at once); the timer stays out of the way.
                ["Exports__SchedulerSchedule"] = "0 0 0 1 1 *",
                ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
                ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.200",
            };
            foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
                appSettings[name] = value;
            app = await StartAppAsync(appSettings, time);
            var browser = DashboardBrowser.Start(app.BaseAddress);
            return new DashboardHarness(azurite, cleverTap, segment, time, app, browser);
        }
        catch
        {
            if (app is not null)
                await app.DisposeAsync();
            if (segment is not null)
                await segment.DisposeAsync();
            if (cleverTap is not null)
                await cleverTap.DisposeAsync();
            time?.Dispose();
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The one place that launches the app: the worker under the dev host, its address, an admin client, a way to
    /// wait for the export queue to drain, and its disposal.
    /// </summary>
    private static async Task<RunningApp> StartAppAsync(IReadOnlyDictionary<string, string?> settings, WorkerClock clock)
    {
        var app = await WorkerApp.StartAsync(settings, clock);
        var client = new HttpClient { BaseAddress = app.BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
        return new RunningApp(app.BaseAddress, client,
            (queue, cancellationToken) => app.Monitor.WaitForIdleAsync(queue, cancellationToken),
            async () =>
            {
                client.Dispose();
                await app.DisposeAsync();
            });
    }

    public static CancellationToken Limit() => new CancellationTokenSource(WaitLimit).Token;

    /// <summary>Opens a page of the dashboard and answers the admin-key prompt its first call brings up.</summary>
    public void OpenSignedIn(string path)
    {
        Browser.Open(path);
        Browser.EnterAdminKey(AdminKey);
    }

    public Task WaitForWorkToDrainAsync() => _app.WaitForIdleAsync(WorkQueue, Limit());

    /// <summary>Until the <c>ingest-spool</c> queue (stored mode) has nothing visible and nothing in flight.</summary>
    public Task WaitForSpoolToDrainAsync() => _app.WaitForIdleAsync(SpoolQueue.QueueName, Limit());

    public async Task CreatePartnerAsync(string nickname = Partner)
    {
        using var response = await Api.PostAsJsonAsync("api/partners",
            new { nickname, writeKey = WriteKey, region = "US", userIdSource = "identity", anonymousIdSource = "objectId" });
        await EnsureAsync(response, 201);
    }

    public async Task<string> CreateOneTimeExportAsync(DateOnly day, params string[] events)
    {
        using var response = await Api.PostAsJsonAsync("api/exports", new
        {
            partner = Partner,
            dataType = "events",
            events = new { selection = "selected", names = events },
            frequency = "oneTime",
            oneTime = new { from = Day(day), to = Day(day) },
        });
        return await IdOfAsync(response);
    }

    public async Task<string> CreateRecurringExportAsync(int everyHours, DateOnly startDate, params string[] events)
    {
        using var response = await Api.PostAsJsonAsync("api/exports", new
        {
            partner = Partner,
            dataType = "events",
            events = new { selection = "selected", names = events },
            frequency = "recurring",
            recurring = new { everyHours, startDate = Day(startDate) },
        });
        return await IdOfAsync(response);
    }

    public async Task StopExportAsync(string id)
    {
        using var response = await Api.PostAsync($"api/exports/{id}/stop", null);
        await EnsureAsync(response, 200);
    }

    public async Task<JsonNode> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path);
        await EnsureAsync(response, 200);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>How many records Segment must get for these (event, day) slices: the fake's records the app can map.</summary>
    public int ExportableRecords(IEnumerable<string> events, DateOnly day)
    {
        var count = 0;
        foreach (var eventName in events)
        {
            foreach (var raw in CleverTap.RecordsFor(ExportDataType.Events, eventName, day))
            {
                using var record = JsonDocument.Parse(raw);
                if (ExportRecordMapper.MapEvent(record.RootElement, eventName, ExportIdentitySources.Default, TimeZoneInfo.Utc).Message is not null)
                    count++;
            }
        }
        return count;
    }

    /// <summary>Saves the scenario's screenshot and checks the page threw nothing along the way.</summary>
    public void Finish(string screenshotName)
    {
        Browser.Screenshot(screenshotName);
        Assert.Empty(Browser.PageErrors());
    }

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Browser.Dispose();
        CleverTap.ReleaseResponses();
        await _app.DisposeAsync();
        await Segment.DisposeAsync();
        await CleverTap.DisposeAsync();
        await _azurite.DisposeAsync();
        Time.Dispose();
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static async Task<string> IdOfAsync(HttpResponseMessage response)
    {
        await EnsureAsync(response, 201);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private static async Task EnsureAsync(HttpResponseMessage response, int expectedStatus)
    {
        if ((int)response.StatusCode != expectedStatus)
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>What the scenarios need of a launched app, whatever launched it.</summary>
    private sealed class RunningApp(Uri baseAddress, HttpClient client, Func<string, CancellationToken, Task> waitForIdle, Func<ValueTask> dispose) : IAsyncDisposable
    {
        public Uri BaseAddress { get; } = baseAddress;
        public HttpClient Client { get; } = client;
        public Task WaitForIdleAsync(string queue, CancellationToken cancellationToken) => waitForIdle(queue, cancellationToken);
        public ValueTask DisposeAsync() => dispose();
    }
}
