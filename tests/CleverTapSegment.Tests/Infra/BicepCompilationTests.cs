using System.Text.Json;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// infra/ compiles, lints and takes its parameters file with the real Bicep CLI, with no error and no warning.
/// Linter rules: infra/bicepconfig.json (use-recent-api-versions on).
/// </summary>
public sealed class BicepCompilationTests
{
    [Fact]
    public async Task Main_template_builds_without_errors_or_warnings()
    {
        var build = await CompiledInfra.BuildAsync();

        Assert.True(build.ExitCode == 0, build.Report);
        Assert.Empty(build.Diagnostics);
        using var template = JsonDocument.Parse(build.StandardOutput);
        Assert.Equal("bicep", template.RootElement.GetProperty("metadata").GetProperty("_generator").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Every_template_and_the_parameters_file_lint_without_warnings()
    {
        var lint = await CompiledInfra.LintAsync();

        Assert.True(lint.ExitCode == 0, lint.Report);
        Assert.True(lint.Diagnostics.Count == 0, string.Join(Environment.NewLine, lint.Diagnostics));
    }

    [Fact]
    public async Task Lint_configuration_flags_an_outdated_API_version_offline()
    {
        // Guards the clean lint above: the repository's configuration has the rule on, and the CLI judges API
        // versions from the resource types built into it, with no network.
        var directory = Directory.CreateTempSubdirectory("bicep-lint-");
        try
        {
            var file = Path.Combine(directory.FullName, "outdated.bicep");
            await File.WriteAllTextAsync(file, """
                resource account 'Microsoft.Storage/storageAccounts@2021-01-01' existing = {
                  name: 'stlintprobe'
                }
                output accountId string = account.id
                """);

            var lint = await BicepCli.RunAsync(["lint", file, "--config", Path.Combine(RepositoryPaths.InfraDirectory, "bicepconfig.json")]);

            var diagnostic = Assert.Single(lint.Diagnostics);
            Assert.Equal(("Warning", "use-recent-api-versions"), (diagnostic.Level, diagnostic.Code));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Parameters_file_builds_with_its_values_and_secrets_from_the_environment()
    {
        var run = await CompiledInfra.BuildParamsAsync();

        Assert.True(run.ExitCode == 0, run.Report);
        Assert.Empty(run.Diagnostics);
        using var output = JsonDocument.Parse(run.StandardOutput);
        using var parametersFile = JsonDocument.Parse(output.RootElement.GetProperty("parametersJson").GetString()!);
        var values = parametersFile.RootElement.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value"));
        var template = await CompiledInfra.TemplateAsync();

        Assert.Equal(CompiledInfra.ParameterEnvironment["CLEVERTAP_ACCOUNT_ID"], values["cleverTapAccountId"].GetString());
        Assert.Equal(CompiledInfra.FlexConsumption, values["hostingPlan"].GetString());
        // A secret is either what the environment gave or empty: the file itself holds none.
        var secrets = values.Where(v => template.IsSecureParameter(v.Key)).ToList();
        Assert.Contains(secrets, s => s.Key == "cleverTapPasscode");
        Assert.All(secrets, secret => Assert.True(
            secret.Value.ValueKind == JsonValueKind.String && (secret.Value.GetString() == "" || CompiledInfra.ParameterEnvironment.Values.Contains(secret.Value.GetString())),
            $"main.bicepparam sets secure parameter {secret.Key} to something other than an environment variable"));
        Assert.Equal(CompiledInfra.ParameterEnvironment["CLEVERTAP_PASSCODE"], values["cleverTapPasscode"].GetString());
    }

    [Fact]
    public async Task Parameters_file_refuses_to_build_without_the_CleverTap_passcode()
    {
        var withoutPasscode = CompiledInfra.ParameterEnvironment.Where(v => v.Key != "CLEVERTAP_PASSCODE").ToDictionary();

        var run = await CompiledInfra.BuildParamsAsync(withoutPasscode);

        Assert.NotEqual(0, run.ExitCode);
        var error = Assert.Single(run.Diagnostics, d => d.Level == "Error");
        Assert.Equal("BCP427", error.Code); // environment variable missing, no default
        Assert.Contains("CLEVERTAP_PASSCODE", error.Message, StringComparison.Ordinal);
    }
}
