namespace CleverTapSegment.CleverTap;

/// <summary>
/// A CleverTap data-centre region. EU is served unprefixed; the others as <c>https://{region}.api.clevertap.com</c>.
/// https://developer.clevertap.com/docs/common-api-components
/// </summary>
public readonly record struct CleverTapRegion
{
    private CleverTapRegion(string code) => Code = code;

    public string Code { get; }

    public static CleverTapRegion Eu1 { get; } = new("eu1");

    /// <summary>Every region we accept. <c>sk1</c> appears only in integrations (Segment Actions, RudderStack), kept for compatibility.</summary>
    public static IReadOnlyList<CleverTapRegion> All { get; } =
        [Eu1, new("in1"), new("us1"), new("sg1"), new("aps3"), new("mec1"), new("sk1")];

    /// <summary>The API base address, ending in a slash so relative paths such as <c>1/upload</c> combine.</summary>
    public Uri ApiBaseUri => Code == Eu1.Code
        ? new Uri("https://api.clevertap.com/")
        : new Uri($"https://{Code}.api.clevertap.com/");

    public static bool TryParse(string? value, out CleverTapRegion region)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Code, value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                region = candidate;
                return true;
            }
        }
        region = default;
        return false;
    }

    public override string ToString() => Code;
}
