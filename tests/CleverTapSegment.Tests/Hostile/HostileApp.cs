using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CleverTapSegment.DevHost;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// The hostile suites share one app (<c>[Collection("Hostile")] public sealed class MyTests(HostileApp app)</c>): the
/// worker under the dev host on its own Azurite, with a fake CleverTap and a fake Segment, every optional check on
/// (Basic auth, Segment's signature, the management key) and a small body limit so oversized cases stay cheap.
/// </summary>
[CollectionDefinition("Hostile")]
public sealed class HostileCollection : ICollectionFixture<HostileApp>;

public sealed class HostileApp : IAsyncLifetime
{
    public const int MaxBodyBytes = 256 * 1024;
    public const string BasicUser = "segment";

    // Distinctive values, so the secrets test can look for them anywhere they must not be.
    public string AdminKey { get; } = "admin-" + Guid.NewGuid().ToString("N");
    public string SharedSecret { get; } = "shared-" + Guid.NewGuid().ToString("N");
    public string BasicPassword { get; } = "basic-" + Guid.NewGuid().ToString("N");
    public string Passcode { get; } = "passcode-" + Guid.NewGuid().ToString("N");
    public string WriteKey { get; } = "writekey-" + Guid.NewGuid().ToString("N");

    private AzuriteProcess? _azurite;
    private readonly ConcurrentQueue<WorkerLogEntry> _workerLog = new();
    private readonly FakeLoggerProvider _hostLog = new();

    public WorkerApp App { get; private set; } = null!;
    public string StorageConnectionString => _azurite!.ConnectionString;
    public FakeCleverTap CleverTap { get; private set; } = null!;
    public FakeSegment Segment { get; private set; } = null!;

    /// <summary>Every entry the worker logged (all levels), and every entry the dev host logged itself.</summary>
    public IReadOnlyCollection<WorkerLogEntry> WorkerLog => _workerLog;
    public IReadOnlyList<FakeLogRecord> HostLog => _hostLog.Collector.GetSnapshot();

    /// <summary>Answers by family and status, for the suite's summary.</summary>
    public ConcurrentDictionary<(string Family, int Status), int> Answers { get; } = new();

    public void Record(string family, int status) => Answers.AddOrUpdate((family, status), 1, (_, count) => count + 1);

    /// <summary>The worker's working set once the app had warmed up, before any hostile case (MB).</summary>
    public double BaselineMegabytes { get; private set; }

    /// <summary>A partner and a recurring export (never due) the management cases address by name and id.</summary>
    public const string PartnerNickname = "hostile-partner";
    public string ExportId { get; private set; } = "";

    /// <summary>The worker's working set now, in MB (the process the dev host runs).</summary>
    public double WorkerWorkingSetMegabytes()
    {
        using var process = Process.GetProcessById(App.Host.WorkerProcessId);
        process.Refresh();
        return process.WorkingSet64 / (1024.0 * 1024.0);
    }

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        CleverTap = await FakeCleverTap.StartAsync(passcode: Passcode);
        Segment = await FakeSegment.StartAsync(new FakeSegmentOptions { WriteKeys = [WriteKey], RefuseUnknownWriteKeys = true });
        var options = new WorkerAppOptions
        {
            OnWorkerLog = _workerLog.Enqueue,
            HostLogger = _hostLog,
            Settings =
            {
                ["AzureWebJobsStorage"] = _azurite.ConnectionString,
                ["CleverTap__ApiBaseUrl"] = CleverTap.BaseAddress.ToString(),
                ["CleverTap__AccountId"] = CleverTap.AccountId,
                ["CleverTap__Passcode"] = Passcode,
                // A second account whose passcode CleverTap refuses: the failure path of the passcode.
                ["CleverTap__Connections__refused__AccountId"] = CleverTap.AccountId,
                ["CleverTap__Connections__refused__Passcode"] = Passcode + "-wrong",
                // No Region here: a connection's own region would send it to that region's real host; without one it
                // inherits CleverTap__ApiBaseUrl, the fake.
                ["Segment__ApiBaseUrl"] = Segment.BaseAddress.ToString(),
                ["Admin__ApiKey"] = AdminKey,
                ["Ingest__SharedSecrets__0"] = SharedSecret,
                ["Ingest__BasicAuthUsername"] = BasicUser,
                ["Ingest__BasicAuthPassword"] = BasicPassword,
                ["Ingest__MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // Exports created by the corpus are never due: the suite fires no scheduler, and this keeps the timer quiet.
                ["Exports__SchedulerSchedule"] = "0 0 0 1 1 *",
            },
        };
        App = await WorkerApp.StartAsync(options);
        await CreatePartnerAndExportAsync();
        BaselineMegabytes = WorkerWorkingSetMegabytes();
    }

    private async Task CreatePartnerAndExportAsync()
    {
        var partner = await SendAsync(Management(HttpMethod.Post, "api/partners",
            $$"""{"nickname":"{{PartnerNickname}}","writeKey":"{{WriteKey}}","region":"US"}"""), CancellationToken.None);
        if (partner.Status != HttpStatusCode.Created && partner.Status != HttpStatusCode.OK)
            throw new InvalidOperationException($"Creating the hostile partner answered {partner.Status}: {partner.Body}");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var export = await SendAsync(Management(HttpMethod.Post, "api/exports",
            $$$"""{"partner":"{{{PartnerNickname}}}","dataType":"events","events":{"selection":"selected","names":["App Launched"]},"frequency":"recurring","recurring":{"everyHours":8,"startDate":"{{{today}}}"}}"""),
            CancellationToken.None);
        if (export.Status != HttpStatusCode.Created && export.Status != HttpStatusCode.OK)
            throw new InvalidOperationException($"Creating the hostile export answered {export.Status}: {export.Body}");
        ExportId = System.Text.Json.Nodes.JsonNode.Parse(export.Body)!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
            await App.DisposeAsync();
        if (Segment is not null)
            await Segment.DisposeAsync();
        if (CleverTap is not null)
            await CleverTap.DisposeAsync();
        if (_azurite is not null)
            await _azurite.DisposeAsync();
    }

    /// <summary>Basic credentials the app accepts.</summary>
    public string BasicAuthorization => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicUser}:{BasicPassword}"));

    /// <summary>Segment's <c>X-Signature</c> for <paramref name="body"/> (hex HMAC-SHA1 of the whole body).</summary>
    public string Sign(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(SharedSecret), body));

    /// <summary>A POST to the ingest endpoint carrying valid credentials and signature unless the caller overrides them.</summary>
    public HttpRequestMessage Ingest(string target, byte[] body, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("Authorization", BasicAuthorization);
        request.Headers.TryAddWithoutValidation("X-Signature", Sign(body));
        return request;
    }

    /// <summary>A management API request with the key unless the caller takes it away.</summary>
    public HttpRequestMessage Management(HttpMethod method, string target, string? json = null)
    {
        var request = new HttpRequestMessage(method, target);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        request.Headers.TryAddWithoutValidation("x-functions-key", AdminKey);
        return request;
    }

    /// <summary>Sends and reads the whole answer; never throws for an HTTP status.</summary>
    public async Task<(HttpStatusCode Status, string Headers, string Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await App.Client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return (response.StatusCode, response.Headers.ToString() + response.Content.Headers, body);
        }
    }
}
