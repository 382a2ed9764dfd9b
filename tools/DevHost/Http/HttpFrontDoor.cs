using System.Text.Json;
using CleverTapSegment.DevHost.Configuration;
using CleverTapSegment.DevHost.Triggers;
using CleverTapSegment.DevHost.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CleverTapSegment.DevHost.Http;

/// <summary>
/// The public side: every HTTP function under <c>/{routePrefix}/{route}</c> with its methods (ASP.NET Core route
/// templates, as the host uses: optional <c>{name?}</c>, constraints, catch-all <c>{*rest}</c>), and the admin API's
/// <c>POST /admin/functions/{name}</c>. Function keys are not checked, as with <c>func start</c>.
/// </summary>
internal sealed class HttpFrontDoor : IAsyncDisposable
{
    // The host's default request size limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT, 100 MB).
    private const long MaxRequestBodyBytes = 100L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly HttpForwarder _forwarder;

    private HttpFrontDoor(WebApplication app, HttpForwarder forwarder, Uri baseAddress)
    {
        _app = app;
        _forwarder = forwarder;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<HttpFrontDoor> StartAsync(
        DevHostOptions options,
        HostConfiguration configuration,
        IReadOnlyList<HostFunction> functions,
        WorkerSupervisor supervisor,
        FunctionInvoker invoker,
        TriggerRunner triggers,
        CancellationToken cancellationToken)
    {
        var logger = options.LoggerFactory.CreateLogger("Host.Http");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        // The slim builder leaves out the regex route constraint, which the Functions host (full ASP.NET Core routing) has.
        builder.Services.AddRouting(routing => routing.SetParameterPolicy<Microsoft.AspNetCore.Routing.Constraints.RegexInlineRouteConstraint>("regex"));
        var app = builder.Build();
        var forwarder = new HttpForwarder(supervisor, invoker, logger);

        foreach (var function in functions.Where(function => function.IsHttp))
        {
            if (configuration.IsDisabled(function.Name))
            {
                logger.LogInformation("Function {FunctionName} is disabled (AzureWebJobs.{FunctionName}.Disabled)", function.Name, function.Name);
                continue;
            }
            var route = (function.GetTriggerString("route") ?? function.Name).Trim('/');
            var pattern = configuration.RoutePrefix.Length == 0 ? "/" + route : $"/{configuration.RoutePrefix}/{route}";
            var methods = function.GetTriggerStrings("methods").Select(method => method.ToUpperInvariant()).ToList();
            RequestDelegate handler = context => forwarder.ForwardAsync(context, function);
            var endpoint = methods.Count == 0 ? app.Map(pattern, handler) : app.MapMethods(pattern, methods, handler);
            endpoint.WithDisplayName(function.Name);
            logger.LogInformation("{FunctionName}: [{Methods}] {Pattern}", function.Name, methods.Count == 0 ? "ALL" : string.Join(",", methods), pattern);
        }

        app.MapPost("/admin/functions/{name}", async (HttpContext context, string name) =>
        {
            var input = await ReadAdminInputAsync(context);
            if (!triggers.TryInvokeNow(name, input, out var invocation))
            {
                context.Response.StatusCode = functions.Any(function => function.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    ? StatusCodes.Status400BadRequest
                    : StatusCodes.Status404NotFound;
                return;
            }
            _ = invocation.ContinueWith(done =>
            {
                if (done.IsFaulted)
                {
                    logger.LogError(done.Exception, "Invoking {FunctionName} through the admin API failed", name);
                }
            }, TaskScheduler.Default);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return new HttpFrontDoor(app, forwarder, baseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forwarder.Dispose();
    }

    /// <summary>The admin API body <c>{"input": "…"}</c>; absent or not JSON means empty input.</summary>
    private static async Task<string> ReadAdminInputAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("input", out var input)
                   && input.ValueKind == JsonValueKind.String
                ? input.GetString() ?? ""
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
