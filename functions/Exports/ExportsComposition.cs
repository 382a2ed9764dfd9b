namespace CleverTapSegment.Exports;

/// <summary>Composition of the Exports feature: services and endpoints.</summary>
public static class ExportsComposition
{
    public static WebApplicationBuilder AddExports(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapExports(this WebApplication app)
    {
        return app;
    }
}
