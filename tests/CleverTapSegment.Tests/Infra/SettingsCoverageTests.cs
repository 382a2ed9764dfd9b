using System.Text.Json;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// Adding a setting in code without infra (or without the local sample) fails the build: every setting the app
/// reads (<see cref="AppSettingCatalog"/>) must be set by infra/main.bicep's app settings and listed in
/// local.settings.sample.json.
/// </summary>
public sealed class SettingsCoverageTests
{
    /// <summary>
    /// The one allow-list: settings infra deliberately does not set, each with its reason. Keep it small; an entry
    /// here is a setting an operator cannot configure through the deployment. <c>Name__*</c> covers a whole section.
    /// </summary>
    private static readonly Dictionary<string, string> s_notSetByInfra = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ASPNETCORE_URLS"] = "standalone listen address only; in Azure the handler must bind 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT, which the host sets",
        ["FUNCTIONS_WORKER_RUNTIME"] = "read by Core Tools from local.settings.json; in Azure set only on the Elastic Premium path (modules/functionapp.bicep) and never on Flex",
        ["AzureFunctionsJobHost__*"] = "host.json values, which the package carries; an app setting only overrides one (the Functions host's own rule)",
    };

    private static bool IsAllowListed(string name) =>
        s_notSetByInfra.ContainsKey(name)
        || s_notSetByInfra.Keys.Any(key => key.EndsWith("__*", StringComparison.Ordinal)
            && name.StartsWith(key[..^1], StringComparison.OrdinalIgnoreCase));

    private static IReadOnlyList<string> InfraKeys() => InfraTemplates.AppSettings().Select(s => s.Name).Distinct().ToList();

    private static IReadOnlyList<string> LocalSampleKeys()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.LocalSettingsSample));
        return json.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToList();
    }

    // host.json is the local source of these too (the standalone host reads the same file).
    private static bool IsHostJsonValue(string name) => name.StartsWith("AzureFunctionsJobHost__", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void Catalog_finds_the_settings_of_the_options_classes_and_function_triggers()
    {
        var settings = AppSettingCatalog.ReadByTheApp();

        // Guards the reflection itself: if it found nothing, every other test here would pass vacuously.
        Assert.Contains(settings, s => s is { Name: "CleverTap__AccountId", Kind: AppSettingKind.Single });
        Assert.Contains(settings, s => s is { Name: "CleverTap__Connections", Kind: AppSettingKind.Family });
        Assert.Contains(settings, s => s is { Name: "Exports__SchedulerSchedule" } && s.ReadBy.Contains("ExportScheduler [TimerTrigger]", StringComparison.Ordinal));
        Assert.Contains(settings, s => s is { Name: "AzureWebJobsStorage", Kind: AppSettingKind.Connection });
    }

    [Fact]
    public void Every_setting_the_app_reads_is_set_by_infra()
    {
        var infraKeys = InfraKeys();

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
    public void Every_local_sample_setting_is_set_by_infra_or_allow_listed()
    {
        var infraKeys = InfraKeys();
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
    [InlineData("FUNCTIONS_CUSTOMHANDLER_PORT")]
    [InlineData("AzureWebJobsStorage")]
    public void Infra_never_sets_a_setting_that_would_break_the_handler_in_Azure(string setting)
    {
        // ASPNETCORE_URLS / the port would move Kestrel off the port the host calls; a plain AzureWebJobsStorage
        // connection string would need a shared key, which the storage account refuses.
        Assert.DoesNotContain(setting, InfraKeys(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Allow_listed_settings_are_really_absent_from_the_Flex_settings()
    {
        var flexSettings = InfraTemplates.AppSettings().Where(s => s.DeclaredIn != "premiumOnlyAppSettings").Select(s => s.Name);

        Assert.DoesNotContain(flexSettings, IsAllowListed);
    }
}
