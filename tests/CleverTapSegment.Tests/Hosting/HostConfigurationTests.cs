using CleverTapSegment.Hosting;
using CleverTapSegment.Tests.Infra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace CleverTapSegment.Tests.Hosting;

public sealed class HostConfigurationTests
{
    [Fact]
    public void Host_json_values_are_configuration_under_AzureFunctionsJobHost()
    {
        var configuration = new ConfigurationBuilder()
            .Add(new HostJsonConfigurationSource(Path.Combine(RepositoryPaths.Root, "host.json")))
            .Build();

        Assert.Equal("5", configuration["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"]);
        // Empty: the dashboard is at the root, every API route starts with api/ itself.
        Assert.Equal("", configuration["AzureFunctionsJobHost:extensions:http:routePrefix"]);
    }

    [Fact]
    public void The_worker_build_output_carries_the_repository_host_json()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")),
            File.ReadAllText(HostJsonConfigurationSource.DefaultPath));
    }

    [Fact]
    public void Host_json_sits_below_environment_variables_so_AzureFunctionsJobHost_settings_override_it()
    {
        var builder = new ConfigurationBuilder();
        builder.Sources.Add(new MemoryConfigurationSource());
        var environment = new EnvironmentVariablesConfigurationSource();
        builder.Sources.Add(environment);
        var hostJson = new HostJsonConfigurationSource(Path.Combine(RepositoryPaths.Root, "host.json"));

        ConfigurationLayering.InsertBelowEnvironmentVariables(builder, hostJson);

        Assert.True(builder.Sources.IndexOf(hostJson) < builder.Sources.IndexOf(environment));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(5, true)]
    public void Max_dequeue_count_must_be_at_least_one_naming_the_setting(int maxDequeueCount, bool valid)
    {
        var result = new HostQueueOptionsValidator().Validate(null, new HostQueueOptions { MaxDequeueCount = maxDequeueCount });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
            Assert.Contains("AzureFunctionsJobHost__extensions__queues__maxDequeueCount", result.FailureMessage, StringComparison.Ordinal);
    }
}
