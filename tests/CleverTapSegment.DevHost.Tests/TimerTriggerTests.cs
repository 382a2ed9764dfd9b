using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// The sample worker's timers behind the dev host, on a fake clock (no real waiting): occurrences of the
/// NCRONTAB schedule, missed occurrences collapsed into one past-due run, the schedule status kept in blob
/// storage across restarts, RunOnStartup, and schedules the host would reject.
/// </summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed class TimerTriggerTests(DevHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 22, 10, 0, 30, TimeSpan.Zero);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private readonly WorkerLog _log = new();
    private readonly FakeTimeProvider _time = new(s_start);

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose()
    {
        _log.WriteTo(output);
        _timeout.Dispose();
    }

    [Fact]
    public async Task The_timer_fires_at_each_occurrence_of_its_schedule_as_the_clock_reaches_it()
    {
        await using var host = await DevHostServer.StartAsync(Options(), Timeout);

        var firstOccurrence = await host.Monitor.WaitForTimerArmedAsync("Tick", Timeout);
        Assert.Empty(_log.Messages("Tick fired"));
        _time.SetUtcNow(firstOccurrence);
        var first = await _log.WaitForMessageAsync("Tick fired", Timeout);
        var secondOccurrence = await host.Monitor.WaitForTimerArmedAsync("Tick", Timeout);
        _time.SetUtcNow(secondOccurrence);
        await host.Monitor.WaitForInvocationAsync(invocation => invocation.FunctionName == "Tick" && invocation.At >= secondOccurrence, Timeout);
        var second = await _log.WaitForAsync(entry => entry.Message.StartsWith("Tick fired", StringComparison.Ordinal) && entry != first, Timeout);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), firstOccurrence);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 10, 0, TimeSpan.Zero), secondOccurrence);
        Assert.Equal("Tick fired isPastDue=False last=0001-01-01T00:00:00.0000000 next=2026-11-22T10:10:00.0000000Z", first.Message);
        Assert.Equal("Tick fired isPastDue=False last=2026-11-22T10:05:00.0000000Z next=2026-11-22T10:15:00.0000000Z", second.Message);
    }

    [Fact]
    public async Task Occurrences_missed_while_running_fire_once_as_past_due()
    {
        await using var host = await DevHostServer.StartAsync(Options(), Timeout);

        var due = await host.Monitor.WaitForTimerArmedAsync("Tick", Timeout);
        _time.SetUtcNow(due.AddMinutes(12)); // 10:17, past 10:05, 10:10 and 10:15
        var late = await host.Monitor.WaitForInvocationAsync(invocation => invocation.FunctionName == "Tick", Timeout);
        var nextOccurrence = await host.Monitor.WaitForTimerArmedAsync("Tick", Timeout);

        Assert.Equal(TriggerOutcome.Succeeded, late.Outcome);
        Assert.True(late.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 20, 0, TimeSpan.Zero), nextOccurrence);
        Assert.Single(host.Monitor.Invocations, invocation => invocation.FunctionName == "Tick");
        Assert.StartsWith("Tick fired isPastDue=True", (await _log.WaitForMessageAsync("Tick fired", Timeout)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_occurrence_missed_while_the_host_was_down_runs_at_start_up_as_past_due()
    {
        var options = Options();
        await using (var first = await DevHostServer.StartAsync(options, Timeout))
        {
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), await first.Monitor.WaitForTimerArmedAsync("Tick", Timeout));
        }

        await using var second = await DevHostServer.StartAsync(Options(new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 7, 0, TimeSpan.Zero)), options), Timeout);
        var caughtUp = await second.Monitor.WaitForInvocationAsync(invocation => invocation.FunctionName == "Tick", Timeout);
        var next = await second.Monitor.WaitForTimerArmedAsync("Tick", Timeout);

        Assert.True(caughtUp.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 10, 0, TimeSpan.Zero), next);
        Assert.Single(second.Monitor.Invocations, invocation => invocation.FunctionName == "Tick");
        var status = fixture.Blobs.GetBlobContainerClient("azure-webjobs-hosts")
            .GetBlobClient($"timers/{options.Settings["AzureFunctionsWebHost__hostid"]}/Host.Functions.Tick/status");
        Assert.Contains("\"Next\":\"2026-11-22T10:10:00Z\"", (await status.DownloadContentAsync(Timeout)).Value.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restart_before_the_next_occurrence_runs_nothing_early()
    {
        var options = Options();
        await using (var first = await DevHostServer.StartAsync(options, Timeout))
        {
            await first.Monitor.WaitForTimerArmedAsync("Tick", Timeout);
        }

        await using var second = await DevHostServer.StartAsync(Options(new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 3, 0, TimeSpan.Zero)), options), Timeout);
        var next = await second.Monitor.WaitForTimerArmedAsync("Tick", Timeout);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), next);
        Assert.DoesNotContain(second.Monitor.Invocations, invocation => invocation.FunctionName == "Tick");
    }

    [Fact]
    public async Task Run_on_startup_fires_once_before_the_first_occurrence()
    {
        var options = Options();
        options.Settings.Remove("AzureWebJobs.StartupTick.Disabled");
        await using var host = await DevHostServer.StartAsync(options, Timeout);

        var startupRun = await host.Monitor.WaitForInvocationAsync(invocation => invocation.FunctionName == "StartupTick", Timeout);
        var firstOccurrence = await host.Monitor.WaitForTimerArmedAsync("StartupTick", Timeout);

        Assert.False(startupRun.IsPastDue);
        Assert.Equal(TriggerOutcome.Succeeded, startupRun.Outcome);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), firstOccurrence);
        Assert.Single(host.Monitor.Invocations, invocation => invocation.FunctionName == "StartupTick");
    }

    [Fact]
    public async Task Fire_timer_runs_the_function_now()
    {
        await using var host = await DevHostServer.StartAsync(Options(), Timeout);

        var result = await host.Monitor.FireTimerAsync("Tick", Timeout);

        Assert.True(result.Succeeded);
        Assert.Null(result.Error);
        var fired = await _log.WaitForMessageAsync("Tick fired", Timeout);
        Assert.Equal(result.InvocationId, fired.InvocationId);
        Assert.StartsWith("Tick fired isPastDue=False", fired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_that_is_not_six_field_ncrontab_fails_start_up_naming_the_function()
    {
        var options = Options();
        options.Settings["TickSchedule"] = "*/5 * * * *";

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DevHostServer.StartAsync(options, Timeout));

        Assert.StartsWith("Tick:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("NCRONTAB", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_setting_that_is_missing_fails_start_up_naming_the_setting()
    {
        var options = Options();
        options.Settings.Remove("TickSchedule");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => DevHostServer.StartAsync(options, Timeout));

        Assert.Contains("%TickSchedule%", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The sample worker with StartupTick off; <paramref name="sameHostAs"/> shares a host id (the timer status folder).</summary>
    private DevHostOptions Options(FakeTimeProvider? time = null, DevHostOptions? sameHostAs = null)
    {
        var options = fixture.Options(_log, fixture.UniqueQueueName("timer"), time ?? _time);
        options.Settings["AzureWebJobs.StartupTick.Disabled"] = "true";
        if (sameHostAs is not null)
        {
            options.Settings["AzureFunctionsWebHost__hostid"] = sameHostAs.Settings["AzureFunctionsWebHost__hostid"];
        }
        return options;
    }
}
