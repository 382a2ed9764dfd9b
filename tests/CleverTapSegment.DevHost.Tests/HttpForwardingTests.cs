using System.Net;
using System.Text;
using System.Text.Json;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// HTTP functions of the sample worker behind the dev host: routes, methods, query, headers and body reach the
/// worker; its answer comes back whole; a failed invocation answers 500. One host for the class.
/// </summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed class HttpForwardingTests(DevHostFixture fixture) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private DevHostServer _host = null!;
    private WorkerLog _log = null!;
    private HttpClient _client = null!;

    private CancellationToken Timeout => _timeout.Token;

    public async Task InitializeAsync()
    {
        (_host, _log) = await fixture.SharedHostAsync().WaitAsync(Timeout);
        _client = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public void The_handshake_loads_every_function_of_the_worker()
    {
        Assert.Equal(["Boom", "Created", "Files", "Greet", "Site", "StartupTick", "Tick", "Work"], _host.FunctionNames.Order(StringComparer.Ordinal));
        Assert.False(System.Diagnostics.Process.GetProcessById(_host.WorkerProcessId).HasExited);
        Assert.Equal("127.0.0.1", _host.BaseAddress.Host);
    }

    [Fact]
    public async Task A_get_reaches_the_function_with_its_route_value_query_and_headers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/greet/ada?q=hello%20world&other=1");
        request.Headers.Add("x-sample", "from the test");

        using var response = await _client.SendAsync(request, Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = await ReadJsonAsync(response);
        Assert.Equal("GET", echo.RootElement.GetProperty("method").GetString());
        Assert.Equal("ada", echo.RootElement.GetProperty("name").GetString());
        Assert.Equal("/api/greet/ada", echo.RootElement.GetProperty("path").GetString());
        Assert.Equal("hello world", echo.RootElement.GetProperty("query").GetString());
        Assert.Equal("from the test", echo.RootElement.GetProperty("header").GetString());
    }

    [Fact]
    public async Task An_optional_route_part_may_be_left_out_and_a_post_body_is_forwarded()
    {
        using var response = await _client.PostAsync("api/greet", new StringContent("{\"hello\":\"Zürich 🎉\"}", Encoding.UTF8, "application/json"), Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = await ReadJsonAsync(response);
        Assert.Equal("POST", echo.RootElement.GetProperty("method").GetString());
        Assert.Equal(JsonValueKind.Null, echo.RootElement.GetProperty("name").ValueKind);
        Assert.Equal("{\"hello\":\"Zürich 🎉\"}", echo.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_large_body_streams_through_whole()
    {
        var body = string.Concat(Enumerable.Range(0, 40_000).Select(n => $"line {n};"));

        using var response = await _client.PostAsync("api/greet/big", new StringContent(body), Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echo = await ReadJsonAsync(response);
        Assert.Equal(body, echo.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_catch_all_route_gets_the_rest_of_the_path()
    {
        using var response = await _client.GetAsync("api/files/reports/2026/november.csv", Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reports/2026/november.csv", await response.Content.ReadAsStringAsync(Timeout));
    }

    [Fact]
    public async Task The_functions_status_headers_and_body_come_back()
    {
        using var response = await _client.PutAsync("api/items/42", new StringContent(""), Timeout);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/items/42", response.Headers.Location?.OriginalString);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"id\":\"42\"}", await response.Content.ReadAsStringAsync(Timeout));
    }

    [Fact]
    public async Task A_function_that_throws_answers_500_and_its_error_arrives_in_the_worker_log()
    {
        using var response = await _client.GetAsync("api/boom", Timeout);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(Timeout));
        var error = await _log.WaitForAsync(entry => entry.Exception?.Contains("Boom on purpose.", StringComparison.Ordinal) == true, Timeout);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.NotNull(error.InvocationId);
    }

    [Theory]
    [InlineData("api/nothing-here")]
    [InlineData("greet/ada")]
    [InlineData("api")]
    public async Task A_path_that_matches_no_function_answers_404(string path)
    {
        using var response = await _client.GetAsync(path, Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_method_the_function_does_not_accept_is_refused()
    {
        using var response = await _client.DeleteAsync("api/greet/ada", Timeout);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task The_admin_api_runs_a_queue_function_now_with_the_given_input()
    {
        using var response = await _client.PostAsync("admin/functions/Work", new StringContent("{\"input\":\"from the admin api\"}"), Timeout);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = await _log.WaitForMessageAsync("Work received 'from the admin api'", Timeout);
        Assert.Equal(LogLevel.Information, received.Level);
    }

    [Fact]
    public async Task The_admin_api_does_not_know_an_unknown_function()
    {
        using var response = await _client.PostAsync("admin/functions/NoSuchFunction", new StringContent("{}"), Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Timeout), cancellationToken: Timeout);
}
