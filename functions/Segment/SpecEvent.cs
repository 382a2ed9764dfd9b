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
    public string? Type => Text("type");
    public string? MessageId => Text("messageId");
    public string? UserId => NonBlank(Text("userId"));
    public string? AnonymousId => NonBlank(Text("anonymousId"));
    public string? PreviousId => NonBlank(Text("previousId"));
    public string? GroupId => NonBlank(Text("groupId"));
    /// <summary>track's event name.</summary>
    public string? Event => Text("event");
    /// <summary>page / screen name.</summary>
    public string? Name => NonBlank(Text("name"));
    /// <summary>page category.</summary>
    public string? Category => NonBlank(Text("category"));

    public JsonElement Properties => Object(Root, "properties");
    public JsonElement Traits => Object(Root, "traits");
    public JsonElement Context => Object(Root, "context");
    public JsonElement ContextTraits => Object(Context, "traits");
    public JsonElement Integrations => Object(Root, "integrations");

    public JsonElement Field(string name) =>
        IsObject && Root.TryGetProperty(name, out var value) ? value : default;

    /// <summary>The <c>name</c> member of an object, or <c>default</c> (<see cref="JsonValueKind.Undefined"/>).</summary>
    public static JsonElement Object(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    /// <summary>A string or number member as text (ids arrive as numbers from some libraries).</summary>
    public static string? Text(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value))
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

    private string? Text(string name) => Text(Root, name);

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
