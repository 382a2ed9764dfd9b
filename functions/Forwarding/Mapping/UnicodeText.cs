using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// JSON text must be Unicode: UTF-8 on the wire, and an escaped surrogate only as half of a pair
/// (https://www.rfc-editor.org/rfc/rfc8259#section-8). System.Text.Json parses an event that breaks this but throws
/// when such a string or key is read, so the mapping checks the event's raw bytes once, up front, and rejects it with
/// a reason a person understands instead of failing somewhere inside.
/// </summary>
internal static class UnicodeText
{
    private const int MaxPathLength = 120;

    /// <summary>Why the event holds text that is not Unicode (naming where), or null when all its text is valid.</summary>
    public static string? FindInvalidText(JsonElement segmentEvent)
    {
        // Escapes occur only inside strings, so one pass over the whole event is exact; it costs far less than the
        // parse that produced the element. Only a failing event is walked to say where the problem is.
        if (IsValid(JsonMarshal.GetRawUtf8Value(segmentEvent)))
            return null;
        var path = new StringBuilder();
        return Locate(segmentEvent, path) ?? "text that is not valid Unicode";
    }

    /// <summary>Valid UTF-8 with every <c>\uXXXX</c> surrogate escape in a high-low pair.</summary>
    public static bool IsValid(ReadOnlySpan<byte> rawJson) => Utf8.IsValid(rawJson) && FindLoneSurrogateEscape(rawJson) is null;

    private static string? Locate(JsonElement element, StringBuilder path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Problem(JsonMarshal.GetRawUtf8Value(element), "a string value", path);
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var name = JsonMarshal.GetRawUtf8PropertyName(member);
                    if (Problem(name, "a key", path) is { } keyProblem)
                        return keyProblem;
                    var length = path.Length;
                    if (path.Length > 0)
                        path.Append('.');
                    path.Append(member.Name);
                    var problem = Locate(member.Value, path);
                    path.Length = length;
                    if (problem is not null)
                        return problem;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var length = path.Length;
                    path.Append(CultureInfo.InvariantCulture, $"[{index++}]");
                    var problem = Locate(item, path);
                    path.Length = length;
                    if (problem is not null)
                        return problem;
                }
                return null;
            default:
                return null;
        }
    }

    private static string? Problem(ReadOnlySpan<byte> raw, string what, StringBuilder path)
    {
        var where = path.Length == 0 ? "" : $" at '{Shorten(path)}'";
        if (!Utf8.IsValid(raw))
            return $"invalid UTF-8 in {what}{where}";
        if (FindLoneSurrogateEscape(raw) is { } escape)
            return $"an unpaired UTF-16 surrogate ({escape}) in {what}{where}";
        return null;
    }

    private static string Shorten(StringBuilder path) =>
        path.Length <= MaxPathLength ? path.ToString() : string.Concat(path.ToString(0, MaxPathLength), "…");

    /// <summary>The first <c>\uD800</c>–<c>\uDFFF</c> escape that is not a high surrogate followed by a low one.</summary>
    private static string? FindLoneSurrogateEscape(ReadOnlySpan<byte> raw)
    {
        var position = 0;
        while (true)
        {
            var found = raw[position..].IndexOf((byte)'\\');
            if (found < 0)
                return null;
            var escape = position + found;
            if (escape + 1 >= raw.Length)
                return null;
            if (raw[escape + 1] != (byte)'u')
            {
                position = escape + 2; // \" \\ \/ \b \f \n \r \t: never part of a surrogate
                continue;
            }
            if (!TryReadCodeUnit(raw, escape, out var unit))
                return null; // not an escape the parser accepted; nothing here to judge
            position = escape + 6;
            if (!char.IsSurrogate(unit))
                continue;
            if (char.IsHighSurrogate(unit) && TryReadCodeUnit(raw, position, out var next) && char.IsLowSurrogate(next))
            {
                position += 6;
                continue;
            }
            return Encoding.ASCII.GetString(raw.Slice(escape, 6));
        }
    }

    private static bool TryReadCodeUnit(ReadOnlySpan<byte> raw, int escape, out char unit)
    {
        unit = '\0';
        if (escape + 6 > raw.Length || raw[escape] != (byte)'\\' || raw[escape + 1] != (byte)'u')
            return false;
        if (!ushort.TryParse(raw.Slice(escape + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            return false;
        unit = (char)value;
        return true;
    }
}
