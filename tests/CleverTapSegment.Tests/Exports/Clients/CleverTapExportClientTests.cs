using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Tests.Exports.Clients;

public sealed class CleverTapExportClientTests
{
    private static readonly DateOnly Day1 = new(2026, 11, 1);
    private static readonly DateOnly Day2 = new(2026, 11, 2);

    [Fact]
    public async Task Cursor_flow_reads_every_record_of_the_range_to_the_last_page()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { RecordsPerDay = (_, day) => day == Day1 ? 12 : 9 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);

        var records = await ReadAllAsync(harness, ExportDataType.Events, "Charged", Day1, Day2, batchSize: 5);

        var expected = fake.RecordsFor(ExportDataType.Events, "Charged", Day1).Concat(fake.RecordsFor(ExportDataType.Events, "Charged", Day2));
        Assert.Equal(expected.Select(Canonical), records.Select(Canonical));
        Assert.Equal(5, fake.PagesServed);
        Assert.Equal(21, fake.RecordsServed);
    }

    [Fact]
    public async Task Profiles_use_the_profiles_cursor_endpoints()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { RecordsPerDay = (_, _) => 3 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);

        var records = await ReadAllAsync(harness, ExportDataType.Profiles, "App Launched", Day1, Day1, batchSize: 5000);

        Assert.Equal(fake.RecordsFor(ExportDataType.Profiles, "App Launched", Day1).Select(Canonical), records.Select(Canonical));
        Assert.All(records, record => Assert.True(record.TryGetProperty("profileData", out _)));
    }

    [Fact]
    public async Task Percent_encoded_cursors_are_decoded_once_and_encoded_once()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { RecordsPerDay = (_, _) => 4 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);

        var cursor = await harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "App Launched", Day1, Day1, 2, CancellationToken.None);
        using var page = await harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, cursor, CancellationToken.None);

        // The fake's cursors are base64 with '+', '/' or '=' and come back percent-encoded, as CleverTap's do.
        Assert.DoesNotContain('%', cursor);
        Assert.DoesNotContain('%', page.NextCursor!);
        Assert.Equal(2, page.Records.Count);
    }

    [Fact]
    public async Task Still_in_progress_is_asked_again_on_the_same_cursor()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { RecordsPerDay = (_, _) => 3, InProgressAnswersPerPage = 2 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);

        var records = await ReadAllAsync(harness, ExportDataType.Events, "Charged", Day1, Day1, batchSize: 2);

        Assert.Equal(3, records.Count);
        Assert.Equal(4, fake.InProgressAnswers);
        Assert.Equal(2, fake.PagesServed);
    }

    [Fact]
    public async Task Still_in_progress_beyond_the_retries_fails_as_in_progress()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { InProgressAnswersPerPage = 1000 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);
        var cursor = await harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Charged", Day1, Day1, 10, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, cursor, CancellationToken.None));

        Assert.Equal(ExportFailureKind.InProgress, failure.Kind);
        Assert.Equal(7, fake.InProgressAnswers);
        Assert.Equal(0, fake.PagesServed);
    }

    [Fact]
    public async Task Notification_event_is_not_allowed()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync();
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Notification Sent", Day1, Day1, 10, CancellationToken.None));

        Assert.Equal(ExportFailureKind.NotAllowed, failure.Kind);
        Assert.Equal(400, failure.StatusCode);
        Assert.Contains("Export not allowed for this event", failure.Message);
        Assert.Equal(1, fake.NotAllowedAnswers);
    }

    [Fact]
    public async Task Wrong_passcode_is_unauthorized_and_never_in_the_message()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync();
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress, passcode: "wrong-passcode-1234");

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Charged", Day1, Day1, 10, CancellationToken.None));

        Assert.Equal(ExportFailureKind.Unauthorized, failure.Kind);
        Assert.Equal(401, failure.StatusCode);
        Assert.DoesNotContain("wrong-passcode-1234", failure.Message);
        Assert.Equal(1, fake.UnauthorizedAnswers);
    }

    [Fact]
    public async Task No_more_than_three_export_calls_per_account_run_at_once()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync();
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        fake.HoldResponses();

        var calls = Enumerable.Range(0, 8)
            .Select(i => harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, $"Event {i}", Day1, Day1, 10, timeout.Token))
            .ToArray();
        await fake.WaitForConcurrentCallsAsync(3, timeout.Token);
        fake.ReleaseResponses();
        var cursors = await Task.WhenAll(calls);

        Assert.Equal(8, cursors.Distinct().Count());
        Assert.Equal(3, fake.MaxConcurrentCallsObserved);
        Assert.Equal(0, fake.TooManyRequestsAnswers);
    }

    [Fact]
    public async Task Server_errors_are_retried_then_the_page_is_served()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync(new() { RecordsPerDay = (_, _) => 3 });
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);
        fake.FailPage(0, times: 2, statusCode: 503);

        var records = await ReadAllAsync(harness, ExportDataType.Events, "Charged", Day1, Day1, batchSize: 10);

        Assert.Equal(3, records.Count);
        Assert.Equal(2, fake.InjectedFailures);
        Assert.Equal(2, harness.Clock.Delays.Count);
    }

    [Fact]
    public async Task Persistent_server_errors_fail_as_transient_after_the_retries()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync();
        await using var harness = ExportClientsHarness.ForCleverTap(fake.BaseAddress);
        fake.FailPage(0);
        var cursor = await harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Charged", Day1, Day1, 10, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, cursor, CancellationToken.None));

        Assert.Equal(ExportFailureKind.Transient, failure.Kind);
        Assert.Equal(500, failure.StatusCode);
        Assert.Equal(6, fake.InjectedFailures);
    }

    [Fact]
    public async Task Unreachable_host_fails_as_transient()
    {
        var closed = await ClosedLoopbackAddressAsync();
        await using var harness = ExportClientsHarness.ForCleverTap(closed);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Charged", Day1, Day1, 10, CancellationToken.None));

        Assert.Equal(ExportFailureKind.Transient, failure.Kind);
        Assert.Null(failure.StatusCode);
    }

    [Fact]
    public async Task A_repeating_cursor_fails_instead_of_looping()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/1/events.json", (HttpContext context) => Results.Json(new
            {
                status = "success",
                next_cursor = context.Request.Query["cursor"].ToString(),
                records = new[] { new { ts = 20261101000000 } },
            })));
        await using var harness = ExportClientsHarness.ForCleverTap(server.BaseAddress);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, "same-cursor", CancellationToken.None));

        Assert.Equal(ExportFailureKind.Permanent, failure.Kind);
        Assert.Contains("same cursor", failure.Message);
    }

    [Fact]
    public async Task A_page_is_read_whatever_the_order_of_its_properties_and_its_records_keep_their_order()
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/1/events.json", () => Results.Text(
                """{"next_cursor":"next%2Bpage","status":"success","meta":{"records":[0]},"records":[{"n":1,"nested":{"records":[]}},{"n":2},{"n":3}]}""",
                "application/json")));
        await using var harness = ExportClientsHarness.ForCleverTap(server.BaseAddress);

        using var page = await harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, "cursor", CancellationToken.None);

        Assert.Equal("next+page", page.NextCursor);
        Assert.Equal(3, page.Records.Count);
        Assert.Equal([1, 2, 3], page.Records.Select(record => record.GetProperty("n").GetInt32()));
        Assert.Equal([1, 2, 3], page.Records.Select(record => record.GetProperty("n").GetInt32()));
    }

    [Theory]
    [InlineData("""{"status":"success","records":[{"n":1},{"n":2]}""")]
    [InlineData("""{"status":"success","records":[{"n":1}]} trailing""")]
    [InlineData("""[{"n":1}]""")]
    [InlineData("""{"status":"success","records":[{"n":1}""")]
    public async Task A_malformed_page_fails_for_good_before_any_record_is_read(string body)
    {
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapGet("/1/events.json", () => Results.Text(body, "application/json")));
        await using var harness = ExportClientsHarness.ForCleverTap(server.BaseAddress);

        var failure = await Assert.ThrowsAsync<CleverTapExportException>(
            () => harness.CleverTap.GetPageAsync(harness.Account, ExportDataType.Events, "cursor", CancellationToken.None));

        Assert.Equal(ExportFailureKind.Permanent, failure.Kind);
    }

    [Fact]
    public async Task Open_cursor_sends_days_as_yyyymmdd_numbers_with_a_json_content_type()
    {
        string? body = null, contentType = null, query = null;
        await using var server = await LoopbackServer.StartAsync(app =>
            app.MapPost("/1/events.json", async (HttpContext context) =>
            {
                contentType = context.Request.ContentType;
                query = context.Request.QueryString.Value;
                body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                return Results.Json(new { status = "success", cursor = "abc%2B%2F%3D" });
            }));
        await using var harness = ExportClientsHarness.ForCleverTap(server.BaseAddress);

        var cursor = await harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, "Charged", Day1, Day2, 5000, CancellationToken.None);

        Assert.Equal("abc+/=", cursor);
        Assert.Equal("application/json", contentType);
        Assert.Equal("?batch_size=5000", query);
        Assert.Equal("""{"event_name":"Charged","from":20261101,"to":20261102}""", body);
    }

    private static async Task<List<JsonElement>> ReadAllAsync(ExportClientsHarness harness, ExportDataType dataType, string eventName, DateOnly from, DateOnly to, int batchSize)
    {
        var records = new List<JsonElement>();
        string? cursor = await harness.CleverTap.OpenCursorAsync(harness.Account, dataType, eventName, from, to, batchSize, CancellationToken.None);
        while (cursor is not null)
        {
            using var page = await harness.CleverTap.GetPageAsync(harness.Account, dataType, cursor, CancellationToken.None);
            records.AddRange(page.Records.Select(record => record.Clone()));
            cursor = page.NextCursor;
        }
        return records;
    }

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static string Canonical(JsonElement element) => JsonSerializer.Serialize(element);

    /// <summary>A loopback address nothing listens on: a server started and stopped.</summary>
    private static async Task<Uri> ClosedLoopbackAddressAsync()
    {
        var server = await LoopbackServer.StartAsync(_ => { });
        var address = server.BaseAddress;
        await server.DisposeAsync();
        return address;
    }
}
