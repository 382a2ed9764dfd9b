using System.Diagnostics;
using System.Net;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>Killing, restarting and stopping the worker process, as crash tests of the app do.</summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed class WorkerLifecycleTests(DevHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private readonly WorkerLog _log = new();
    private readonly string _queueName = fixture.UniqueQueueName("life");

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose()
    {
        _log.WriteTo(output);
        _timeout.Dispose();
    }

    [Fact]
    public async Task A_killed_worker_answers_503_until_a_restart_brings_a_new_one()
    {
        await using var host = await StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var killed = host.WorkerProcessId;

        await host.KillWorkerAsync();
        using var whileDown = await client.GetAsync("api/greet/ada", Timeout);
        await host.RestartWorkerAsync(Timeout);
        using var afterRestart = await client.GetAsync("api/greet/ada", Timeout);

        Assert.False(IsRunning(killed));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown.StatusCode);
        Assert.NotEqual(killed, host.WorkerProcessId);
        Assert.True(IsRunning(host.WorkerProcessId));
        Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
    }

    [Fact]
    public async Task Restarting_a_running_worker_stops_it_and_loads_the_functions_into_a_new_one()
    {
        await using var host = await StartAsync();
        var first = host.WorkerProcessId;

        await host.RestartWorkerAsync(Timeout);
        var result = await host.Monitor.FireTimerAsync("Tick", Timeout);

        Assert.False(IsRunning(first));
        Assert.NotEqual(first, host.WorkerProcessId);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task A_message_whose_worker_is_killed_mid_run_stays_invisible_and_is_not_retried_at_once()
    {
        await using var host = await StartAsync();
        await fixture.Queues.GetQueueClient(_queueName).SendMessageAsync("sleep:60000", Timeout);
        await _log.WaitForMessageAsync("Work received 'sleep:60000'", Timeout);

        await host.KillWorkerAsync();
        var lost = await host.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _queueName, Timeout);
        await host.RestartWorkerAsync(Timeout);
        await host.Monitor.WaitForIdleAsync(_queueName, Timeout);

        Assert.Equal(TriggerOutcome.WorkerLost, lost.Outcome);
        Assert.Single(_log.Messages("Work received"));
        var queue = fixture.Queues.GetQueueClient(_queueName);
        Assert.Empty((await queue.PeekMessagesAsync(32, Timeout)).Value);
        Assert.Equal(1, (await queue.GetPropertiesAsync(Timeout)).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Disposing_the_host_ends_the_worker_process()
    {
        var host = await StartAsync();
        var worker = host.WorkerProcessId;

        await host.DisposeAsync();

        Assert.False(IsRunning(worker));
        Assert.Equal(0, host.WorkerProcessId);
    }

    private async Task<DevHostServer> StartAsync()
    {
        await fixture.Queues.GetQueueClient(_queueName).CreateIfNotExistsAsync(cancellationToken: Timeout);
        var options = fixture.Options(_log, _queueName);
        options.Settings["AzureWebJobs.StartupTick.Disabled"] = "true";
        options.Settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500";
        return await DevHostServer.StartAsync(options, Timeout);
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
