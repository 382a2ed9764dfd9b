namespace CleverTapSegment.Forwarding;

/// <summary>Composition of the Forwarding feature: services and endpoints.</summary>
public static class ForwardingComposition
{
    public static WebApplicationBuilder AddForwarding(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication MapForwarding(this WebApplication app)
    {
        return app;
    }
}
