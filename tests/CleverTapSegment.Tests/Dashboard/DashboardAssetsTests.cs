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

/// <summary>The page as the running app serves it, next to the management API.</summary>
[Collection("Azurite")]
public sealed class DashboardEndpointTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_root_is_the_dashboard_and_the_api_keeps_its_routes()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });

        using var root = await app.Client.GetAsync("/");
        using var route = await app.Client.GetAsync("/exports/some-id");
        using var unknownApi = await app.Client.GetAsync("/api/nothing-here");
        using var file = await app.Client.GetAsync("/js/app.js");
        using var health = await app.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", root.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.Equal("text/javascript", file.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(file.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json", health.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_event_catalog_needs_the_admin_key_and_lists_both_selections()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });

        using var refused = await app.Client.GetAsync("/api/catalog/events");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/catalog/events");
        request.Headers.Add("x-functions-key", "local-admin-key");
        using var answer = await app.Client.SendAsync(request);
        var catalog = System.Text.Json.Nodes.JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.AllSystem, catalog["allSystem"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.Engagement, catalog["engagement"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal(CleverTapSegment.Exports.Model.EventCatalog.MaxSelectedNames, catalog["maxSelectedNames"]!.GetValue<int>());
    }
}
