namespace CleverTapSegment.CleverTap;

/// <summary>Registers the typed export client with its resilience handler.</summary>
public static class CleverTapExportComposition
{
    public static IServiceCollection AddCleverTapExportClient(this IServiceCollection services)
    {
        services.AddCleverTapAccounts();
        services.AddHttpClient<CleverTapExportClient>();
        return services;
    }
}
