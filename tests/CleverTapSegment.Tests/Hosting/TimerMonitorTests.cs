using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>The schedule monitor (<c>useMonitor</c>) across restarts, on a manual clock and a real Azurite.</summary>
[Collection("Azurite")]
public sealed class TimerMonitorTests(AzuriteFixture azurite) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly TemporaryFunctionAppRoot _appRoot = new();
    private readonly InvocationRecorder _recorder = new();
    private readonly string _functionName = "Tick" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose()
    {
        _appRoot.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task An_occurrence_missed_while_the_app_was_down_runs_at_start_up_as_past_due()
    {
        _appRoot.AddTimer(_functionName, "0 */5 * * * *", useMonitor: true);
        await using (var first = await StartAsync(new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 30, TimeSpan.Zero))))
        {
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), await first.Monitor.WaitForTimerArmedAsync(_functionName, _timeout.Token));
        }

        await using var second = await StartAsync(new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 7, 0, TimeSpan.Zero)));
        var caughtUp = await _recorder.WaitForAsync<TimerTrigger>(1, _timeout.Token);
        var next = await second.Monitor.WaitForTimerArmedAsync(_functionName, _timeout.Token);

        Assert.True(caughtUp.IsPastDue);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 10, 0, TimeSpan.Zero), next);
        Assert.Single(_recorder.Triggers);
    }

    [Fact]
    public async Task A_restart_before_the_next_occurrence_runs_nothing_early()
    {
        _appRoot.AddTimer(_functionName, "0 */5 * * * *", useMonitor: true);
        await using (var first = await StartAsync(new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 30, TimeSpan.Zero))))
        {
            await first.Monitor.WaitForTimerArmedAsync(_functionName, _timeout.Token);
        }

        await using var second = await StartAsync(new ManualTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 3, 0, TimeSpan.Zero)));
        var next = await second.Monitor.WaitForTimerArmedAsync(_functionName, _timeout.Token);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), next);
        Assert.Empty(_recorder.Triggers);
    }

    private Task<StandaloneApp> StartAsync(ManualTimeProvider time) =>
        StandaloneApp.StartAsync(new StandaloneAppOptions
        {
            TimeProvider = time,
            FunctionAppRoot = _appRoot.Path,
            Settings = { ["AzureWebJobsStorage"] = azurite.ConnectionString },
            ConfigureServices = services =>
            {
                services.AddSingleton(_recorder);
                services.AddTimerTriggeredFunction<RecordingTimerFunction>(_functionName);
            },
        });
}
