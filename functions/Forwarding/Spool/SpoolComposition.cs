using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>Composition of the spool: the stored acknowledgement mode's writer, its delivery and operations functions.</summary>
public static class SpoolComposition
{
    public static IServiceCollection AddSpool(this IServiceCollection services)
    {
        services.TryAddSingleton<SpoolQueue>();
        services.TryAddSingleton<SpoolWriter>();
        services.TryAddSingleton<DeadLetterStore>();
        services.TryAddSingleton<SpoolStatusReader>();
        services.TryAddSingleton<SpoolReplayer>();
        services.TryAddSingleton<StoredIngest>();
        services.TryAddSingleton<SpoolDelivery>();
        services.TryAddSingleton<SpoolDeliveryFunction>();
        services.TryAddSingleton<SpoolOperationsFunctions>();
        return services;
    }
}
