using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Api;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Segment;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports;

/// <summary>Composition of the Exports feature (its functions: the management API, <c>ExportScheduler</c>, <c>ExportWorker</c>).</summary>
public static class ExportsComposition
{
    public static IHostApplicationBuilder AddExports(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ExportsOptions>().BindConfiguration(ExportsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportsOptions>, ExportsOptionsValidator>());

        // Remote services: CleverTap's export APIs and Segment's Tracking API.
        services.AddCleverTapExportClient();
        services.AddSegmentTrackingClient();

        // Definitions and the management API (docs/exports-api.md).
        services.TryAddSingleton<ExportStore>();
        services.AddExportsApi();

        // Runs: the scheduler timer, the work queue and its worker.
        services.TryAddSingleton<RunStore>();
        services.TryAddSingleton<WorkQueue>();
        services.TryAddSingleton<RunCompletion>();
        services.TryAddSingleton<ExportRunStarter>();
        services.TryAddScoped<ExportScheduler>();
        services.TryAddScoped<ExportWorker>();
        return builder;
    }
}
