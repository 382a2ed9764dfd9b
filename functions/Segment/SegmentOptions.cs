using Microsoft.Extensions.Options;

namespace CleverTapSegment.Segment;

/// <summary>Settings <c>Segment__*</c> of the Tracking API client.</summary>
public sealed class SegmentOptions
{
    public const string SectionName = "Segment";

    /// <summary>
    /// Overrides the region's Tracking API base URL for every destination (a proxy or a test double). Empty means unset.
    /// </summary>
    public string? ApiBaseUrl { get; set; }
}

/// <summary>Fails start-up naming <c>Segment__ApiBaseUrl</c> when it is set but not an absolute http(s) URL.</summary>
internal sealed class SegmentOptionsValidator : IValidateOptions<SegmentOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ApiBaseUrl))
            return ValidateOptionsResult.Success;
        return Uri.TryCreate(options.ApiBaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Segment__ApiBaseUrl '{options.ApiBaseUrl}' is not an absolute http(s) URL.");
    }
}
