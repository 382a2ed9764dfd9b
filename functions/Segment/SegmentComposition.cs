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
        services.AddHttpClient<SegmentTrackingClient>();
        return services;
    }
}
