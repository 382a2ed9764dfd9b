using System.Net;
using System.Reflection;
using System.Text.Json;
using CleverTapSegment.Testing;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>
/// The worker build output against the code: the Functions host reads <c>functions.metadata</c>, so every
/// <c>[Function]</c> method must be in it with its trigger, and every HTTP function must reach its code through a
/// host. Functions and routes are discovered (reflection, the metadata), never listed here.
/// </summary>
[Collection("Azurite")]
public sealed class PublishLayoutTests(AzuriteFixture azurite)
{
    private static string AppDirectory => WorkerApp.AppDirectory;

    private static IReadOnlyList<JsonElement> Metadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "functions.metadata")));
        return document.RootElement.EnumerateArray().Select(function => function.Clone()).ToList();
    }

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(binding => binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void Build_output_is_an_isolated_worker_app_root_with_the_repository_host_json()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(WorkerApp.RepositoryRoot, "host.json")),
            File.ReadAllText(Path.Combine(AppDirectory, "host.json")));
        using var workerConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "worker.config.json")));
        var description = workerConfig.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        var workerPath = description.GetProperty("defaultWorkerPath").GetString()!;
        Assert.True(File.Exists(Path.Combine(AppDirectory, workerPath)), $"worker.config.json names {workerPath}, which is not in the output");
        Assert.True(Directory.Exists(Path.Combine(AppDirectory, ".azurefunctions")), "the host-side extensions (.azurefunctions/) are missing");
    }

    [Fact]
    public void Every_function_method_is_in_functions_metadata_with_its_trigger()
    {
        var declared = typeof(HostConfigurationTests).Assembly.GetReferencedAssemblies()
            .Select(Assembly.Load)
            .Single(assembly => assembly.GetName().Name == "CleverTapSegment.Functions")
            .GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(method => method.GetCustomAttribute<FunctionAttribute>()?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
        var listed = Metadata().Select(function => function.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["CatalogEvents", "Dashboard", "ExportById", "ExportScheduler", "ExportWorker", "Exports", "Health",
            "IngestDeadLettersReplay", "IngestPreview", "IngestSpool", "IngestStats", "PartnerByNickname", "Partners", "SegmentIngest",
            "SpoolDelivery", "StopExport"], declared);
        Assert.Equal(declared, listed);
        Assert.All(Metadata(), function => Assert.Contains(Trigger(function).GetProperty("type").GetString(), new[] { "httpTrigger", "timerTrigger", "queueTrigger" }));
    }

    [Fact]
    public async Task Every_http_function_answers_through_the_dev_host_for_each_of_its_methods()
    {
        await using var app = await WorkerApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });
        var problems = new List<string>();

        foreach (var function in Metadata())
        {
            var trigger = Trigger(function);
            if (trigger.GetProperty("type").GetString() != "httpTrigger")
                continue;
            var path = RoutePrefix() + SamplePath(trigger.GetProperty("route").GetString()!);
            foreach (var method in trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PATCH")
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var response = await app.Client.SendAsync(request);
                // The function's own answer (401 without the management key, 400 for an empty body, …); never the
                // host's "no such route" or a failed invocation.
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.InternalServerError
                    && !(await response.Content.ReadAsStringAsync()).Contains("\"title\"", StringComparison.Ordinal))
                    problems.Add($"{function.GetProperty("name").GetString()}: {method} /{path} answered {(int)response.StatusCode}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>host.json's <c>extensions.http.routePrefix</c> with its slash (the host's default "api" when unset; empty when empty).</summary>
    private static string RoutePrefix()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppDirectory, "host.json")));
        var prefix = document.RootElement.TryGetProperty("extensions", out var extensions)
                     && extensions.TryGetProperty("http", out var http)
                     && http.TryGetProperty("routePrefix", out var value)
            ? value.GetString()!.Trim('/')
            : "api";
        return prefix.Length == 0 ? "" : prefix + "/";
    }

    /// <summary>A concrete path for a route template: each parameter becomes <c>sample</c>, an optional one is left out.</summary>
    private static string SamplePath(string route) =>
        string.Join('/', route.Split('/')
            .Where(segment => !(segment.StartsWith('{') && segment.EndsWith("?}", StringComparison.Ordinal)))
            .Select(segment => segment.StartsWith('{') ? "sample" : segment));
}
