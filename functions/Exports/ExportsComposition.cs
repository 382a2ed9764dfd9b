using CleverTapSegment.Exports.Api;
using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Exports;

/// <summary>Composition of the Exports feature: services and endpoints.</summary>
public static class ExportsComposition
{
    public static WebApplicationBuilder AddExports(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExportsOptions>()
            .BindConfiguration(ExportsOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ExportsOptions>, ExportsOptionsValidator>();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddSingleton<ExportRunStarter>();
        builder.Services.AddExportsApi();
        return builder;
    }

    public static WebApplication MapExports(this WebApplication app)
    {
        app.MapExportsApi();
        return app;
    }
}
