using System.Text.Json.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CleverTapSegment.Hosting;

/// <summary>
/// The <c>Health</c> function, <c>GET api/health</c>, anonymous: 200 when Table and Queue storage answer, else 503,
/// with the storage check's report as JSON either way.
/// </summary>
public sealed class HealthFunction(HealthCheckService healthChecks)
{
    public const string FunctionName = "Health";

    /// <summary>Kept in the body for monitors that read it; one hosting mode is left.</summary>
    internal const string Mode = "isolated worker";

    [Function(FunctionName)]
    public async Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var health = await healthChecks.CheckHealthAsync(cancellationToken);
        var report = health.Entries.TryGetValue(StorageHealthCheck.Name, out var storage)
                     && storage.Data.TryGetValue(StorageHealthCheck.ReportKey, out var data) && data is StorageHealthReport stored
            ? stored
            : new StorageHealthReport("unhealthy", Mode,
                new StorageServiceHealth(false, storage.Description ?? "not checked"),
                new StorageServiceHealth(false, storage.Description ?? "not checked"));
        // Every registered check counts, as ASP.NET Core's own health endpoint would have it.
        var healthy = health.Status != HealthStatus.Unhealthy && report.Healthy;
        return Results.Json(report with { Status = healthy ? "healthy" : "unhealthy" }, HealthJsonContext.Default.StorageHealthReport,
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>Table and Queue storage reachability as an ASP.NET Core health check; the report travels in its data.</summary>
internal sealed class StorageHealthCheck(StorageHealthProbe probe) : IHealthCheck
{
    public const string Name = "storage";
    public const string ReportKey = "report";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await probe.CheckAsync(HealthFunction.Mode, cancellationToken);
        var data = new Dictionary<string, object> { [ReportKey] = report };
        return report.Healthy
            ? HealthCheckResult.Healthy("Table and Queue storage answer.", data)
            : HealthCheckResult.Unhealthy($"table: {report.Table.Detail}; queue: {report.Queue.Detail}", data: data);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StorageHealthReport))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
