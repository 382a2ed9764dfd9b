using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Api;

[Collection("Azurite")]
public sealed class ExportsApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(azurite);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_one_time_export_is_created_with_its_resolved_window()
    {
        var partner = await _host.CreatePartnerAsync();

        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner = partner.ToUpperInvariant(),
            dataType = "events",
            events = new { selection = "selected", names = new[] { "App Launched", "Charged", "Charged" } },
            frequency = "oneTime",
            oneTime = new { from = "2026-11-01", to = "2026-11-03" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var export = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal($"/api/exports/{export["id"]}", response.Headers.Location?.OriginalString);
        Assert.Equal(partner, (string?)export["partner"]);
        Assert.Equal("events", (string?)export["dataType"]);
        Assert.Equal(["App Launched", "Charged"], export["events"]!["names"]!.AsArray().Select(name => (string?)name));
        Assert.Equal("oneTime", (string?)export["frequency"]);
        Assert.Equal("segment", (string?)export["format"]);
        Assert.Equal(DateTimeOffset.Parse("2026-11-01T00:00:00Z"), (DateTimeOffset?)export["oneTime"]!["windowStart"]);
        Assert.Equal(DateTimeOffset.Parse("2026-11-04T00:00:00Z"), (DateTimeOffset?)export["oneTime"]!["windowEnd"]);
        Assert.Equal(0, (long?)export["counters"]!["exported"]);
    }

    [Fact]
    public async Task A_recurring_export_waits_for_midnight_of_its_start_date()
    {
        var partner = await _host.CreatePartnerAsync();

        var export = await _host.CreateRecurringAsync(partner, everyHours: 6, startDate: "2026-11-23");

        Assert.Equal("PENDING", (string?)export["status"]);
        Assert.Equal("recurring", (string?)export["frequency"]);
        Assert.Equal(6, (int?)export["recurring"]!["everyHours"]);
        Assert.Equal(DateTimeOffset.Parse("2026-11-23T00:00:00Z"), (DateTimeOffset?)export["nextRunAt"]);
        Assert.Null(export["oneTime"]);
        Assert.Equal(EventCatalog.Engagement, export["events"]!["names"]!.AsArray().Select(name => (string)name!));
    }

    [Fact]
    public async Task A_new_export_that_is_already_due_is_started_without_waiting_for_the_scheduler()
    {
        var partner = await _host.CreatePartnerAsync();

        var oneTime = await _host.CreateOneTimeAsync(partner);
        var startingToday = await _host.CreateRecurringAsync(partner, startDate: "2026-11-22");
        var startingTomorrow = await _host.CreateRecurringAsync(partner, startDate: "2026-11-23");

        Assert.Equal(ApiTestHost.Start, (DateTimeOffset?)oneTime["lastRunAt"]);
        Assert.Equal(DateTimeOffset.Parse("2026-11-22T00:00:00Z"), (DateTimeOffset?)startingToday["lastRunAt"]);
        Assert.Null(startingTomorrow["lastRunAt"]);
    }

    [Fact]
    public async Task A_profiles_export_names_the_event_whose_users_it_exports()
    {
        var partner = await _host.CreatePartnerAsync();

        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner,
            dataType = "profiles",
            profiles = new { @event = "App Launched" },
            frequency = "oneTime",
            oneTime = new { preset = "yesterday" },
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var export = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("App Launched", (string?)export["profiles"]!["event"]);
        Assert.Null(export["events"]);
        Assert.Equal("yesterday", (string?)export["oneTime"]!["preset"]);
    }

    [Fact]
    public async Task An_invalid_export_is_a_400_naming_each_bad_field()
    {
        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner = "nobody-at-all",
            dataType = "events",
            events = new { selection = "selected", names = new[] { "ok", "" } },
            frequency = "oneTime",
            oneTime = new { from = "2026-09-01", to = "2026-09-02" },
            recurring = new { everyHours = 3 },
            format = "csv",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(["events.names[1]", "format", "oneTime.from", "partner", "recurring"], problem["errors"]!.AsObject().Select(pair => pair.Key).Order());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(25)]
    public async Task Recurring_every_hours_outside_4_to_24_is_refused(int everyHours)
    {
        var partner = await _host.CreatePartnerAsync();
        var response = await Client.PostAsJsonAsync("api/exports", new
        {
            partner,
            dataType = "events",
            events = new { selection = "allSystem" },
            frequency = "recurring",
            recurring = new { everyHours, startDate = "2026-11-23" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["recurring.everyHours"]);
    }

    [Theory]
    [InlineData("\"8\"")]
    [InlineData("8.0")]
    [InlineData("true")]
    public async Task Recurring_every_hours_that_is_not_a_json_integer_is_a_400_naming_it_on_create_and_edit(string everyHours)
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;

        var created = await SendJsonAsync(HttpMethod.Post, "api/exports", $$$"""
            {"partner":"{{{partner}}}","dataType":"events","events":{"selection":"allSystem"},"frequency":"recurring",
             "recurring":{"everyHours":{{{everyHours}}},"startDate":"2026-11-23"}}
            """);
        var edited = await SendJsonAsync(HttpMethod.Patch, $"api/exports/{id}", $$$"""{"recurring":{"everyHours":{{{everyHours}}}}}""");

        foreach (var response in new[] { created, edited })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
            Assert.Equal("recurring.everyHours", Assert.Single(errors).Key);
        }
        Assert.Equal(6, (int?)(await Client.GetFromJsonAsync<JsonNode>($"api/exports/{id}"))!["recurring"]!["everyHours"]);
    }

    private async Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string path, string json) =>
        await Client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") });

    [Fact]
    public async Task The_list_pages_newest_first_with_a_continuation_until_the_last_page()
    {
        var partner = await _host.CreatePartnerAsync();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            _host.Time.Advance(TimeSpan.FromSeconds(1));
            ids.Add((string)(await _host.CreateRecurringAsync(partner))["id"]!);
        }
        ids.Reverse();

        var first = (await Client.GetFromJsonAsync<JsonNode>($"api/exports?partner={partner}&pageSize=10"))!;
        var continuation = (string)first["continuation"]!;
        var second = (await Client.GetFromJsonAsync<JsonNode>($"api/exports?partner={partner}&pageSize=10&continuation={Uri.EscapeDataString(continuation)}"))!;

        Assert.Equal(ids[..10], first["items"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Equal(ids[10..], second["items"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Null(second["continuation"]);
        Assert.Null(first["items"]![0]!["runs"]);
    }

    [Fact]
    public async Task The_list_filters_by_type_frequency_and_status()
    {
        var partner = await _host.CreatePartnerAsync();
        var recurring = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        var stopped = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
        (await Client.PostAsync($"api/exports/{stopped}/stop", null)).EnsureSuccessStatusCode();
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        await _host.CreateOneTimeAsync(partner);

        async Task<IEnumerable<string>> ListAsync(string filters) =>
            (await Client.GetFromJsonAsync<JsonNode>($"api/exports?partner={partner}&{filters}"))!["items"]!.AsArray().Select(item => (string)item!["id"]!);

        Assert.Equal([stopped, recurring], await ListAsync("frequency=recurring&type=events&format=segment"));
        Assert.Equal([stopped], await ListAsync("status=STOPPED"));
        Assert.Equal([stopped], (await Client.GetFromJsonAsync<JsonNode>($"api/exports?partner={partner.ToUpperInvariant()}&status=stopped"))!["items"]!.AsArray().Select(item => (string)item!["id"]!));
        Assert.Equal([recurring], await ListAsync("status=pending&frequency=recurring"));
        Assert.Empty(await ListAsync("type=profiles"));
    }

    [Theory]
    [InlineData("pageSize=15", "pageSize")]
    [InlineData("pageSize=100", "pageSize")]
    [InlineData("status=PAUSED", "status")]
    [InlineData("continuation=not-a-cursor", "continuation")]
    public async Task A_bad_list_parameter_is_a_400_naming_it(string query, string field)
    {
        var response = await Client.GetAsync($"api/exports?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![field]);
    }

    [Fact]
    public async Task An_export_is_read_with_its_runs()
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;

        var export = (await Client.GetFromJsonAsync<JsonNode>($"api/exports/{id}"))!;

        Assert.Equal(id, (string?)export["id"]);
        Assert.NotNull(export["runs"]?.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("api/exports/0000000000000000000-aaaaaaaa")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("api/exports/nonsense")).StatusCode);
    }

    [Fact]
    public async Task A_pending_recurring_export_is_edited_and_its_next_run_follows_the_new_schedule()
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;

        var response = await Client.PatchAsJsonAsync($"api/exports/{id}", new
        {
            events = new { selection = "selected", names = new[] { "Charged" } },
            recurring = new { everyHours = 8, startDate = "2026-11-25" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var export = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(8, (int?)export["recurring"]!["everyHours"]);
        Assert.Equal("2026-11-25", (string?)export["recurring"]!["startDate"]);
        Assert.Equal(["Charged"], export["events"]!["names"]!.AsArray().Select(name => (string?)name));
        Assert.Equal(DateTimeOffset.Parse("2026-11-25T00:00:00Z"), (DateTimeOffset?)export["nextRunAt"]);
    }

    [Fact]
    public async Task A_running_export_accepts_an_edit_for_its_next_run()
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
        await _host.SetStatusAsync(id, ExportStatus.Running);

        var response = await Client.PatchAsJsonAsync($"api/exports/{id}", new { recurring = new { everyHours = 12 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var export = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("RUNNING", (string?)export["status"]);
        Assert.Equal(12, (int?)export["recurring"]!["everyHours"]);
    }

    [Theory]
    [InlineData("oneTimeNotEditable")]
    [InlineData("onlyPendingOrRunning")]
    [InlineData("dataTypeFixed")]
    [InlineData("frequencyFixed")]
    public async Task Each_edit_rule_violation_is_a_409_naming_the_rule(string rule)
    {
        var partner = await _host.CreatePartnerAsync();
        string id;
        object patch;
        switch (rule)
        {
            case "oneTimeNotEditable":
                id = (string)(await _host.CreateOneTimeAsync(partner))["id"]!;
                patch = new { events = new { selection = "allSystem" } };
                break;
            case "onlyPendingOrRunning":
                id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
                await _host.SetStatusAsync(id, ExportStatus.Done);
                patch = new { recurring = new { everyHours = 8 } };
                break;
            case "dataTypeFixed":
                id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
                patch = new { dataType = "profiles", profiles = new { @event = "App Launched" } };
                break;
            default:
                id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
                patch = new { frequency = "oneTime", oneTime = new { preset = "yesterday" } };
                break;
        }

        var response = await Client.PatchAsJsonAsync($"api/exports/{id}", patch);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains($"'{rule}'", (string?)(await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_sets_STOPPED_clears_the_next_run_and_is_idempotent()
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;

        var first = await Client.PostAsync($"api/exports/{id}/stop", null);
        var again = await Client.PostAsync($"api/exports/{id}/stop", null);
        var export = (await Client.GetFromJsonAsync<JsonNode>($"api/exports/{id}"))!;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("STOPPED", (string?)export["status"]);
        Assert.Null(export["nextRunAt"]);
        Assert.Equal(ExportStatus.Stopped, (await _host.Store.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task Stopping_a_done_export_is_a_conflict_and_an_unknown_one_404()
    {
        var partner = await _host.CreatePartnerAsync();
        var id = (string)(await _host.CreateRecurringAsync(partner))["id"]!;
        await _host.SetStatusAsync(id, ExportStatus.Done);

        Assert.Equal(HttpStatusCode.Conflict, (await Client.PostAsync($"api/exports/{id}/stop", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PostAsync("api/exports/0000000000000000000-aaaaaaaa/stop", null)).StatusCode);
    }
}
