using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CleverTapSegment.Storage;

/// <summary>
/// The storage account the app uses, read from <c>AzureWebJobsStorage</c> the way the Functions host reads it: a
/// connection string (account key, or <c>UseDevelopmentStorage=true</c> for Azurite), or the identity-based
/// <c>AzureWebJobsStorage__*</c> settings.
/// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
/// </summary>
internal sealed class StorageConnection
{
    public const string SettingName = "AzureWebJobsStorage";

    private StorageConnection()
    {
    }

    /// <summary>The connection string, when the connection-string form is used (the SDK clients parse it).</summary>
    public string? ConnectionString { get; private init; }

    public Uri? TableServiceUri { get; private init; }
    public Uri? QueueServiceUri { get; private init; }
    public Uri? BlobServiceUri { get; private init; }
    public TokenCredential? Credential { get; private init; }

    /// <summary>The user-assigned managed identity's client id (<c>__clientId</c>), when one is named.</summary>
    public string? ManagedIdentityClientId { get; private init; }

    /// <exception cref="InvalidOperationException">The setting is missing or invalid; the message names it, never its secret.</exception>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = SettingName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
            return FromConnectionString(connectionString, name);

        var section = configuration.GetSection(name);
        if (section.GetChildren().Any())
            return FromIdentitySettings(section, name);

        throw new InvalidOperationException(
            $"The storage setting {name} is missing: set {name} to a connection string " +
            $"(UseDevelopmentStorage=true for Azurite) or use the identity-based {name}__accountName " +
            $"(or {name}__tableServiceUri, {name}__queueServiceUri and {name}__blobServiceUri).");
    }

    public TableServiceClient CreateTableServiceClient(TableClientOptions options) =>
        ConnectionString is { } connectionString
            ? new TableServiceClient(connectionString, options)
            : new TableServiceClient(TableServiceUri, Credential, options);

    public QueueServiceClient CreateQueueServiceClient(QueueClientOptions options) =>
        ConnectionString is { } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(QueueServiceUri, Credential, options);

    public BlobServiceClient CreateBlobServiceClient(BlobClientOptions options) =>
        ConnectionString is { } connectionString
            ? new BlobServiceClient(connectionString, options)
            : new BlobServiceClient(BlobServiceUri, Credential, options);

    // https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string
    private static StorageConnection FromConnectionString(string connectionString, string name)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split at the first '=' only: base64 keys end in '='.
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw Invalid(name, $"'{RedactedPart(part)}' is not a key=value pair.");
            settings[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }

        // https://learn.microsoft.com/azure/storage/common/storage-use-azurite#connection-strings
        var isDevelopment = settings.TryGetValue("UseDevelopmentStorage", out var useDevelopment) && bool.TryParse(useDevelopment, out var development) && development;
        if (!isDevelopment)
        {
            if (string.IsNullOrEmpty(settings.GetValueOrDefault("AccountName")))
                throw Invalid(name, "AccountName is missing.");
            var accountKey = settings.GetValueOrDefault("AccountKey");
            if (string.IsNullOrEmpty(accountKey))
                throw Invalid(name, "AccountKey is missing (shared access signatures are not supported; use an account key or the identity-based settings).");
            if (!Convert.TryFromBase64String(accountKey, new byte[accountKey.Length], out _))
                throw Invalid(name, "AccountKey is not base64.");
        }

        var connection = new StorageConnection { ConnectionString = connectionString };
        try
        {
            // The SDK's own parse (endpoints, protocol, suffix) runs now, so a string it refuses fails start-up.
            connection.CreateTableServiceClient(new TableClientOptions());
            connection.CreateQueueServiceClient(new QueueClientOptions());
            connection.CreateBlobServiceClient(new BlobClientOptions());
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            // The SDK's message may quote the string: name only the kind of failure.
            throw Invalid(name, $"the storage SDK could not parse it ({exception.GetType().Name}).");
        }
        return connection;
    }

    private static StorageConnection FromIdentitySettings(IConfigurationSection section, string name)
    {
        var accountName = section["accountName"];
        var tableServiceUri = ServiceUri(section, "tableServiceUri", name);
        var queueServiceUri = ServiceUri(section, "queueServiceUri", name);
        var blobServiceUri = ServiceUri(section, "blobServiceUri", name);
        if (string.IsNullOrWhiteSpace(accountName) && (tableServiceUri is null || queueServiceUri is null))
        {
            throw new InvalidOperationException(
                $"The storage setting {name}__accountName is missing (or set both {name}__tableServiceUri and {name}__queueServiceUri).");
        }
        var clientId = string.IsNullOrWhiteSpace(section["clientId"]) ? null : section["clientId"]!.Trim();
        return new StorageConnection
        {
            TableServiceUri = tableServiceUri ?? new Uri($"https://{accountName}.table.core.windows.net"),
            QueueServiceUri = queueServiceUri ?? new Uri($"https://{accountName}.queue.core.windows.net"),
            BlobServiceUri = blobServiceUri ?? (string.IsNullOrWhiteSpace(accountName)
                ? BlobUriBesideQueue(queueServiceUri!)
                : new Uri($"https://{accountName}.blob.core.windows.net")),
            Credential = CreateCredential(section["credential"], clientId, name),
            ManagedIdentityClientId = clientId,
        };
    }

    private static TokenCredential CreateCredential(string? credential, string? clientId, string name)
    {
        if (string.IsNullOrWhiteSpace(credential))
        {
            // What the Functions host itself uses when __credential is not set (Microsoft.Extensions.Azure's default):
            // the app then authenticates exactly like its host, including a developer's own sign-in when run locally.
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        }
        if (credential.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(clientId is null
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        throw new InvalidOperationException($"The storage setting {name}__credential '{credential}' is not supported; use managedidentity or leave it unset.");
    }

    private static Uri? ServiceUri(IConfigurationSection section, string key, string name)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        // Bearer tokens are only ever sent over TLS (the SDKs refuse a token credential over http).
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"The storage setting {name}__{key} '{value}' is not an absolute https URI.");
        return uri;
    }

    /// <summary>
    /// Only the Segment spool's claim checks use blobs: when just the table and queue URIs are given, the blob
    /// endpoint of the same account is its standard name (https://learn.microsoft.com/azure/storage/common/storage-account-overview#standard-endpoints).
    /// </summary>
    private static Uri BlobUriBesideQueue(Uri queueServiceUri)
    {
        var labels = queueServiceUri.Host.Split('.');
        if (labels.Length > 1 && labels[1].Equals("queue", StringComparison.OrdinalIgnoreCase))
            labels[1] = "blob";
        return new UriBuilder(queueServiceUri) { Host = string.Join('.', labels) }.Uri;
    }

    private static InvalidOperationException Invalid(string name, string reason) =>
        new($"The setting {name} is not a valid storage connection string: {reason}");

    // A malformed part could be a secret pasted on its own: name only its start.
    private static string RedactedPart(string part) => part.Length <= 8 ? part : part[..8] + "…";
}
