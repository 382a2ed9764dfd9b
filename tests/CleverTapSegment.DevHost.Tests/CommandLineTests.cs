using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>The dev host's command line, as <c>./dev run</c> uses it: settings file, environment overrides, Ctrl-C.</summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed partial class CommandLineTests(DevHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int SigInt = 2;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private readonly string _settingsPath = Path.Combine(Path.GetTempPath(), $"devhost-settings-{Guid.NewGuid():N}.json");
    private readonly StringBuilder _output = new();

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose()
    {
        lock (_output)
        {
            output.WriteLine(_output.ToString());
        }
        File.Delete(_settingsPath);
        _timeout.Dispose();
    }

    [Fact]
    public async Task It_serves_the_worker_with_the_settings_file_overridden_by_the_environment_and_stops_cleanly_on_ctrl_c()
    {
        var queueName = fixture.UniqueQueueName("cli");
        await File.WriteAllTextAsync(_settingsPath, JsonSerializer.Serialize(new
        {
            IsEncrypted = false,
            Values = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = fixture.StorageConnectionString,
                ["SampleQueue"] = "overridden-by-the-environment",
                ["TickSchedule"] = "0 0 0 1 1 *",
                ["AzureWebJobs.StartupTick.Disabled"] = "true",
            },
        }), Timeout);
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cli = Start(started, ("SampleQueue", queueName));

        var baseAddress = await started.Task.WaitAsync(Timeout);
        using (var client = new HttpClient { BaseAddress = baseAddress })
        using (var response = await client.GetAsync("api/greet/cli", Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Equal(0, Kill(cli.Id, SigInt));
        await cli.WaitForExitAsync(Timeout);

        Assert.Equal(0, cli.ExitCode);
        var printed = Printed();
        Assert.Contains($"Work: queueTrigger on '{queueName}'", printed, StringComparison.Ordinal);
        Assert.Contains("Executed 'Functions.Greet' (Succeeded", printed, StringComparison.Ordinal);
        Assert.Contains("dev host: stopping", printed, StringComparison.Ordinal);
        Assert.Contains("stopped", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_app_directory_it_prints_its_usage_and_fails()
    {
        using var cli = Start(new TaskCompletionSource<Uri>(), arguments: []);

        await cli.WaitForExitAsync(Timeout);

        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("--app is required", Printed(), StringComparison.Ordinal);
    }

    private Process Start(TaskCompletionSource<Uri> started, params (string Name, string Value)[] environment) =>
        Start(started, ["--app", DevHostFixture.SampleWorkerDirectory, "--settings", _settingsPath, "--urls", "http://127.0.0.1:0"], environment);

    private Process Start(TaskCompletionSource<Uri> started, string[] arguments, params (string Name, string Value)[] environment)
    {
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(DevHostFixture.CliPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        var process = new Process { StartInfo = startInfo };
        DataReceivedEventHandler collect = (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line.Data);
            }
            if (ReadyLine().Match(line.Data) is { Success: true } ready)
            {
                started.TrySetResult(new Uri(ready.Groups["address"].Value));
            }
        };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string Printed()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Ctrl-C for a process without a terminal: SIGINT.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);

    [GeneratedRegex(@"^dev host: \d+ functions on (?<address>\S+) ")]
    private static partial Regex ReadyLine();
}
