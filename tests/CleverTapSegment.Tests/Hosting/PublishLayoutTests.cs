using System.Text.RegularExpressions;
using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>
/// The deployable layout against what the app really serves: every function.json reaches a handler and every
/// handler is reachable through a function.json. Functions and routes are discovered from the built app (its
/// endpoints and registered functions), never listed here.
/// </summary>
[Collection("Azurite")]
public sealed partial class PublishLayoutTests(AzuriteFixture azurite)
{
    [Fact]
    public void Build_output_has_host_json_and_one_folder_per_function_json_in_the_source()
    {
        var sourceFunctions = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "functions"), "function.json", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(path => Path.GetFileName(Path.GetDirectoryName(path))!, StringComparer.Ordinal);
        var output = FunctionAppRoot.Default;

        Assert.True(File.Exists(output.HostJsonPath), "host.json is missing next to the dll");
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")),
            File.ReadAllText(output.HostJsonPath));
        Assert.NotEmpty(sourceFunctions);
        var built = FunctionCatalog.Load(output.Path).ToDictionary(function => function.Name, StringComparer.Ordinal);
        Assert.Equal(sourceFunctions.Keys.Order(StringComparer.Ordinal), built.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, sourcePath) in sourceFunctions)
        {
            Assert.Equal(File.ReadAllText(sourcePath), File.ReadAllText(built[name].FunctionJsonPath));
        }
    }

    [Fact]
    public async Task Every_function_json_has_a_handler_and_every_handler_has_a_function_json()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString });
        var catalog = new FunctionCatalog(FunctionAppRoot.Default);
        var registered = app.Services.GetRequiredService<FunctionDispatcher>().Functions;
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var routePrefix = app.Services.GetRequiredService<IConfiguration>()["AzureFunctionsJobHost:extensions:http:routePrefix"] ?? "api";
        var problems = new List<string>();

        foreach (var function in catalog.Functions)
        {
            if (function.IsHttp)
            {
                problems.AddRange(HttpFunctionProblems(function, routePrefix, endpoints));
            }
            else if (!registered.Any(r => string.Equals(r.Name, function.Name, StringComparison.Ordinal)))
            {
                problems.Add($"{function.Name}: function.json declares a {function.Trigger?.Type} but no handler is registered at POST /{function.Name}.");
            }
        }
        foreach (var handler in registered)
        {
            var definition = catalog.Find(handler.Name);
            var expectedTrigger = handler.Kind == RegisteredFunctionKind.Queue ? "queueTrigger" : "timerTrigger";
            if (definition is null || !string.Equals(definition.Trigger?.Type, expectedTrigger, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"POST /{handler.Name} ({handler.Kind}) has no {handler.Name}/function.json with a {expectedTrigger}.");
            }
        }
        var httpFunctions = catalog.Functions.Where(function => function.IsHttp).Select(function => FunctionRoute.Create(function, routePrefix)).ToList();
        foreach (var endpoint in endpoints.Where(endpoint => IsUnder(endpoint, routePrefix)))
        {
            var path = SamplePath(endpoint.RoutePattern);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            if (!httpFunctions.Any(route => route.Matches(path) && methods.Any(route.Allows)))
            {
                problems.Add($"{string.Join('/', methods)} /{endpoint.RoutePattern.RawText?.TrimStart('/')} is served by the app but no HTTP function.json forwards it: unreachable in Azure.");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<string> HttpFunctionProblems(FunctionDefinition function, string routePrefix, List<RouteEndpoint> endpoints)
    {
        var route = FunctionRoute.Create(function, routePrefix);
        var matchers = endpoints.Select(endpoint => (Endpoint: endpoint, Matcher: new TemplateMatcher(
            TemplateParser.Parse(endpoint.RoutePattern.RawText!.TrimStart('/')), new RouteValueDictionary()))).ToList();
        bool Served(string path, string? method) => matchers.Any(m =>
            m.Matcher.TryMatch(path, new RouteValueDictionary())
            && (method is null || m.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } verbs
                || verbs.HttpMethods.Contains(method, StringComparer.OrdinalIgnoreCase)));

        foreach (var path in route.SamplePaths.Where(path => !route.Methods.Any(method => Served(path, method))))
        {
            yield return $"{function.Name}: no app endpoint serves {path} ({string.Join('/', route.Methods)}).";
        }
        foreach (var method in route.Methods.Where(method => !route.SamplePaths.Any(path => Served(path, method))))
        {
            yield return $"{function.Name}: no app endpoint serves {method} on {string.Join(" or ", route.SamplePaths)}.";
        }
    }

    private static bool IsUnder(RouteEndpoint endpoint, string routePrefix) =>
        (endpoint.RoutePattern.RawText ?? "").TrimStart('/').StartsWith(routePrefix + "/", StringComparison.OrdinalIgnoreCase);

    private static string SamplePath(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments
            .Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternParameterPart { IsOptional: true } or RoutePatternParameterPart { IsCatchAll: true } => "",
                RoutePatternParameterPart => "sample",
                RoutePatternSeparatorPart separator => separator.Content,
                _ => "",
            })))
            .Where(segment => segment.Length > 0));

    /// <summary>An HTTP function.json's route as the host exposes it: <c>/{routePrefix}/{route}</c>, its methods and constraints.</summary>
    private sealed partial class FunctionRoute
    {
        private readonly RoutePattern _pattern;
        private readonly TemplateMatcher _matcher;

        private FunctionRoute(RoutePattern pattern, IReadOnlyList<string> methods)
        {
            _pattern = pattern;
            _matcher = new TemplateMatcher(TemplateParser.Parse(pattern.RawText!), new RouteValueDictionary());
            Methods = methods;
        }

        public IReadOnlyList<string> Methods { get; }

        public static FunctionRoute Create(FunctionDefinition function, string routePrefix)
        {
            var trigger = function.Trigger!;
            var route = trigger.GetString("route") ?? function.Name;
            var methods = trigger.Properties.TryGetValue("methods", out var declared) && declared.ValueKind == System.Text.Json.JsonValueKind.Array
                ? declared.EnumerateArray().Select(method => method.GetString()!.ToUpperInvariant()).ToList()
                : ["GET", "POST", "PUT", "PATCH", "DELETE"];
            return new FunctionRoute(RoutePatternFactory.Parse($"{routePrefix}/{route}"), methods);
        }

        public bool Allows(string method) => Methods.Contains(method, StringComparer.OrdinalIgnoreCase);

        /// <summary>Concrete paths: each regex alternative of literals, with and without optional/catch-all parts.</summary>
        public IReadOnlyList<string> SamplePaths
        {
            get
            {
                var paths = new List<string> { "" };
                foreach (var segment in _pattern.PathSegments)
                {
                    var choices = new List<string> { "" };
                    foreach (var part in segment.Parts)
                    {
                        var options = part switch
                        {
                            RoutePatternLiteralPart literal => [literal.Content],
                            RoutePatternSeparatorPart separator => [separator.Content],
                            RoutePatternParameterPart parameter => ParameterSamples(parameter),
                            _ => [""],
                        };
                        choices = [.. choices.SelectMany(prefix => options.Select(option => prefix + option))];
                    }
                    paths = [.. paths.SelectMany(prefix => choices.Select(choice => choice.Length == 0 ? prefix : prefix + "/" + choice))];
                }
                return [.. paths.Distinct(StringComparer.Ordinal)];
            }
        }

        public bool Matches(string path)
        {
            var values = new RouteValueDictionary();
            if (!_matcher.TryMatch(path, values))
            {
                return false;
            }
            foreach (var parameter in _pattern.Parameters)
            {
                foreach (var regex in parameter.ParameterPolicies.Select(policy => RegexPolicy().Match(policy.Content ?? "")).Where(match => match.Success))
                {
                    var value = values.TryGetValue(parameter.Name, out var raw) ? Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture) ?? "" : "";
                    if (!Regex.IsMatch(value, regex.Groups[1].Value, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                    {
                        return false;
                    }
                }
            }
            return true;
        }

        private static List<string> ParameterSamples(RoutePatternParameterPart parameter)
        {
            var samples = new List<string>();
            var alternatives = parameter.ParameterPolicies
                .Select(policy => RegexPolicy().Match(policy.Content ?? ""))
                .Where(match => match.Success)
                .Select(match => LiteralAlternatives().Match(match.Groups[1].Value))
                .FirstOrDefault(match => match.Success);
            samples.AddRange(alternatives is not null ? alternatives.Groups[1].Value.Split('|') : ["sample"]);
            if (parameter.IsOptional || parameter.IsCatchAll)
            {
                samples.Add("");
            }
            return samples;
        }

        [GeneratedRegex(@"^regex\((.*)\)$")]
        private static partial Regex RegexPolicy();

        [GeneratedRegex(@"^\^?\(?([a-z0-9\-]+(?:\|[a-z0-9\-]+)*)\)?\$?$")]
        private static partial Regex LiteralAlternatives();
    }
}
