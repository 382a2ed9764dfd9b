using System.Net;
using System.Text.Json;
using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Hosting;

public sealed class StandaloneAppTests
{
    [Fact]
    public async Task Readiness_probe_answers_on_the_loopback_address()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?>());

        var response = await app.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", app.BaseAddress.Host);
        Assert.True(app.Services.GetRequiredService<HostingMode>().IsStandalone);
    }

    [Fact]
    public async Task Test_settings_override_the_sample_settings()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?> { ["CleverTap__Region"] = "in1" });

        var configuration = app.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("in1", configuration["CleverTap:Region"]);
        Assert.Equal("TEST-ACCOUNT-ID", configuration["CleverTap:AccountId"]);
    }

    [Fact]
    public async Task Host_posts_to_the_function_route_and_gets_the_response_envelope()
    {
        var recorder = new InvocationRecorder();
        await using var app = await StartWithTestFunctionsAsync(recorder);

        var response = await app.Client.PostAsync("/EchoFunction", Json("""
            { "Data": { "message": "{\"id\":1}" }, "Metadata": { "DequeueCount": 3, "Id": "m-9" } }
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var envelope = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, envelope.RootElement.GetProperty("Outputs").ValueKind);
        Assert.NotEmpty(envelope.RootElement.GetProperty("Logs").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, envelope.RootElement.GetProperty("ReturnValue").ValueKind);
        var message = Assert.IsType<QueueTrigger>(Assert.Single(recorder.Triggers));
        Assert.Equal("{\"id\":1}", message.MessageText);
        Assert.Equal(3, message.DequeueCount);
    }

    [Fact]
    public async Task A_failing_function_answers_500_with_the_error_in_the_logs()
    {
        var recorder = new InvocationRecorder();
        await using var app = await StartWithTestFunctionsAsync(recorder);

        var response = await app.Client.PostAsync("/FailingFunction", Json("""
            { "Data": { "message": "x" }, "Metadata": { "DequeueCount": 1, "Id": "m-10" } }
            """));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var envelope = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var log = Assert.Single(envelope.RootElement.GetProperty("Logs").EnumerateArray()).GetString();
        Assert.Contains("Refusing message m-10", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_400()
    {
        await using var app = await StartWithTestFunctionsAsync(new InvocationRecorder());

        var response = await app.Client.PostAsync("/EchoFunction", Json("{ not json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static Task<StandaloneApp> StartWithTestFunctionsAsync(InvocationRecorder recorder) =>
        StandaloneApp.StartAsync(new StandaloneAppOptions
        {
            ConfigureServices = services =>
            {
                services.AddSingleton(recorder);
                services.AddQueueTriggeredFunction<RecordingQueueFunction>("EchoFunction");
                services.AddQueueTriggeredFunction<FailingQueueFunction>("FailingFunction");
            },
        });

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
