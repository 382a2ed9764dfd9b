using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CleverTapSegment.CleverTap;

/// <summary>Registers the typed export client with its resilience handler and the per-account limiters.</summary>
public static class CleverTapExportComposition
{
    public static IServiceCollection AddCleverTapExportClient(this IServiceCollection services)
    {
        services.AddCleverTapAccounts();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CleverTapExportLimiters>();
        services.TryAddTransient<CleverTapExportResilienceHandler>();
        services.AddHttpClient<CleverTapExportClient>(client =>
            {
                // The handler's pipeline bounds each attempt; a client-wide timeout would cut its retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<CleverTapExportResilienceHandler>();
        return services;
    }
}
