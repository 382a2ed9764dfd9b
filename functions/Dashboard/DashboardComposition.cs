namespace CleverTapSegment.Dashboard;

/// <summary>
/// Services of the dashboard (the exports and partners pages, the Segment → CleverTap page) that
/// <see cref="DashboardFunction"/> serves at the app's root.
/// </summary>
public static class DashboardComposition
{
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        // The embedded files are read and hashed once, at the first request; every answer after that is a lookup.
        builder.Services.AddSingleton<DashboardAssets>();
        return builder;
    }
}
