using System.Net;
using System.Text;
using CleverTapSegment.Dashboard;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Dashboard;

public sealed class DashboardAssetsTests
{
    private static readonly DashboardAssets Assets = new();

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("/exports")]
    [InlineData("/exports/2516062518209999999-42knavmw")]
    [InlineData("/partners/")]
    public void Root_and_client_routes_answer_the_page(string? path)
    {
        var answer = Assets.Resolve(path, ifNoneMatch: null);

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal("text/html; charset=utf-8", answer.Headers["Content-Type"]);
        Assert.Contains("<script type=\"module\" src=\"/js/app.js\"></script>", Encoding.UTF8.GetString(answer.Body.Span), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("/css/app.css", "text/css; charset=utf-8")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public void Files_answer_with_their_content_type(string path, string contentType)
    {
        var answer = Assets.Resolve(path, ifNoneMatch: null);

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(contentType, answer.Headers["Content-Type"]);
        Assert.False(answer.Body.IsEmpty);
    }

    [Theory]
    [InlineData("/js/missing.js")]
    [InlineData("/exports/report.csv")]
    [InlineData("/api/ingest/stats")]
    [InlineData("/api")]
    [InlineData("/../functions/Program.cs")]
    public void Missing_files_and_api_paths_are_not_found_rather_than_the_page(string path)
    {
        var answer = Assets.Resolve(path, ifNoneMatch: null);

        Assert.Equal(404, answer.StatusCode);
        Assert.Equal("nosniff", answer.Headers["X-Content-Type-Options"]);
    }

    [Fact]
    public void Every_answer_carries_a_strict_content_security_policy_and_revalidates()
    {
        foreach (var path in Assets.Paths.Select(path => "/" + path).Append("/exports").Append("/nope.js"))
        {
            var headers = Assets.Resolve(path, ifNoneMatch: null).Headers;

            Assert.Equal(DashboardAssets.ContentSecurityPolicy, headers["Content-Security-Policy"]);
            Assert.StartsWith("default-src 'self'", headers["Content-Security-Policy"], StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", headers["Content-Security-Policy"], StringComparison.Ordinal);
            Assert.Equal("nosniff", headers["X-Content-Type-Options"]);
            Assert.Equal("no-cache", headers["Cache-Control"]);
        }
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("W/{0}")]
    [InlineData("\"other\", {0}")]
    [InlineData("*")]
    public void A_known_ETag_answers_304_without_a_body(string ifNoneMatch)
    {
        var eTag = Assets.Resolve("/js/app.js", null).Headers["ETag"];

        var answer = Assets.Resolve("/js/app.js", string.Format(System.Globalization.CultureInfo.InvariantCulture, ifNoneMatch, eTag));

        Assert.Equal(304, answer.StatusCode);
        Assert.True(answer.Body.IsEmpty);
        Assert.Equal(eTag, answer.Headers["ETag"]);
    }

    [Fact]
    public void A_changed_file_gets_a_new_ETag()
    {
        var app = Assets.Resolve("/js/app.js", null).Headers["ETag"];
        var css = Assets.Resolve("/css/app.css", null).Headers["ETag"];

        Assert.NotEqual(app, css);
        Assert.Equal(200, Assets.Resolve("/css/app.css", app).StatusCode);
    }

    [Fact]
    public void The_page_holds_no_inline_script_and_no_secret()
    {
        foreach (var path in Assets.Paths.Where(path => path.EndsWith(".html", StringComparison.Ordinal) || path.EndsWith(".js", StringComparison.Ordinal)))
        {
            var text = Encoding.UTF8.GetString(Assets.Resolve("/" + path, null).Body.Span);

            Assert.DoesNotContain("local-admin-key", text, StringComparison.Ordinal);
            if (path.EndsWith(".html", StringComparison.Ordinal))
            {
                Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", text);
                Assert.DoesNotMatch("<[^>]+\\son[a-z]+\\s*=", text);
            }
        }
    }
}

/// <summary>
/// The page as the running app serves it through the dev host: the <c>Dashboard</c> function's catch-all at the root
/// (host.json's empty <c>routePrefix</c>) next to the API's literal <c>api/…</c> routes, which keep their URLs.
/// One worker for the class: starting one is the slow part.
/// </summary>
[Collection("Azurite")]
public sealed class DashboardEndpointTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string AdminKey = "local-admin-key";
    private WorkerApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await WorkerApp.StartAsync(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Admin__ApiKey"] = AdminKey,
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_root_is_the_dashboard_and_unknown_api_paths_are_not_found()
    {
        using var root = await _app.Client.GetAsync("/");
        using var route = await _app.Client.GetAsync("/exports/some-id");
        using var unknownApi = await _app.Client.GetAsync("/api/nothing-here");
        using var file = await _app.Client.GetAsync("/js/app.js");
        using var missingFile = await _app.Client.GetAsync("/js/missing.js");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/js/app.js\"></script>", await root.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", root.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Equal("text/html", route.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.Equal("text/javascript", file.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(file.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);
    }

    [Fact]
    public async Task A_head_has_the_headers_without_the_body_and_a_known_etag_answers_not_modified()
    {
        using var first = await _app.Client.GetAsync("/css/app.css");
        using var head = await _app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/css/app.css"));
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/css/app.css");
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var notModified = await _app.Client.SendAsync(revalidate);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(first.Headers.ETag, head.Headers.ETag);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_readme_examples_answer_at_their_urls_ahead_of_the_page()
    {
        using var dryRun = await _app.Client.PostAsync("/api/segment?dryRun=true",
            new StringContent("""{"type":"track","event":"Product Viewed","userId":"u-1"}""", Encoding.UTF8, "application/json"));
        using var health = await _app.Client.GetAsync("/api/health");
        using var partners = await SendWithKeyAsync(HttpMethod.Get, "/api/partners");
        using var exports = await SendWithKeyAsync(HttpMethod.Get, "/api/exports");

        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Equal("application/json", dryRun.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json", health.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, partners.StatusCode);
        Assert.Contains("\"items\"", await partners.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, exports.StatusCode);
        Assert.Equal("application/json", exports.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_event_catalog_needs_the_admin_key_and_lists_both_selections()
    {
        using var refused = await _app.Client.GetAsync("/api/catalog/events");
        using var answer = await SendWithKeyAsync(HttpMethod.Get, "/api/catalog/events");
        var catalog = System.Text.Json.Nodes.JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.AllSystem, catalog["allSystem"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.Engagement, catalog["engagement"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.MaxSelectedNames, catalog["maxSelectedNames"]!.GetValue<int>());
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-functions-key", AdminKey);
        return _app.Client.SendAsync(request);
    }
}
