using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.CleverTap;

/// <summary>Registers the CleverTap settings, validated at start-up, and the resolved accounts.</summary>
public static class CleverTapComposition
{
    public static IServiceCollection AddCleverTapAccounts(this IServiceCollection services)
    {
        services.AddOptions<CleverTapOptions>().BindConfiguration(CleverTapOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CleverTapOptions>, CleverTapOptionsValidator>());
        services.TryAddSingleton<CleverTapAccounts>();
        return services;
    }

    /// <summary>The typed upload/delete client with its resilience pipeline in the handler chain.</summary>
    public static IServiceCollection AddCleverTapClient(this IServiceCollection services)
    {
        services.AddCleverTapAccounts();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CleverTapResiliencePipelines>();
        services.TryAddTransient<CleverTapResilienceHandler>();
        services.AddHttpClient<CleverTapClient>(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline bounds every call
            .AddHttpMessageHandler<CleverTapResilienceHandler>();
        return services;
    }
}
