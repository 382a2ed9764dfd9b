using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>Services and routes of the management API (the <c>ExportsApi</c> function: <c>api/partners…</c>, <c>api/exports…</c>).</summary>
public static class ExportsApiComposition
{
    public static IServiceCollection AddExportsApi(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>());
        // Hosting registers TimeProvider.System too; TryAdd keeps this feature composable on its own (tests).
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ExportStore>();
        services.AddCleverTapAccounts();
        return services;
    }

    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder routes)
    {
        PartnerEndpoints.Map(routes);
        ExportEndpoints.Map(routes);
        return routes;
    }
}
