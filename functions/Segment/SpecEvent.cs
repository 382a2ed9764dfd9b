using System.Globalization;
using System.Text.Json;

namespace CleverTapSegment.Segment;

/// <summary>
/// A tolerant, allocation-light view of one incoming Segment spec event: fields are looked up by name (any key
/// order), scalars may come as strings or numbers, and missing or mistyped fields read as absent.
/// https://segment.com/docs/connections/spec/common/
/// </summary>
public readonly struct SpecEvent(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public bool IsObject => Root.ValueKind == JsonValueKind.Object;

    /// <summary>The raw <c>type</c> (compare case-insensitively).</summary>
    public string? Type => Text("type"u8);
    public string? MessageId => Text("messageId"u8);
    public string? UserId => NonBlank(Text("userId"u8));
    public string? AnonymousId => NonBlank(Text("anonymousId"u8));
    public string? PreviousId => NonBlank(Text("previousId"u8));
    public string? GroupId => NonBlank(Text("groupId"u8));
    /// <summary>track's event name.</summary>
    public string? Event => Text("event"u8);
    /// <summary>page / screen name.</summary>
    public string? Name => NonBlank(Text("name"u8));
    /// <summary>page category.</summary>
    public string? Category => NonBlank(Text("category"u8));

    public JsonElement Properties => Object(Root, "properties"u8);
    public JsonElement Traits => Object(Root, "traits"u8);
    public JsonElement Context => Object(Root, "context"u8);
    public JsonElement ContextTraits => Object(Context, "traits"u8);
    public JsonElement Integrations => Object(Root, "integrations"u8);

    public JsonElement Field(ReadOnlySpan<byte> utf8Name) =>
        IsObject && Root.TryGetProperty(utf8Name, out var value) ? value : default;

    /// <summary>The member of an object, or <c>default</c> (<see cref="JsonValueKind.Undefined"/>).</summary>
    public static JsonElement Object(JsonElement parent, ReadOnlySpan<byte> utf8Name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(utf8Name, out var value)
            && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    /// <summary>A string or number member as text (ids arrive as numbers from some libraries).</summary>
    public static string? Text(JsonElement parent, ReadOnlySpan<byte> utf8Name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(utf8Name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.TryGetInt64(out var integer)
                ? integer.ToString(CultureInfo.InvariantCulture)
                : value.GetRawText(),
            _ => null,
        };
    }

    private string? Text(ReadOnlySpan<byte> utf8Name) => Text(Root, utf8Name);

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
