using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Api;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Hosting;
using CleverTapSegment.Segment;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports;

/// <summary>Composition of the Exports feature: services and endpoints.</summary>
public static class ExportsComposition
{
    public static WebApplicationBuilder AddExports(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ExportsOptions>().BindConfiguration(ExportsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportsOptions>, ExportsOptionsValidator>());

        // Remote services (exp-clients).
        services.AddCleverTapExportClient();
        services.AddSegmentTrackingClient();

        // Definitions and the management API (exp-api).
        services.TryAddSingleton<ExportStore>();
        services.AddExportsApi();

        // Runs (exp-runs).
        services.TryAddSingleton<RunStore>();
        services.TryAddSingleton<WorkQueue>();
        services.TryAddSingleton<RunCompletion>();
        services.TryAddSingleton<ExportRunStarter>();
        services.AddTimerTriggeredFunction<ExportScheduler>(ExportScheduler.FunctionName);
        services.AddQueueTriggeredFunction<ExportWorker>(ExportWorker.FunctionName);
        return builder;
    }

    public static WebApplication MapExports(this WebApplication app)
    {
        app.MapExportsApi();
        return app;
    }
}
