using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Spool;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>Composition of the Forwarding feature (its function: <see cref="SegmentIngestFunction"/>).</summary>
public static class ForwardingComposition
{
    public static IHostApplicationBuilder AddForwarding(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>());
        services.AddCleverTapClient();
        services.TryAddSingleton(provider => new UploadCoalescer(provider, provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<IngestOptions>>(), provider.GetRequiredService<ILogger<UploadCoalescer>>()));
        services.TryAddSingleton<IRecordUploader>(provider => provider.GetRequiredService<UploadCoalescer>());
        services.TryAddSingleton<DeliveredRecordLog>();
        services.TryAddSingleton<InFlightRecords>();
        services.TryAddSingleton<IngestRequestReader>();
        services.TryAddSingleton<IngestEventMapper>();
        // Scoped like the handler: the typed CleverTapClient it uses is transient and must not be held for the app's life.
        services.TryAddScoped<IngestDelivery>();
        services.TryAddScoped<SegmentIngestHandler>();
        services.TryAddSingleton<IngestStatsStore>();
        services.AddHostedService<IngestStatsFlusher>();
        services.TryAddSingleton<IngestStatsFunction>();
        services.AddSpool();
        return builder;
    }
}
