using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>A standard CleverTap value, or null to keep the trait as a custom attribute (with an optional warning).</summary>
internal readonly record struct StandardValue(string? Value, string? Warning = null);

/// <summary>One Segment trait that has a CleverTap standard profile key.</summary>
internal sealed record ProfileField(string CleverTapKey, string Trait, Func<JsonElement, StandardValue> Convert);

/// <summary>
/// identify → profile. Standard keys per https://segment.com/docs/connections/destinations/catalog/clevertap/
/// (name→Name, email→Email, phone→Phone, gender→Gender, birthday→DOB, avatar→Photo) with CleverTap's formats
/// (https://developer.clevertap.com/docs/upload-user-profiles-api); every other trait is a custom attribute.
/// </summary>
internal static class ProfileFields
{
    public static readonly ProfileField[] StandardTraits =
    [
        new("Name", "name", Text),
        new("Email", "email", Text),
        new("Phone", "phone", Phone),
        new("Gender", "gender", Gender),
        new("DOB", "birthday", Birthday),
        new("Photo", "avatar", Text),
    ];

    /// <summary>Segment fills <c>name</c> from first + last name; both spellings arrive
    /// (https://segment.com/docs/connections/spec/identify/). They also stay custom attributes.</summary>
    private static readonly string[] s_firstNameTraits = ["firstName", "first_name", "firstname"];
    private static readonly string[] s_lastNameTraits = ["lastName", "last_name", "lastname"];

    public static void MapIdentify(SpecEvent segmentEvent, MappingContext context)
    {
        if (!IdentityRules.TryResolve(segmentEvent, context, out var identity))
            return;
        var traits = segmentEvent.Traits;
        var contextTraits = segmentEvent.ContextTraits;
        var profile = new UploadData(16);
        Span<bool> used = stackalloc bool[StandardTraits.Length];
        var usedCount = 0;
        for (var i = 0; i < StandardTraits.Length; i++)
        {
            var field = StandardTraits[i];
            var value = Trait(traits, contextTraits, field.Trait);
            if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
                continue;
            var standard = field.Convert(value);
            if (standard.Warning is not null)
                context.Warn(standard.Warning);
            if (standard.Value is null)
                continue;
            profile.Set(field.CleverTapKey, UploadValue.FromString(PropertyFlattener.CutString(field.CleverTapKey, standard.Value, context)));
            used[i] = true;
            usedCount++;
        }
        if (!profile.ContainsKey("Name") && FullName(traits, contextTraits) is { } fullName)
            profile.Set("Name", UploadValue.FromString(PropertyFlattener.CutString("Name", fullName, context)));

        var consumed = new string[usedCount];
        for (int i = 0, j = 0; i < StandardTraits.Length; i++)
        {
            if (used[i])
                consumed[j++] = StandardTraits[i].Trait;
        }
        PropertyFlattener.AddMembers(profile, traits, ValueTarget.Profile, context, excluded: consumed);
        AddContextTraits(profile, traits, contextTraits, consumed, context);
        context.AddRecord(UploadRecordType.Profile, identity, segmentEvent, profile);
    }

    /// <summary>Traits come from <c>traits</c>, then <c>context.traits</c> for what <c>traits</c> lacks.</summary>
    public static JsonElement Trait(JsonElement traits, JsonElement contextTraits, string name)
    {
        if (traits.ValueKind == JsonValueKind.Object && traits.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            return value;
        return contextTraits.ValueKind == JsonValueKind.Object && contextTraits.TryGetProperty(name, out value) ? value : default;
    }

    private static void AddContextTraits(UploadData profile, JsonElement traits, JsonElement contextTraits,
        ReadOnlySpan<string> consumed, MappingContext context)
    {
        if (contextTraits.ValueKind != JsonValueKind.Object)
            return;
        foreach (var member in contextTraits.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Null
                || (traits.ValueKind == JsonValueKind.Object && traits.TryGetProperty(member.Name, out var own) && own.ValueKind != JsonValueKind.Null)
                || consumed.Contains(member.Name))
                continue;
            PropertyFlattener.AddValue(profile, member.Name, member.Value, ValueTarget.Profile, context);
        }
    }

    private static string? FullName(JsonElement traits, JsonElement contextTraits)
    {
        var first = FirstText(traits, contextTraits, s_firstNameTraits);
        var last = FirstText(traits, contextTraits, s_lastNameTraits);
        return (first, last) switch
        {
            (null, null) => null,
            (not null, null) => first,
            (null, not null) => last,
            _ => first + " " + last,
        };
    }

    private static string? FirstText(JsonElement traits, JsonElement contextTraits, string[] names)
    {
        foreach (var name in names)
        {
            var value = Trait(traits, contextTraits, name);
            if (value.ValueKind == JsonValueKind.String && value.GetString()!.Trim() is { Length: > 0 } text)
                return text;
        }
        return null;
    }

    private static StandardValue Text(JsonElement value) =>
        new(value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null);

    private static StandardValue Phone(JsonElement value)
    {
        var raw = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        return ValueRules.TryNormalizePhone(raw, out var e164)
            ? new StandardValue(e164)
            : new StandardValue(null, $"phone '{raw}' is not E.164 (+<country code><number>): kept as custom 'phone'");
    }

    private static StandardValue Gender(JsonElement value) =>
        new(value.ValueKind == JsonValueKind.String ? ValueRules.NormalizeGender(value.GetString()) : null);

    private static StandardValue Birthday(JsonElement value) =>
        ValueRules.TryFormatCleverTapDate(value, out var date)
            ? new StandardValue(date)
            : new StandardValue(null, $"birthday '{(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}' is not a date: kept as custom 'birthday'");
}
