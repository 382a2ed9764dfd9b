namespace CleverTapSegment.Hosting;

/// <summary>Composition of the Hosting feature: services and endpoints.</summary>
public static class FunctionsHosting
{
    public static WebApplicationBuilder AddFunctionsHosting(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapFunctionsHost(this WebApplication app)
    {
        return app;
    }
}
