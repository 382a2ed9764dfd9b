using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Hosting;

[Collection("Azurite")]
public sealed class HealthEndpointTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Health_is_200_when_table_and_queue_storage_answer()
    {
        await using var app = await WorkerApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });

        var response = await app.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", report.RootElement.GetProperty("status").GetString());
        Assert.True(report.RootElement.GetProperty("table").GetProperty("reachable").GetBoolean());
        Assert.True(report.RootElement.GetProperty("queue").GetProperty("reachable").GetBoolean());
    }

    [Fact]
    public async Task Health_is_503_when_storage_does_not_answer()
    {
        var closedPort = ClosedLoopbackPort();
        var unreachable =
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
            $"QueueEndpoint=http://127.0.0.1:{closedPort}/{AzuriteProcess.AccountName};TableEndpoint=http://127.0.0.1:{closedPort}/{AzuriteProcess.AccountName};";
        await using var app = await WorkerApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable });

        var response = await app.Client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", report.RootElement.GetProperty("status").GetString());
        Assert.False(report.RootElement.GetProperty("queue").GetProperty("reachable").GetBoolean());
    }

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
