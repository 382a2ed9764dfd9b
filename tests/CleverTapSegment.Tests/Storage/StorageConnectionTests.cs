using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using CleverTapSegment.Storage;
using Microsoft.Extensions.Configuration;

namespace CleverTapSegment.Tests.Storage;

/// <summary>The ways the Functions host reads <c>AzureWebJobsStorage</c>, and where the app's clients then point.</summary>
public sealed class StorageConnectionTests
{
    private const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string OtherKey = "c2VjcmV0LWtleS1ieXRlcw==";

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private static StorageConnection FromConnectionString(string connectionString) =>
        StorageConnection.FromConfiguration(Settings(("AzureWebJobsStorage", connectionString)));

    private static (Uri Table, Uri Queue) Endpoints(StorageConnection connection) =>
        (connection.CreateTableServiceClient(new TableClientOptions()).Uri, connection.CreateQueueServiceClient(new QueueClientOptions()).Uri);

    [Fact]
    public void UseDevelopmentStorage_means_devstoreaccount1_on_the_default_azurite_ports()
    {
        var connection = FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(
            (new Uri("http://127.0.0.1:10002/devstoreaccount1"), new Uri("http://127.0.0.1:10001/devstoreaccount1")),
            Endpoints(connection));
        Assert.Equal("devstoreaccount1", connection.CreateTableServiceClient(new TableClientOptions()).AccountName);
        Assert.Null(connection.Credential);
    }

    [Fact]
    public void Account_key_connection_string_derives_endpoints_from_protocol_and_suffix()
    {
        var connection = FromConnectionString($"DefaultEndpointsProtocol=https;AccountName=bridgeprod;AccountKey={OtherKey};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(
            (new Uri("https://bridgeprod.table.core.chinacloudapi.cn"), new Uri("https://bridgeprod.queue.core.chinacloudapi.cn")),
            Endpoints(connection));
        Assert.Equal("bridgeprod", connection.CreateQueueServiceClient(new QueueClientOptions()).AccountName);
    }

    [Fact]
    public void Connection_string_defaults_to_https_and_core_windows_net_and_ignores_key_case()
    {
        var connection = FromConnectionString($"accountname=acct;accountkey={OtherKey}");

        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), Endpoints(connection).Queue);
    }

    [Fact]
    public void Explicit_service_endpoints_override_the_derived_ones()
    {
        var connection = FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={EmulatorKey};" +
            "TableEndpoint=http://127.0.0.1:41000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;");

        Assert.Equal(
            (new Uri("http://127.0.0.1:41000/devstoreaccount1"), new Uri("http://127.0.0.1:41001/devstoreaccount1")),
            Endpoints(connection));
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("AccountName=acct;SharedAccessSignature=sv=2021&sig=abc")]
    [InlineData("AccountKey=c2VjcmV0")]
    [InlineData("AccountName=acct;AccountKey=not*base64")]
    [InlineData("just-garbage")]
    [InlineData("AccountName=acct;AccountKey=c2VjcmV0;TableEndpoint=not a uri")]
    public void Unusable_connection_strings_fail_start_up_naming_the_setting(string connectionString)
    {
        var error = Assert.Throws<InvalidOperationException>(() => FromConnectionString(connectionString));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_messages_never_contain_the_account_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FromConnectionString($"AccountKey={OtherKey};{OtherKey}"));

        Assert.DoesNotContain(OtherKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_setting_fails_naming_AzureWebJobsStorage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings()));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_settings_with_a_user_assigned_client_id_use_managed_identity()
    {
        // Read through the environment-variable provider so that the double-underscore spelling is what is tested.
        var prefix = $"CTS_{Guid.NewGuid():N}_";
        var clientId = "6f0e1d2c-3b4a-5968-7788-99aabbccddee";
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__accountName", "bridgeprod");
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__credential", "managedidentity");
        Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__clientId", clientId);
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build();

            var connection = StorageConnection.FromConfiguration(configuration);

            Assert.Equal(
                (new Uri("https://bridgeprod.table.core.windows.net"), new Uri("https://bridgeprod.queue.core.windows.net")),
                Endpoints(connection));
            Assert.IsType<ManagedIdentityCredential>(connection.Credential);
            Assert.Equal(clientId, connection.ManagedIdentityClientId);
            Assert.Null(connection.ConnectionString);
        }
        finally
        {
            foreach (var name in new[] { "accountName", "credential", "clientId" })
                Environment.SetEnvironmentVariable(prefix + "AzureWebJobsStorage__" + name, null);
        }
    }

    [Fact]
    public void Identity_based_service_uris_are_used_as_given_and_no_credential_means_DefaultAzureCredential()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:tableServiceUri", "https://bridgeprod.table.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://bridgeprod.queue.core.windows.net/")));

        Assert.Equal(
            (new Uri("https://bridgeprod.table.core.windows.net"), new Uri("https://bridgeprod.queue.core.windows.net")),
            Endpoints(connection));
        Assert.Equal("bridgeprod", connection.CreateTableServiceClient(new TableClientOptions()).AccountName);
        Assert.IsType<DefaultAzureCredential>(connection.Credential);
        Assert.Null(connection.ManagedIdentityClientId);
    }

    [Fact]
    public void Identity_based_system_assigned_managed_identity_needs_no_client_id()
    {
        var connection = StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "managedidentity")));

        Assert.IsType<ManagedIdentityCredential>(connection.Credential);
        Assert.Null(connection.ManagedIdentityClientId);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:credential", "managedidentity", "AzureWebJobsStorage__accountName")]
    [InlineData("AzureWebJobsStorage:tableServiceUri", "http://insecure.example/", "AzureWebJobsStorage__tableServiceUri")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "not a uri", "AzureWebJobsStorage__queueServiceUri")]
    public void Incomplete_identity_based_settings_fail_naming_the_setting(string key, string value, string named)
    {
        var settings = key.EndsWith("credential", StringComparison.Ordinal)
            ? Settings((key, value))
            : Settings(("AzureWebJobsStorage:accountName", "acct"), (key, value));

        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_credential_kind_fails_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageConnection.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "clientsecret"))));

        Assert.Contains("AzureWebJobsStorage__credential", error.Message, StringComparison.Ordinal);
    }
}
