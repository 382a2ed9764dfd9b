using CleverTapSegment.CleverTap;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>Composition of the Forwarding feature: services and endpoints.</summary>
public static class ForwardingComposition
{
    public static WebApplicationBuilder AddForwarding(this WebApplicationBuilder builder)
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
        return builder;
    }

    public static WebApplication MapForwarding(this WebApplication app)
    {
        // The SegmentIngest function (function.json route "segment/{connection?}" under the host's "api" prefix).
        app.MapPost("/api/segment/{connection?}",
            (HttpContext context, string? connection, SegmentIngestHandler handler, CancellationToken cancellationToken) =>
                handler.HandleAsync(context, connection, cancellationToken));
        return app;
    }
}
