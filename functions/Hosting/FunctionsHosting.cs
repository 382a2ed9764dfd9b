using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Hosting;

/// <summary>
/// Composition of the Hosting feature. Two modes, one app:
/// <list type="bullet">
/// <item>custom handler (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set): the Functions host owns triggers and POSTs
/// <c>{Data, Metadata}</c> to <c>/{FunctionName}</c>; we listen on 127.0.0.1 at that port only;</item>
/// <item>standalone (not set): the same app also reads <c>local.settings.json</c> and runs the timer and queue
/// triggers itself (<see cref="StandaloneTriggerRunner"/>).</item>
/// </list>
/// </summary>
public static class FunctionsHosting
{
    public const string CustomHandlerPortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const string DefaultStandaloneUrl = "http://127.0.0.1:7071";

    public static WebApplicationBuilder AddFunctionsHosting(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var appRoot = FunctionAppRoot.Default;
        // Lowest priority: without appsettings.json, ASP.NET would log every request at Information.
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            },
        });
        ConfigurationLayering.InsertBelowEnvironmentVariables(configuration, new HostJsonConfigurationSource(appRoot.HostJsonPath));

        var customHandlerPort = configuration[CustomHandlerPortSetting];
        var standalone = string.IsNullOrWhiteSpace(customHandlerPort);
        if (standalone)
        {
            if (LocalSettingsConfigurationSource.Locate(Directory.GetCurrentDirectory()) is { } localSettings)
            {
                ConfigurationLayering.InsertBelowEnvironmentVariables(configuration, new LocalSettingsConfigurationSource(localSettings));
            }
            // Kestrel reads `urls` (ASPNETCORE_URLS / --urls); local.settings.json can only supply ASPNETCORE_URLS as a plain key.
            var urls = configuration["urls"] ?? configuration["ASPNETCORE_URLS"];
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? DefaultStandaloneUrl : urls);
        }
        else
        {
            // The host calls http://127.0.0.1:<port>: listen there and nowhere else
            // (https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#http-only-function).
            if (!int.TryParse(customHandlerPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"{CustomHandlerPortSetting} must be a TCP port number (1-65535), not '{customHandlerPort}'.");
            }
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(appRoot);
        services.TryAddSingleton(new HostingMode(standalone));
        services.TryAddSingleton<FunctionCatalog>();
        services.TryAddSingleton<FunctionDispatcher>();
        services.TryAddSingleton<StorageHealthProbe>();
        services.TryAddSingleton<TriggerRunnerMonitor>();
        services.AddOptions<HostQueueOptions>().BindConfiguration(HostQueueOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostQueueOptions>, HostQueueOptionsValidator>());
        services.AddOptions<HostFunctionOptions>().BindConfiguration(HostFunctionOptions.SectionName);
        if (standalone)
        {
            services.AddHostedService<StandaloneTriggerRunner>();
        }
        return builder;
    }

    public static WebApplication MapFunctionsHost(this WebApplication app)
    {
        // The host's readiness probe: any answer means "up" (azure-functions-host DefaultHttpWorkerService.IsWorkerReady).
        app.MapGet("/", (HostingMode mode) => Results.Text($"CleverTap-Segment bridge ({mode.Name})"))
            .WithName("Readiness")
            .ExcludeFromDescription();

        app.MapGet("/api/health", async (StorageHealthProbe probe, HostingMode mode, CancellationToken cancellationToken) =>
            {
                var report = await probe.CheckAsync(mode.Name, cancellationToken);
                return Results.Json(report, HostingJsonContext.Default.StorageHealthReport,
                    statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("Health");

        foreach (var function in app.Services.GetRequiredService<FunctionDispatcher>().Functions)
        {
            app.MapPost($"/{function.Name}", (HttpContext context, FunctionDispatcher dispatcher) =>
                    InvokeAsync(context, dispatcher, function.Name))
                .WithName(function.Name)
                .WithMetadata(function)
                .ExcludeFromDescription();
        }
        return app;
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, FunctionDispatcher dispatcher, string functionName)
    {
        JsonElement envelope;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            envelope = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            return Results.Json(InvocationResponse.WithLogs($"The invocation body is not JSON: {exception.Message}"),
                HostingJsonContext.Default.InvocationResponse, statusCode: StatusCodes.Status400BadRequest);
        }
        var invocationId = context.Request.Headers["X-Azure-Functions-InvocationId"].FirstOrDefault();
        var result = await dispatcher.InvokeAsync(functionName, envelope, invocationId, context.RequestAborted);
        return Results.Json(result.Response, HostingJsonContext.Default.InvocationResponse, statusCode: result.StatusCode);
    }
}

/// <summary>Whether the app runs its own triggers (standalone) or serves the Functions host (custom handler).</summary>
public sealed record HostingMode(bool IsStandalone)
{
    public string Name => IsStandalone ? "standalone" : "custom handler";
}
