using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>Services of the management API (<see cref="ManagementFunctions"/>: <c>api/partners…</c>, <c>api/exports…</c>).</summary>
public static class ExportsApiComposition
{
    public static IServiceCollection AddExportsApi(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>());
        // Hosting registers TimeProvider.System too; TryAdd keeps this feature composable on its own (tests).
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ExportStore>();
        services.TryAddSingleton(provider => AppServiceAuthentication.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<ManagementAccess>();
        services.AddCleverTapAccounts();
        return services;
    }
}
