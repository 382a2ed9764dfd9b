using System.Net;
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
}
