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
}
