using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>The standalone runner's timers, on a manual clock: no sleeps, no real waiting.</summary>
public sealed class TimerRunnerTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 22, 10, 0, 30, TimeSpan.Zero);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly TemporaryFunctionAppRoot _appRoot = new();
    private readonly InvocationRecorder _recorder = new();
    private readonly ManualTimeProvider _time = new(s_start);

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose()
    {
        _appRoot.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Timer_fires_at_each_occurrence_of_its_schedule_as_the_clock_reaches_it()
    {
        _appRoot.AddTimer("TickTimer", "%Test__TickSchedule%");
        await using var app = await StartAsync(("Test__TickSchedule", "0 */5 * * * *"));

        var firstOccurrence = await app.Monitor.WaitForTimerArmedAsync("TickTimer", Timeout);
        Assert.Empty(_recorder.Triggers);
        _time.SetUtcNow(firstOccurrence);
        var first = await _recorder.WaitForAsync<TimerTrigger>(1, Timeout);

        var secondOccurrence = await app.Monitor.WaitForTimerArmedAsync("TickTimer", Timeout);
        _time.SetUtcNow(secondOccurrence);
        var second = await _recorder.WaitForAsync<TimerTrigger>(2, Timeout);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), firstOccurrence);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 10, 0, TimeSpan.Zero), secondOccurrence);
        Assert.False(first.IsPastDue);
        Assert.Null(first.LastRun);
        Assert.Equal(secondOccurrence, first.NextRun);
        Assert.False(second.IsPastDue);
        Assert.Equal(firstOccurrence, second.LastRun);
    }

    [Fact]
    public async Task Missed_occurrences_fire_once_as_past_due()
    {
        _appRoot.AddTimer("TickTimer", "0 */5 * * * *");
        await using var app = await StartAsync();

        var due = await app.Monitor.WaitForTimerArmedAsync("TickTimer", Timeout);
        _time.SetUtcNow(due.AddMinutes(12)); // 10:17, past 10:05, 10:10 and 10:15
        var late = await _recorder.WaitForAsync<TimerTrigger>(1, Timeout);
        var nextOccurrence = await app.Monitor.WaitForTimerArmedAsync("TickTimer", Timeout);

        Assert.True(late.IsPastDue);
        Assert.Single(_recorder.Triggers);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 20, 0, TimeSpan.Zero), nextOccurrence);
        var outcome = Assert.Single(app.Monitor.Invocations);
        Assert.Equal(TriggerOutcome.Succeeded, outcome.Outcome);
        Assert.True(outcome.IsPastDue);
    }

    [Fact]
    public async Task Run_on_startup_fires_once_before_the_first_occurrence()
    {
        _appRoot.AddTimer("TickTimer", "0 0 * * * *", runOnStartup: true);
        await using var app = await StartAsync();

        var startupRun = await _recorder.WaitForAsync<TimerTrigger>(1, Timeout);
        var firstOccurrence = await app.Monitor.WaitForTimerArmedAsync("TickTimer", Timeout);

        Assert.False(startupRun.IsPastDue);
        Assert.Single(_recorder.Triggers);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 11, 0, 0, TimeSpan.Zero), firstOccurrence);
    }

    [Fact]
    public async Task Fire_timer_runs_the_function_now_through_the_envelope()
    {
        _appRoot.AddTimer("TickTimer", "0 0 0 1 1 *");
        await using var app = await StartAsync();

        var result = await app.Monitor.FireTimerAsync("TickTimer", Timeout);

        Assert.True(result.Succeeded);
        var trigger = Assert.IsType<TimerTrigger>(Assert.Single(_recorder.Triggers));
        Assert.False(trigger.IsPastDue);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), trigger.NextRun);
    }

    [Fact]
    public async Task A_schedule_that_is_not_six_field_ncrontab_fails_start_up_naming_the_function()
    {
        _appRoot.AddTimer("TickTimer", "*/5 * * * *");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync());

        Assert.Contains("TickTimer", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("NCRONTAB", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schedule_setting_that_is_missing_fails_start_up_naming_the_setting()
    {
        _appRoot.AddTimer("TickTimer", "%Test__MissingSchedule%");

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync());

        Assert.Contains("Test__MissingSchedule", failure.ToString(), StringComparison.Ordinal);
    }

    private Task<StandaloneApp> StartAsync(params (string Key, string Value)[] settings)
    {
        var options = new StandaloneAppOptions
        {
            TimeProvider = _time,
            FunctionAppRoot = _appRoot.Path,
            ConfigureServices = services =>
            {
                services.AddSingleton(_recorder);
                services.AddTimerTriggeredFunction<RecordingTimerFunction>("TickTimer");
            },
        };
        foreach (var (key, value) in settings)
        {
            options.Settings[key] = value;
        }
        return StandaloneApp.StartAsync(options);
    }
}
