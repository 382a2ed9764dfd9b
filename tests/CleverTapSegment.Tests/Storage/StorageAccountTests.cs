using Azure.Identity;
using CleverTapSegment.Storage;
using Microsoft.Extensions.Configuration;

namespace CleverTapSegment.Tests.Storage;

/// <summary>The three ways the Functions host reads <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageAccountTests
{
    private const string EmulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string OtherKey = "c2VjcmV0LWtleS1ieXRlcw==";

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    [Fact]
    public void UseDevelopmentStorage_means_devstoreaccount1_on_the_default_azurite_ports()
    {
        var account = StorageAccount.FromConfiguration(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.TableEndpoint);
        Assert.Equal(new StorageSharedKey("devstoreaccount1", EmulatorKey), account.SharedKey);
        Assert.Null(account.TokenCredential);
    }

    [Fact]
    public void Account_key_connection_string_derives_endpoints_from_protocol_and_suffix()
    {
        var account = StorageAccount.FromConnectionString(
            $"DefaultEndpointsProtocol=https;AccountName=bridgeprod;AccountKey={OtherKey};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal("bridgeprod", account.AccountName);
        Assert.Equal(new Uri("https://bridgeprod.table.core.chinacloudapi.cn"), account.TableEndpoint);
        Assert.Equal(new Uri("https://bridgeprod.queue.core.chinacloudapi.cn"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://bridgeprod.blob.core.chinacloudapi.cn"), account.BlobEndpoint);
        Assert.Equal(new StorageSharedKey("bridgeprod", OtherKey), account.SharedKey);
    }

    [Fact]
    public void Connection_string_defaults_to_https_and_core_windows_net_and_ignores_key_case()
    {
        var account = StorageAccount.FromConnectionString($"accountname=acct;accountkey={OtherKey}");

        Assert.Equal(new Uri("https://acct.queue.core.windows.net"), account.QueueEndpoint);
    }

    [Fact]
    public void Explicit_service_endpoints_override_the_derived_ones()
    {
        var account = StorageAccount.FromConnectionString(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={EmulatorKey};" +
            "TableEndpoint=http://127.0.0.1:41000/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;");

        Assert.Equal(new Uri("http://127.0.0.1:41000/devstoreaccount1"), account.TableEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:41001/devstoreaccount1"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://devstoreaccount1.blob.core.windows.net"), account.BlobEndpoint);
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("AccountName=acct;SharedAccessSignature=sv=2021&sig=abc")]
    [InlineData("AccountKey=c2VjcmV0")]
    [InlineData("AccountName=acct;AccountKey=not*base64")]
    [InlineData("just-garbage")]
    public void Unusable_connection_strings_fail_start_up_naming_the_setting(string connectionString)
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(Settings(("AzureWebJobsStorage", connectionString))));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_messages_never_contain_the_account_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            StorageAccount.FromConfiguration(Settings(("AzureWebJobsStorage", $"AccountKey={OtherKey};{OtherKey}"))));

        Assert.DoesNotContain(OtherKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OtherKey, new StorageSharedKey("a", OtherKey).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_setting_fails_naming_AzureWebJobsStorage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(Settings()));

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

            var account = StorageAccount.FromConfiguration(configuration);

            Assert.Equal("bridgeprod", account.AccountName);
            Assert.Equal(new Uri("https://bridgeprod.table.core.windows.net"), account.TableEndpoint);
            Assert.Equal(new Uri("https://bridgeprod.queue.core.windows.net"), account.QueueEndpoint);
            Assert.Equal(new Uri("https://bridgeprod.blob.core.windows.net"), account.BlobEndpoint);
            Assert.IsType<ManagedIdentityCredential>(account.TokenCredential);
            Assert.Equal(clientId, account.ManagedIdentityClientId);
            Assert.Null(account.SharedKey);
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
        var account = StorageAccount.FromConfiguration(Settings(
            ("AzureWebJobsStorage:tableServiceUri", "https://bridgeprod.table.core.windows.net/"),
            ("AzureWebJobsStorage:queueServiceUri", "https://bridgeprod.queue.core.windows.net/")));

        Assert.Equal("bridgeprod", account.AccountName);
        Assert.Equal(new Uri("https://bridgeprod.table.core.windows.net"), account.TableEndpoint);
        Assert.Equal(new Uri("https://bridgeprod.queue.core.windows.net"), account.QueueEndpoint);
        Assert.IsType<DefaultAzureCredential>(account.TokenCredential);
        Assert.Null(account.ManagedIdentityClientId);
    }

    [Fact]
    public void Identity_based_system_assigned_managed_identity_needs_no_client_id()
    {
        var account = StorageAccount.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "managedidentity")));

        Assert.IsType<ManagedIdentityCredential>(account.TokenCredential);
        Assert.Null(account.ManagedIdentityClientId);
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

        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(settings));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_credential_kind_fails_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromConfiguration(Settings(
            ("AzureWebJobsStorage:accountName", "acct"), ("AzureWebJobsStorage:credential", "clientsecret"))));

        Assert.Contains("AzureWebJobsStorage__credential", error.Message, StringComparison.Ordinal);
    }
}
