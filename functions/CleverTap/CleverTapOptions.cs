using Microsoft.Extensions.Options;

namespace CleverTapSegment.CleverTap;

/// <summary>
/// Settings <c>CleverTap__*</c>: the default account, plus named accounts under <c>CleverTap__Connections__{name}__*</c>
/// whose unset values fall back to the default account's.
/// </summary>
public sealed class CleverTapOptions
{
    public const string SectionName = "CleverTap";

    public string? AccountId { get; set; }
    public string? Passcode { get; set; }
    public string Region { get; set; } = CleverTapRegion.Eu1.Code;
    /// <summary>Overrides the region's base URL (a proxy or a test double). Configuration only, never per request.</summary>
    public Uri? ApiBaseUrl { get; set; }
    /// <summary>Upload requests in flight per account; CleverTap documents 15 concurrent, older pages 3.</summary>
    public int MaxConcurrentUploads { get; set; } = 3;
    /// <summary>The CleverTap project's time zone (IANA or Windows id): export <c>ts</c> values and days are local to it.</summary>
    public string TimeZone { get; set; } = "UTC";
    public Dictionary<string, CleverTapConnectionOptions> Connections { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A named extra account (<c>CleverTap__Connections__{name}__*</c>).</summary>
public sealed class CleverTapConnectionOptions
{
    public string? AccountId { get; set; }
    public string? Passcode { get; set; }
    public string? Region { get; set; }
    public Uri? ApiBaseUrl { get; set; }
    public int? MaxConcurrentUploads { get; set; }
    public string? TimeZone { get; set; }
}

/// <summary>Fails start-up naming the setting that is missing or invalid.</summary>
internal sealed class CleverTapOptionsValidator : IValidateOptions<CleverTapOptions>
{
    public ValidateOptionsResult Validate(string? name, CleverTapOptions options)
    {
        var failures = new List<string>();
        Check("CleverTap", options.AccountId, options.Passcode, options.Region, options.MaxConcurrentUploads, options.TimeZone, failures);
        foreach (var (connection, value) in options.Connections)
        {
            Check($"CleverTap__Connections__{connection}",
                value.AccountId ?? options.AccountId, value.Passcode ?? options.Passcode, value.Region ?? options.Region,
                value.MaxConcurrentUploads ?? options.MaxConcurrentUploads, value.TimeZone ?? options.TimeZone, failures);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string prefix, string? accountId, string? passcode, string region, int maxConcurrentUploads, string timeZone, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(accountId))
            failures.Add($"{prefix}__AccountId is required.");
        if (string.IsNullOrWhiteSpace(passcode))
            failures.Add($"{prefix}__Passcode is required.");
        if (!CleverTapRegion.TryParse(region, out _))
            failures.Add($"{prefix}__Region '{region}' is not a CleverTap region; valid: {string.Join(", ", CleverTapRegion.All)}.");
        if (maxConcurrentUploads is < 1 or > 15)
            failures.Add($"{prefix}__MaxConcurrentUploads must be between 1 and 15 (CleverTap allows 15 concurrent uploads per account).");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            failures.Add($"{prefix}__TimeZone '{timeZone}' is not a known time zone id.");
    }
}
