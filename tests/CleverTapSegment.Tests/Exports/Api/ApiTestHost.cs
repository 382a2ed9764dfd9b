using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Testing;
using CleverTapSegment.Tests.Exports.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Exports.Api;

/// <summary>
/// The worker under the dev host on Azurite, with a test clock (so the scheduler timer never fires by itself) and
/// CleverTap/Segment pointed at a loopback stub that refuses every call with 401: a one-time export started by the
/// API fails fast instead of reaching anything real. <see cref="Store"/> reads the same tables from the test.
/// </summary>
internal sealed class ApiTestHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key";

    private readonly LoopbackServer _remote;
    private readonly ServiceProvider _services;

    private ApiTestHost(WorkerApp app, LoopbackServer remote, WorkerClock time, ServiceProvider services)
    {
        App = app;
        _remote = remote;
        Time = time;
        _services = services;
        Client = new HttpClient { BaseAddress = app.BaseAddress };
        Client.DefaultRequestHeaders.Add("x-functions-key", AdminKey);
    }

    public static DateTimeOffset Start { get; } = OneTimeWindowTests.Utc("2026-11-22T10:00:00");

    public WorkerApp App { get; }

    /// <summary>Sends the management key.</summary>
    public HttpClient Client { get; }

    public WorkerClock Time { get; }

    /// <summary>The app's export store, composed in the test against the same Azurite.</summary>
    public ExportStore Store => _services.GetRequiredService<ExportStore>();

    public static async Task<ApiTestHost> StartAsync(AzuriteFixture azurite, string timeZone = "UTC")
    {
        var remote = await LoopbackServer.StartAsync(app => app.Map("/{**path}", () => Results.StatusCode(StatusCodes.Status401Unauthorized)));
        var time = new WorkerClock(Start);
        try
        {
            var app = await WorkerApp.StartAsync(new WorkerAppOptions
            {
                Settings =
                {
                    ["AzureWebJobsStorage"] = azurite.ConnectionString,
                    ["CleverTap__ApiBaseUrl"] = remote.BaseAddress.ToString(),
                    ["CleverTap__TimeZone"] = timeZone,
                    ["Segment__ApiBaseUrl"] = remote.BaseAddress.ToString(),
                    ["Admin__ApiKey"] = AdminKey,
                },
                Clock = time,
            });
            return new ApiTestHost(app, remote, time, AppServices.Create(azurite.ConnectionString));
        }
        catch
        {
            time.Dispose();
            await remote.DisposeAsync();
            throw;
        }
    }

    /// <summary>A partner with a nickname no other test uses, so list filters by partner see only this test's exports.</summary>
    public async Task<string> CreatePartnerAsync(string? nickname = null)
    {
        nickname ??= $"p-{Guid.NewGuid():N}"[..20];
        var response = await Client.PostAsJsonAsync("api/partners", new { nickname, writeKey = "wk_test_secret_9876" });
        response.EnsureSuccessStatusCode();
        return nickname;
    }

    public async Task<JsonNode> CreateRecurringAsync(string partner, int everyHours = 6, string startDate = "2026-11-23")
    {
        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner,
            dataType = "events",
            events = new { selection = "engagement" },
            frequency = "recurring",
            recurring = new { everyHours, startDate },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    public async Task<JsonNode> CreateOneTimeAsync(string partner, string from = "2026-11-01", string to = "2026-11-03")
    {
        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner,
            dataType = "events",
            events = new { selection = "selected", names = new[] { "App Launched", "Charged" } },
            frequency = "oneTime",
            oneTime = new { from, to },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>Puts an export in a status the API cannot set (RUNNING, DONE), as the scheduler and workers would.</summary>
    public async Task SetStatusAsync(string id, ExportStatus status)
    {
        var export = (await Store.GetAsync(id))!;
        Assert.True(await Store.TryReplaceAsync(export with { Status = status, NextRunAt = null }));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await _services.DisposeAsync();
        await _remote.DisposeAsync();
        Time.Dispose();
    }
}
