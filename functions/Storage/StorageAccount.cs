using Azure.Core;
using Azure.Identity;

namespace CleverTapSegment.Storage;

/// <summary>The storage account the app uses, read the Functions way from <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageAccount
{
    // The emulator's well-known account: https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key
    internal const string DevelopmentAccountName = "devstoreaccount1";
    internal const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public required string AccountName { get; init; }
    public required Uri TableEndpoint { get; init; }
    public required Uri QueueEndpoint { get; init; }
    public Uri? BlobEndpoint { get; init; }
    /// <summary>Shared Key credential (Azurite, account keys); null when a token credential is used.</summary>
    public StorageSharedKey? SharedKey { get; init; }
    /// <summary>Managed identity / Entra credential; null when a shared key is used.</summary>
    public TokenCredential? TokenCredential { get; init; }
    /// <summary>The user-assigned managed identity's client id (<c>__clientId</c>), when one is named.</summary>
    public string? ManagedIdentityClientId { get; init; }

    /// <summary>Reads <c>{name}</c> (connection string, incl. <c>UseDevelopmentStorage=true</c>) or <c>{name}__*</c>.</summary>
    /// <exception cref="InvalidOperationException">The setting is missing or invalid; the message names it.</exception>
    public static StorageAccount FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            try
            {
                return FromConnectionString(connectionString);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"The setting {connectionName} is not a valid storage connection string: {e.Message}", e);
            }
        }

        var section = configuration.GetSection(connectionName);
        if (section.GetChildren().Any())
            return FromIdentitySettings(section, connectionName);

        throw new InvalidOperationException(
            $"The storage setting {connectionName} is missing: set {connectionName} to a connection string " +
            $"(UseDevelopmentStorage=true for Azurite) or use the identity-based {connectionName}__accountName " +
            $"(or {connectionName}__tableServiceUri and {connectionName}__queueServiceUri).");
    }

    /// <summary>Parses an account-key connection string or <c>UseDevelopmentStorage=true</c>.</summary>
    /// <exception cref="FormatException">Unparseable, or without an account key (SAS is not supported).</exception>
    public static StorageAccount FromConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var settings = ParseConnectionString(connectionString);

        // https://learn.microsoft.com/azure/storage/common/storage-use-azurite#connection-strings
        if (settings.TryGetValue("UseDevelopmentStorage", out var useDevelopment) && bool.TryParse(useDevelopment, out var isDevelopment) && isDevelopment)
        {
            return new StorageAccount
            {
                AccountName = DevelopmentAccountName,
                BlobEndpoint = new Uri($"http://127.0.0.1:10000/{DevelopmentAccountName}"),
                QueueEndpoint = new Uri($"http://127.0.0.1:10001/{DevelopmentAccountName}"),
                TableEndpoint = new Uri($"http://127.0.0.1:10002/{DevelopmentAccountName}"),
                SharedKey = new StorageSharedKey(DevelopmentAccountName, DevelopmentAccountKey),
            };
        }

        // https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string
        var accountName = settings.GetValueOrDefault("AccountName");
        var accountKey = settings.GetValueOrDefault("AccountKey");
        if (string.IsNullOrEmpty(accountName))
            throw new FormatException("AccountName is missing.");
        if (string.IsNullOrEmpty(accountKey))
            throw new FormatException("AccountKey is missing (shared access signatures are not supported; use an account key or the identity-based settings).");
        if (!IsBase64(accountKey))
            throw new FormatException("AccountKey is not base64.");

        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol") ?? "https";
        if (protocol is not ("http" or "https"))
            throw new FormatException($"DefaultEndpointsProtocol '{protocol}' must be http or https.");
        var suffix = settings.GetValueOrDefault("EndpointSuffix") ?? "core.windows.net";
        Uri Endpoint(string key, string service) =>
            settings.TryGetValue(key, out var explicitEndpoint)
                ? ParseEndpoint(key, explicitEndpoint)
                : new Uri($"{protocol}://{accountName}.{service}.{suffix}");

        return new StorageAccount
        {
            AccountName = accountName,
            BlobEndpoint = Endpoint("BlobEndpoint", "blob"),
            QueueEndpoint = Endpoint("QueueEndpoint", "queue"),
            TableEndpoint = Endpoint("TableEndpoint", "table"),
            SharedKey = new StorageSharedKey(accountName, accountKey),
        };
    }

    // https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
    private static StorageAccount FromIdentitySettings(IConfigurationSection section, string connectionName)
    {
        var accountName = section["accountName"];
        var clientId = string.IsNullOrWhiteSpace(section["clientId"]) ? null : section["clientId"]!.Trim();
        var tableServiceUri = ParseSetting(section, "tableServiceUri", connectionName);
        var queueServiceUri = ParseSetting(section, "queueServiceUri", connectionName);
        var blobServiceUri = ParseSetting(section, "blobServiceUri", connectionName);

        if (string.IsNullOrWhiteSpace(accountName))
        {
            if (tableServiceUri is null || queueServiceUri is null)
                throw new InvalidOperationException(
                    $"The storage setting {connectionName}__accountName is missing (or set both {connectionName}__tableServiceUri and {connectionName}__queueServiceUri).");
            accountName = tableServiceUri.Host.Split('.')[0];
        }

        return new StorageAccount
        {
            AccountName = accountName,
            TableEndpoint = tableServiceUri ?? new Uri($"https://{accountName}.table.core.windows.net"),
            QueueEndpoint = queueServiceUri ?? new Uri($"https://{accountName}.queue.core.windows.net"),
            BlobEndpoint = blobServiceUri ?? new Uri($"https://{accountName}.blob.core.windows.net"),
            TokenCredential = CreateCredential(section["credential"], clientId, connectionName),
            ManagedIdentityClientId = clientId,
        };
    }

    private static TokenCredential CreateCredential(string? credential, string? clientId, string connectionName)
    {
        var hasClientId = !string.IsNullOrWhiteSpace(clientId);
        if (string.IsNullOrWhiteSpace(credential))
        {
            return new DefaultAzureCredential(hasClientId
                ? new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId }
                : new DefaultAzureCredentialOptions());
        }
        if (credential.Equals("managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return new ManagedIdentityCredential(hasClientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId!)
                : ManagedIdentityId.SystemAssigned);
        }
        throw new InvalidOperationException($"The storage setting {connectionName}__credential '{credential}' is not supported; use managedidentity or leave it unset.");
    }

    private static Uri? ParseSetting(IConfigurationSection section, string key, string connectionName)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        // Bearer tokens are only ever sent over TLS (Azure.Core's BearerTokenAuthenticationPolicy refuses http).
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"The storage setting {connectionName}__{key} '{value}' is not an absolute https URI.");
        return uri;
    }

    private static Uri ParseEndpoint(string key, string value)
    {
        if (!Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new FormatException($"{key} '{value}' is not an absolute http(s) URI.");
        return uri;
    }

    private static Dictionary<string, string> ParseConnectionString(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split at the first '=' only: base64 keys end in '='.
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new FormatException($"'{RedactedPart(part)}' is not a key=value pair.");
            settings[part[..equals].Trim()] = part[(equals + 1)..].Trim();
        }
        return settings;
    }

    // A malformed part could be a secret pasted on its own: name only its start.
    private static string RedactedPart(string part) => part.Length <= 8 ? part : part[..8] + "…";

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}
