using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>
/// The built app started the way the Functions host starts it (<c>dotnet CleverTapSegment.Functions.dll</c> with
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>), from a working directory that is not the app root.
/// </summary>
public sealed class CustomHandlerProcessTests
{
    [Fact]
    public async Task With_a_custom_handler_port_the_app_listens_on_loopback_at_that_port_and_runs_no_triggers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var port = FreeLoopbackPort();
        var workingDirectory = Directory.CreateTempSubdirectory("ctseg-cwd-");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CleverTapSegment.Functions.dll"));
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:1";
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        // The features validate their settings at start-up; give them what an app in Azure would have.
        start.Environment["CleverTap__AccountId"] = "TEST-ACCOUNT";
        start.Environment["CleverTap__Passcode"] = "test-passcode";
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            output.Enqueue(line.Data);
            if (line.Data.Contains("Now listening on", StringComparison.Ordinal)) listening.TrySetResult();
        };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) output.Enqueue(line.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(listening.Task, process.WaitForExitAsync(timeout.Token));
            Assert.True(listening.Task.IsCompleted, "the app did not start:\n" + string.Join('\n', output));

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            var readiness = await client.GetAsync("/", timeout.Token);
            var unknownFunction = await client.PostAsync("/NoSuchFunction", new StringContent("{}"), timeout.Token);

            Assert.Equal(HttpStatusCode.OK, readiness.StatusCode);
            Assert.Contains("custom handler", await readiness.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, unknownFunction.StatusCode);
            Assert.Contains(output, line => line.Contains($"http://127.0.0.1:{port}", StringComparison.Ordinal));
            Assert.DoesNotContain(output, line => line.Contains("standalone runner", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            workingDirectory.Delete(recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
