using System.Text.Json;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// Adding a setting in code without infra (or without the local sample) fails the build: every setting the app
/// reads (<see cref="AppSettingCatalog"/>) must be set by the app settings of the compiled infra/main.bicep (either
/// hosting plan) and listed in local.settings.sample.json.
/// </summary>
public sealed class SettingsCoverageTests
{
    /// <summary>
    /// The one allow-list: settings infra deliberately does not set, each with its reason. Keep it small; an entry
    /// here is a setting an operator cannot configure through the deployment. <c>Name__*</c> covers a whole section.
    /// </summary>
    private static readonly Dictionary<string, string> s_notSetByInfra = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ASPNETCORE_URLS"] = "local listen address only; in Azure the Functions host tells the worker's ASP.NET Core integration where to listen",
        ["FUNCTIONS_WORKER_RUNTIME"] = "read by local tooling from local.settings.json; in Azure set only on the Elastic Premium path (modules/functionapp.bicep) and never on Flex, whose runtime is functionAppConfig.runtime",
        ["AzureFunctionsJobHost__*"] = "host.json values, which the package carries; an app setting only overrides one (the Functions host's own rule)",
        ["DevHost__*"] = "the local dev host's test hooks (the worker clock file), honoured only in the Development environment; never in Azure",
    };

    private static bool IsAllowListed(string name) =>
        s_notSetByInfra.ContainsKey(name)
        || s_notSetByInfra.Keys.Any(key => key.EndsWith("__*", StringComparison.Ordinal)
            && name.StartsWith(key[..^1], StringComparison.OrdinalIgnoreCase));

    private static async Task<IReadOnlyList<string>> InfraKeysAsync() => (await CompiledInfra.AppSettingsAsync()).Select(s => s.Name).ToList();

    private static IReadOnlyList<string> LocalSampleKeys()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.LocalSettingsSample));
        return json.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
    }

    // host.json is the local source of these too (the standalone host reads the same file).
    private static bool IsHostJsonValue(string name) => name.StartsWith("AzureFunctionsJobHost__", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void Catalog_finds_the_settings_of_the_options_classes_and_the_function_triggers()
    {
        var settings = AppSettingCatalog.ReadByTheApp();

        // Guards the reflection itself: if it found nothing, every other test here would pass vacuously.
        Assert.Contains(settings, s => s is { Name: "CleverTap__AccountId", Kind: AppSettingKind.Single });
        Assert.Contains(settings, s => s is { Name: "CleverTap__Connections", Kind: AppSettingKind.Family });
        Assert.Contains(settings, s => s is { Name: "Exports__SchedulerSchedule" } && IsReadBy(s, "ExportScheduler"));
        Assert.Contains(settings, s => s is { Name: "AzureWebJobsStorage", Kind: AppSettingKind.Connection } && IsReadBy(s, "ExportWorker"));

        // ReadBy lists the readers: an options property (ExportsOptions.X) or a function's binding (ExportWorker …).
        static bool IsReadBy(AppSetting setting, string function) =>
            setting.ReadBy.Split(", ").Any(reader => reader.StartsWith(function + " ", StringComparison.Ordinal) || reader.StartsWith(function + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_setting_the_app_reads_is_set_by_infra()
    {
        var infraKeys = await InfraKeysAsync();

        var missing = AppSettingCatalog.ReadByTheApp()
            .Where(setting => !IsAllowListed(setting.Name) && !infraKeys.Any(setting.IsProvidedBy))
            .Select(setting => $"setting {setting.Display} is read by {setting.ReadBy} but not provided by infra/main.bicep app settings " +
                "(add it to an …AppSettings var there, parameterised, or to the allow-list in SettingsCoverageTests with a reason)")
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void Every_setting_the_app_reads_is_in_the_local_settings_sample()
    {
        var sampleKeys = LocalSampleKeys();

        // A family (CleverTap__Connections__<name>__…, Ingest__SharedSecrets__<n>) is open-ended and optional, so a
        // JSON sample cannot list it without switching a feature on; docs/deploy.md documents the families.
        var missing = AppSettingCatalog.ReadByTheApp()
            .Where(setting => setting.Kind != AppSettingKind.Family && !IsHostJsonValue(setting.Name) && !sampleKeys.Any(setting.IsProvidedBy))
            .Select(setting => $"setting {setting.Name} is read by {setting.ReadBy} but missing from local.settings.sample.json")
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public async Task Every_local_sample_setting_is_set_by_infra_or_allow_listed()
    {
        var infraKeys = await InfraKeysAsync();
        var connections = AppSettingCatalog.ReadByTheApp().Where(s => s.Kind == AppSettingKind.Connection).ToList();

        var missing = LocalSampleKeys()
            .Where(key => !IsAllowListed(key))
            .Where(key => !infraKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
                && !connections.Any(c => string.Equals(c.Name, key, StringComparison.OrdinalIgnoreCase) && infraKeys.Any(c.IsProvidedBy)))
            .Select(key => $"local.settings.sample.json has {key}, which infra/main.bicep does not set")
            .ToList();

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("AzureWebJobsStorage")]
    [InlineData("DevHost__ClockFile")]
    public async Task Infra_never_sets_a_setting_that_would_break_the_app_in_Azure(string setting)
    {
        // ASPNETCORE_URLS would move the worker's Kestrel off the address the host proxies to; a plain
        // AzureWebJobsStorage connection string would need a shared key, which the storage account refuses; the dev
        // host's clock file would let a file decide the app's time.
        Assert.DoesNotContain(setting, await InfraKeysAsync(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Allow_listed_settings_are_really_absent_from_the_Flex_settings()
    {
        var flexSettings = (await CompiledInfra.AppSettingsAsync()).Where(s => s.OnFlex).Select(s => s.Name).ToList();

        Assert.Contains("CleverTap__AccountId", flexSettings); // the settings were read at all
        Assert.DoesNotContain(flexSettings, IsAllowListed);
    }
}
