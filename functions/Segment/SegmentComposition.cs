using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Segment;

/// <summary>Registers the Tracking API client, its settings and its resilience handler.</summary>
public static class SegmentComposition
{
    public static IServiceCollection AddSegmentTrackingClient(this IServiceCollection services)
    {
        services.AddOptions<SegmentOptions>().BindConfiguration(SegmentOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SegmentOptions>, SegmentOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddTransient<SegmentTrackingResilienceHandler>();
        services.AddHttpClient<SegmentTrackingClient>(client =>
            {
                // The handler's pipeline bounds each attempt; a client-wide timeout would cut its retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddHttpMessageHandler<SegmentTrackingResilienceHandler>();
        return services;
    }
}
