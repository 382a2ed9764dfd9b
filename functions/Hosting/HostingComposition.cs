using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Hosting;

/// <summary>Composition of the Hosting feature: what the worker takes from the Functions host, its clock and health.</summary>
public static class HostingComposition
{
    /// <summary>
    /// host.json values the app's logic reads (below environment variables, the host's override rule), the
    /// Functions environment, and log levels that keep framework chatter out of the host's logs.
    /// </summary>
    public static IHostApplicationBuilder AddFunctionsHosting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        // Lowest priority, so host.json's logging section and app settings still win.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });
        ConfigurationLayering.InsertBelowEnvironmentVariables(configuration, new HostJsonConfigurationSource(HostJsonConfigurationSource.DefaultPath));

        var services = builder.Services;
        services.TryAddSingleton(provider => FunctionsEnvironment.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton(provider => AppServiceAuthentication.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        services.AddOptions<HostQueueOptions>().BindConfiguration(HostQueueOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostQueueOptions>, HostQueueOptionsValidator>());
        return builder;
    }

    /// <summary>
    /// The app's clock: the system's, or under the dev host the clock file tests move (<see cref="DevHostClock"/>).
    /// Registered before the features, which only add <see cref="TimeProvider.System"/> when none is there.
    /// </summary>
    public static IHostApplicationBuilder AddClock(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(DevHostClock.FromConfiguration(builder.Configuration) ?? TimeProvider.System));
        return builder;
    }

    /// <summary>The storage reachability check behind the <c>Health</c> function.</summary>
    public static IHealthChecksBuilder AddStorageCheck(this IHealthChecksBuilder checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.TryAddSingleton<StorageHealthProbe>();
        return checks.AddCheck<StorageHealthCheck>(StorageHealthCheck.Name);
    }
}
