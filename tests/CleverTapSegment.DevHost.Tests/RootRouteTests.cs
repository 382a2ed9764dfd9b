using System.Net;
using System.Text.Json;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// host.json's <c>routePrefix</c> set to "" (an app that serves a site at its root): every route sits at the root,
/// and a function's literal segments win over the <c>{*path}</c> catch-all, as in the host's route table, whatever
/// the order of the functions. The worker maps its own HTTP endpoints from the host.json file in its directory (an
/// <c>AzureFunctionsJobHost__…</c> override does not reach them), so the test runs a copy of the sample worker
/// whose host.json has the empty prefix.
/// </summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed class RootRouteTests(DevHostFixture fixture) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private readonly string _appDirectory = Path.Combine(Path.GetTempPath(), "devhost-root-" + Guid.NewGuid().ToString("N"));
    private DevHostServer _host = null!;
    private HttpClient _client = null!;

    private CancellationToken Timeout => _timeout.Token;

    public async Task InitializeAsync()
    {
        CopyDirectory(DevHostFixture.SampleWorkerDirectory, _appDirectory);
        var hostJson = Path.Combine(_appDirectory, "host.json");
        var withApiPrefix = await File.ReadAllTextAsync(hostJson, Timeout);
        var atRoot = withApiPrefix.Replace("\"routePrefix\": \"api\"", "\"routePrefix\": \"\"", StringComparison.Ordinal);
        Assert.NotEqual(withApiPrefix, atRoot);
        await File.WriteAllTextAsync(hostJson, atRoot, Timeout);
        var options = fixture.Options(new WorkerLog(), fixture.UniqueQueueName("root"), appDirectory: _appDirectory);
        options.Settings[DevHostFixture.SiteDisabledSetting] = "false";
        _host = await DevHostServer.StartAsync(options, Timeout);
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        _timeout.Dispose();
        Directory.Delete(_appDirectory, recursive: true);
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, directory)));
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
    }

    [Theory]
    [InlineData("", "site:")]
    [InlineData("exports/42", "site:exports/42")]
    [InlineData("api/greet/ada", "site:api/greet/ada")]
    [InlineData("files/reports/2026/november.csv", "reports/2026/november.csv")]
    public async Task The_catch_all_answers_the_root_and_what_no_literal_route_matches(string path, string expected)
    {
        using var response = await _client.GetAsync(path, Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync(Timeout));
    }

    [Fact]
    public async Task A_literal_route_at_the_root_wins_over_the_catch_all()
    {
        using var response = await _client.GetAsync("greet/ada", Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Timeout), cancellationToken: Timeout);
        Assert.Equal("ada", echo.RootElement.GetProperty("name").GetString());
        Assert.Equal("/greet/ada", echo.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_method_neither_the_literal_route_nor_the_catch_all_accepts_is_refused()
    {
        using var response = await _client.DeleteAsync("greet/ada", Timeout);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }
}
