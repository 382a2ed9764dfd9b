using System.Net;
using System.Text.Json;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CleverTapSegment.Testing;

/// <summary>What <see cref="StandaloneApp.StartAsync(StandaloneAppOptions)"/> starts the app with.</summary>
public sealed class StandaloneAppOptions
{
    /// <summary>
    /// App settings, env-var form (<c>CleverTap__ApiBaseUrl</c>) or configuration form (<c>CleverTap:ApiBaseUrl</c>).
    /// They override the baseline (see <see cref="UseSampleSettings"/>). Give at least <c>AzureWebJobsStorage</c>
    /// (the Azurite fixture's connection string) and the fake URLs (<c>CleverTap__ApiBaseUrl</c>,
    /// <c>Segment__ApiBaseUrl</c>); nothing may leave 127.0.0.1.
    /// </summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Start from the repository's <c>local.settings.sample.json</c> Values (every setting, safe local defaults),
    /// so a test names only what it changes. Default true. A developer's own <c>local.settings.json</c> is never read.
    /// </summary>
    public bool UseSampleSettings { get; set; } = true;

    /// <summary>Replaces the app's <see cref="System.TimeProvider"/> (e.g. <see cref="ManualTimeProvider"/>): timers follow it.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// A directory of <c>&lt;FunctionName&gt;/function.json</c> folders to use instead of the app's own (next to the
    /// dll): for tests that run their own trigger functions. Register those with
    /// <see cref="FunctionRegistration"/> in <see cref="ConfigureServices"/>.
    /// </summary>
    public string? FunctionAppRoot { get; set; }

    /// <summary>Runs after the app's own registrations: replace services, add test functions.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>ASP.NET environment; Development validates DI scopes. Default Development.</summary>
    public string EnvironmentName { get; set; } = "Development";
}

/// <summary>
/// The real app (<c>Program</c>, all features, in standalone mode: its own timer and queue triggers) running
/// in-process on Kestrel at a free 127.0.0.1 port. For end-to-end tests.
/// <example>
/// <code>
/// await using var app = await StandaloneApp.StartAsync(new StandaloneAppOptions
/// {
///     Settings =
///     {
///         ["AzureWebJobsStorage"] = azurite.ConnectionString,
///         ["CleverTap__ApiBaseUrl"] = cleverTapFake.BaseAddress.ToString(),
///         ["Segment__ApiBaseUrl"] = segmentFake.BaseAddress.ToString(),
///     },
///     TimeProvider = time,                                   // optional: a ManualTimeProvider
///     ConfigureServices = services => { /* replace or add services */ },
/// });
/// var response = await app.Client.PostAsync("api/segment", content);      // real HTTP to app.BaseAddress
/// await app.Monitor.FireTimerAsync("ExportScheduler", cancellationToken);  // run a timer function now
/// await app.Monitor.WaitForIdleAsync("export-work", cancellationToken);    // queue drained, nothing in flight
/// </code>
/// </example>
/// Queue listeners use real time (storage leases); set short <c>AzureFunctionsJobHost__extensions__queues__*</c>
/// values (e.g. <c>visibilityTimeout</c> 00:00:00) in <see cref="StandaloneAppOptions.Settings"/> to retry at once.
/// Dispose to stop the app (hosted services stop, in-flight messages are released).
/// Settings given here reach the app when it is built, not while <c>Program</c> composes it: read them through
/// options/<c>IConfiguration</c> at resolve time, never eagerly inside an <c>Add…</c> composition method.
/// </summary>
public sealed class StandaloneApp : IAsyncDisposable
{
    private static readonly SemaphoreSlim s_startGate = new(1, 1);
    private readonly AppFactory _factory;

    private StandaloneApp(AppFactory factory, Uri baseAddress)
    {
        _factory = factory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    /// <summary>The app's root, ending in a slash: <c>http://127.0.0.1:{port}/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client for <see cref="BaseAddress"/> (real HTTP over loopback).</summary>
    public HttpClient Client { get; }

    /// <summary>The app's root service provider.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>The standalone trigger runner's monitor: wait for queues to drain, fire timers, see outcomes.</summary>
    public TriggerRunnerMonitor Monitor => Services.GetRequiredService<TriggerRunnerMonitor>();

    public static Task<StandaloneApp> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeProvider? timeProvider = null)
    {
        var options = new StandaloneAppOptions { TimeProvider = timeProvider };
        foreach (var (key, value) in settings)
        {
            options.Settings[key] = value;
        }
        return StartAsync(options);
    }

    public static async Task<StandaloneApp> StartAsync(StandaloneAppOptions options)
    {
        // WebApplicationFactory finds the app's host through process-wide hosting diagnostics: starting two at once
        // from parallel test classes can cross them, so start-ups take turns (each takes well under a second).
        await s_startGate.WaitAsync();
        var factory = new AppFactory(options, BuildSettings(options));
        try
        {
            factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new StandaloneApp(factory, new Uri(address.TrimEnd('/') + "/"));
        }
        catch (ObjectDisposedException disposed) when (factory.StartupErrors.Count > 0)
        {
            // WebApplicationFactory can lose the start-up exception to a race on the failed host's services; the
            // host logged it, so report that instead.
            await DisposeQuietlyAsync(factory);
            throw new InvalidOperationException("The app failed to start:\n" + string.Join("\n", factory.StartupErrors), disposed);
        }
        catch
        {
            await DisposeQuietlyAsync(factory);
            throw;
        }
        finally
        {
            s_startGate.Release();
        }
    }

    private static async Task DisposeQuietlyAsync(AppFactory factory)
    {
        try
        {
            await factory.DisposeAsync();
        }
        catch (Exception exception) when (exception is ObjectDisposedException or InvalidOperationException or AggregateException or OperationCanceledException)
        {
            // The start-up failure is what the caller needs to see, not the half-built host's teardown.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }

    private const string UnreachableLoopback = "http://127.0.0.1:9/";

    private static Dictionary<string, string?> BuildSettings(StandaloneAppOptions options)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (options.UseSampleSettings)
        {
            foreach (var (key, value) in ReadSampleSettings())
            {
                settings[ToConfigurationKey(key)] = value;
            }
        }
        // Nothing may leave 127.0.0.1: unless a test points them at its fakes, the remote services resolve to a
        // loopback port nothing listens on (the discard port), never to CleverTap's or Segment's real hosts.
        settings[ToConfigurationKey("CleverTap__ApiBaseUrl")] = UnreachableLoopback;
        settings[ToConfigurationKey("Segment__ApiBaseUrl")] = UnreachableLoopback;
        foreach (var (key, value) in options.Settings)
        {
            settings[ToConfigurationKey(key)] = value;
        }
        // The launcher chooses the address; the sample's listen URL must not leak in.
        settings.Remove("ASPNETCORE_URLS");
        settings.Remove(FunctionsHosting.CustomHandlerPortSetting);
        return settings;
    }

    private static string ToConfigurationKey(string key) => key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);

    private static IEnumerable<KeyValuePair<string, string?>> ReadSampleSettings()
    {
        var path = Path.Combine(RepositoryRoot(), "local.settings.sample.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var setting in document.RootElement.GetProperty("Values").EnumerateObject())
        {
            yield return new(setting.Name, setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText());
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CleverTapSegment.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No CleverTapSegment.sln above {AppContext.BaseDirectory}: cannot find local.settings.sample.json.");
    }

    private sealed class AppFactory(StandaloneAppOptions options, Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        private readonly ErrorLogCollector _errors = new();

        public IReadOnlyList<string> StartupErrors => _errors.Entries;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(options.EnvironmentName);
            builder.ConfigureLogging(logging => logging.AddProvider(_errors));
            builder.ConfigureAppConfiguration((_, configuration) =>
            {
                // Hermetic: a developer's local.settings.json must not change what a test sees.
                for (var i = configuration.Sources.Count - 1; i >= 0; i--)
                {
                    if (configuration.Sources[i] is LocalSettingsConfigurationSource)
                    {
                        configuration.Sources.RemoveAt(i);
                    }
                }
                configuration.AddInMemoryCollection(settings);
            });
            builder.ConfigureTestServices(services =>
            {
                if (options.TimeProvider is { } timeProvider)
                {
                    services.RemoveAll<TimeProvider>();
                    services.AddSingleton(timeProvider);
                }
                if (options.FunctionAppRoot is { } root)
                {
                    services.RemoveAll<FunctionAppRoot>();
                    services.AddSingleton(new FunctionAppRoot(root));
                }
                options.ConfigureServices?.Invoke(services);
            });
        }
    }

    /// <summary>Keeps error-level log entries (with their exceptions) to explain a failed start.</summary>
    private sealed class ErrorLogCollector : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _entries = new();

        public IReadOnlyList<string> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Collector(ErrorLogCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner._entries.Enqueue($"{category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
