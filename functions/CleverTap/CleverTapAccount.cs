using Microsoft.Extensions.Options;

namespace CleverTapSegment.CleverTap;

/// <summary>A resolved CleverTap account: where to call and with which credentials. Never log the passcode.</summary>
public sealed record CleverTapAccount(string Name, string AccountId, string Passcode, Uri ApiBaseUri, int MaxConcurrentUploads, TimeZoneInfo TimeZone)
{
    public const string DefaultName = "default";

    /// <summary>Adds the documented auth headers to one request (per request, never as client defaults).</summary>
    public void Authenticate(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("X-CleverTap-Account-Id", AccountId);
        request.Headers.TryAddWithoutValidation("X-CleverTap-Passcode", Passcode);
    }

    /// <summary>
    /// Identifies the account whose limits a call counts against: its concurrency slots, its circuit breaker, its
    /// in-process export queue. The account id and API host, not the connection name: two connections to one account
    /// share its limits (https://developer.clevertap.com/docs/api-request-limit) and its outages.
    /// </summary>
    public string LimitKey => $"{AccountId}@{ApiBaseUri.Authority}";

    /// <summary>Keeps the passcode out of logs and exception messages.</summary>
    public override string ToString() => $"{Name} ({AccountId} at {ApiBaseUri})";
}

/// <summary>The configured accounts: the default one and the named connections.</summary>
public sealed class CleverTapAccounts
{
    private readonly Dictionary<string, CleverTapAccount> _named;

    public CleverTapAccounts(IOptions<CleverTapOptions> options)
    {
        var value = options.Value;
        Default = Resolve(CleverTapAccount.DefaultName, value.AccountId, value.Passcode, value.Region, value.ApiBaseUrl, value.MaxConcurrentUploads, value.TimeZone);
        _named = value.Connections.ToDictionary(
            pair => pair.Key,
            pair => Resolve(pair.Key,
                pair.Value.AccountId ?? value.AccountId, pair.Value.Passcode ?? value.Passcode, pair.Value.Region ?? value.Region,
                pair.Value.ApiBaseUrl ?? (pair.Value.Region is null ? value.ApiBaseUrl : null),
                pair.Value.MaxConcurrentUploads ?? value.MaxConcurrentUploads, pair.Value.TimeZone ?? value.TimeZone),
            StringComparer.OrdinalIgnoreCase);
    }

    public CleverTapAccount Default { get; }

    public IReadOnlyCollection<CleverTapAccount> Named => _named.Values;

    public bool TryGet(string name, out CleverTapAccount account) => _named.TryGetValue(name, out account!);

    private static CleverTapAccount Resolve(string name, string? accountId, string? passcode, string region, Uri? apiBaseUrl, int maxConcurrentUploads, string timeZone)
    {
        // The validator has already run (ValidateOnStart), so these are present and parse.
        CleverTapRegion.TryParse(region, out var parsed);
        var baseUri = apiBaseUrl ?? parsed.ApiBaseUri;
        if (!baseUri.AbsoluteUri.EndsWith('/'))
            baseUri = new Uri(baseUri.AbsoluteUri + "/");
        return new CleverTapAccount(name, accountId!, passcode!, baseUri, maxConcurrentUploads, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
    }
}
