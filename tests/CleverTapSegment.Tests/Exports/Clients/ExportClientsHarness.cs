using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleverTapSegment.Tests.Exports.Clients;

/// <summary>The two typed clients wired exactly as the app wires them, with settings and a clock chosen by the test.</summary>
internal sealed class ExportClientsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ExportClientsHarness(ServiceProvider services, ImmediateTimeProvider clock)
    {
        _services = services;
        Clock = clock;
    }

    public ImmediateTimeProvider Clock { get; }

    public CleverTapExportClient CleverTap => _services.GetRequiredService<CleverTapExportClient>();

    public CleverTapAccount Account => _services.GetRequiredService<CleverTapAccounts>().Default;

    public SegmentTrackingClient Segment => _services.GetRequiredService<SegmentTrackingClient>();

    public static ExportClientsHarness Create(IDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["CleverTap:AccountId"] = "TEST-ACCOUNT-ID",
            ["CleverTap:Passcode"] = "test-passcode",
            ["CleverTap:Region"] = "eu1",
        };
        foreach (var (key, value) in settings)
            values[key] = value;
        var clock = new ImmediateTimeProvider(new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddCleverTapExportClient();
        services.AddSegmentTrackingClient();
        configure?.Invoke(services);
        return new ExportClientsHarness(services.BuildServiceProvider(), clock);
    }

    public static ExportClientsHarness ForCleverTap(Uri baseAddress, string passcode = "test-passcode")
        => Create(new Dictionary<string, string?> { ["CleverTap:ApiBaseUrl"] = baseAddress.AbsoluteUri, ["CleverTap:Passcode"] = passcode });

    public static ExportClientsHarness ForSegment(Uri? baseAddress, Action<IServiceCollection>? configure = null)
        => Create(new Dictionary<string, string?> { ["Segment:ApiBaseUrl"] = baseAddress?.AbsoluteUri }, configure);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
