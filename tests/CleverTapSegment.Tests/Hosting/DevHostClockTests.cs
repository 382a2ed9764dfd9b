using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Configuration;

namespace CleverTapSegment.Tests.Hosting;

public sealed class DevHostClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static IConfiguration Settings(string? clockFile, string? environment) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DevHost:ClockFile"] = clockFile,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = environment,
        }).Build();

    [Fact]
    public void In_development_the_app_reads_now_from_the_clock_file_on_every_call()
    {
        using var clock = new WorkerClock(Start);
        using var appClock = DevHostClock.FromConfiguration(Settings(clock.FilePath, "Development"));

        Assert.NotNull(appClock);
        Assert.Equal(Start, appClock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(Start.AddMinutes(15), appClock.GetUtcNow());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData(null)]
    public void Outside_development_the_clock_file_is_ignored(string? environment)
    {
        using var clock = new WorkerClock(Start);

        Assert.Null(DevHostClock.FromConfiguration(Settings(clock.FilePath, environment)));
    }

    [Fact]
    public void Without_the_setting_the_app_keeps_the_system_clock()
    {
        Assert.Null(DevHostClock.FromConfiguration(Settings(null, "Development")));
    }

    [Fact]
    public void A_clock_file_that_cannot_be_read_fails_naming_the_setting()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"ctseg-no-clock-{Guid.NewGuid():N}");

        var error = Assert.Throws<InvalidOperationException>(() => DevHostClock.FromConfiguration(Settings(missing, "Development")));

        Assert.Contains("DevHost__ClockFile", error.Message, StringComparison.Ordinal);
    }
}
