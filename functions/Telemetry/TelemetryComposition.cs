using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using CleverTapSegment.Forwarding;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CleverTapSegment.Telemetry;

/// <summary>
/// OpenTelemetry for the worker: the Functions worker's own instrumentation, the app's <see cref="BridgeTelemetry"/>
/// meter and spans, exported to Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// https://learn.microsoft.com/azure/azure-functions/opentelemetry-howto?pivots=programming-language-csharp
/// </summary>
public static class TelemetryComposition
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<IngestStatsRecorder>();
        builder.Services.AddSingleton<BridgeTelemetry>();

        var openTelemetry = builder.Services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            // Polly's meter counts retries and circuit changes per pipeline instance (the CleverTap account or the
            // Segment host); .NET's own meter and source describe every outgoing HTTP call.
            // https://www.pollydocs.org/advanced/telemetry.html , https://learn.microsoft.com/dotnet/core/diagnostics/built-in-metrics-system-net
            .WithMetrics(metrics => metrics.AddMeter(BridgeTelemetry.Name, "Polly", "System.Net.Http"))
            .WithTracing(tracing => tracing.AddSource(BridgeTelemetry.Name, "System.Net.Http"));

        if (builder.Configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            var credential = EntraCredential(builder.Configuration[AuthenticationStringSetting]);
            openTelemetry.UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                // Local authentication is off on the Application Insights resource (infra/), so ingestion needs a
                // token of the app's managed identity.
                // https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication
                if (credential is not null)
                    exporter.Credential = credential;
            });
        }
        return builder;
    }

    /// <summary>
    /// Reads <c>Authorization=AAD</c> (and <c>ClientId=…</c> for a user-assigned identity) from the authentication
    /// string the Functions host uses for the same purpose; null when it does not ask for Entra ID.
    /// </summary>
    internal static TokenCredential? EntraCredential(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
            return null;
        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
            return null;
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
