using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Tests.Hosting;

public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Queue_settings_come_from_host_json_and_yield_to_AzureFunctionsJobHost_settings()
    {
        await using var app = await StandaloneApp.StartAsync(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = "2",
        });

        var queues = app.Services.GetRequiredService<IOptions<HostQueueOptions>>().Value;
        var functions = app.Services.GetRequiredService<IOptions<HostFunctionOptions>>().Value;

        Assert.Equal(2, queues.MaxDequeueCount);
        Assert.Equal(8, queues.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(30), queues.VisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), queues.MaxPollingInterval);
        Assert.True(queues.IsBase64);
        Assert.Equal(TimeSpan.FromMinutes(10), functions.EffectiveFunctionTimeout);
    }

    [Fact]
    public async Task An_invalid_host_queue_setting_fails_start_up_naming_the_setting()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => StandaloneApp.StartAsync(new Dictionary<string, string?>
        {
            ["AzureFunctionsJobHost__extensions__queues__batchSize"] = "64",
        }));

        Assert.Contains("AzureFunctionsJobHost__extensions__queues__batchSize", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Local_settings_values_become_configuration_below_environment_variables()
    {
        var directory = Directory.CreateTempSubdirectory("ctseg-local-settings-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "local.settings.json"), """
                { "IsEncrypted": false, "Values": { "CleverTap__Region": "in1", "Hosting__Probe": "from-file", "Count": 3 } }
                """);
            var located = LocalSettingsConfigurationSource.Locate(directory.FullName);
            Assert.NotNull(located);
            var builder = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Hosting:Probe"] = "from-environment" });
            // Stands in for the environment-variable source the local file must sit below.
            builder.Sources.Insert(0, new LocalSettingsConfigurationSource(located));

            var configuration = builder.Build();

            Assert.Equal("in1", configuration["CleverTap:Region"]);
            Assert.Equal("3", configuration["Count"]);
            Assert.Equal("from-environment", configuration["Hosting:Probe"]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Function_json_app_setting_references_expand_from_configuration()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Exports:SchedulerSchedule"] = "0 */15 * * * *" })
            .Build();

        Assert.Equal("0 */15 * * * *", AppSettingExpander.Expand("%Exports__SchedulerSchedule%", configuration));
        Assert.Equal("work-q", AppSettingExpander.Expand("work-q", configuration));
        var missing = Assert.Throws<InvalidOperationException>(() => AppSettingExpander.Expand("%Nope__Missing%", configuration));
        Assert.Contains("Nope__Missing", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_app_function_json_files_sit_in_folders_named_after_their_functions_next_to_the_dll()
    {
        var catalog = new FunctionCatalog(FunctionAppRoot.Default);

        Assert.True(File.Exists(FunctionAppRoot.Default.HostJsonPath));
        Assert.NotEmpty(catalog.Functions);
        Assert.All(catalog.Functions, function =>
        {
            Assert.Equal(function.Name, Path.GetFileName(Path.GetDirectoryName(function.FunctionJsonPath)));
            Assert.NotNull(function.Trigger);
        });
    }
}
