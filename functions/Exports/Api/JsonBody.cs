using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Reads a JSON request body. Done by hand rather than by parameter binding so that malformed JSON, a wrong value
/// type or an unknown field is a 400 problem naming the JSON path, not a bare 400.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        // A misspelt field ("writekey_") would otherwise be dropped silently and the default used.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // The web defaults read "8" as 8; every other field is held to its JSON type, so numbers are too.
        NumberHandling = JsonNumberHandling.Strict,
        // {"nickname":"a","nickname":"b"} would otherwise be read as "b": a field given twice is ambiguous (another
        // reader, a proxy or a log may take the first), so it is refused like any other malformed body.
        AllowDuplicateProperties = false,
    };

    public static async Task<(T? Body, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
            return (null, ValidationErrors.Single("body", "send a JSON body with Content-Type: application/json"));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, s_options, cancellationToken);
            return body is null
                ? (null, ValidationErrors.Single("body", "the body must be a JSON object"))
                : (body, null);
        }
        catch (JsonException exception)
        {
            var (field, message) = Describe<T>(exception);
            return (null, ValidationErrors.Single(field, message));
        }
        catch (Exception exception) when (RequestBodyFaults.TryGetStatusCode(exception, request, out var statusCode))
        {
            // Broken framing, a stalled or oversized body: the client's fault. The host in front has seen it first and
            // answers with its own 400 / 408 / 413; this answer only keeps the invocation from failing as an error.
            RequestBodyFaults.Log(request, statusCode, exception);
            return (null, ValidationErrors.Single("body", $"the request body could not be read: {exception.Message}"));
        }
    }

    // System.Text.Json's messages name our .NET types; say what is wrong in the API's own terms instead.
    private static (string Field, string Message) Describe<T>(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? null : exception.Path.TrimStart('$', '.');
        if (path is not null && exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return (path, "is not a field of this request");
        if (path is not null && exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
            return (path, "is given more than once");
        if (exception.Message.Contains("could not be converted", StringComparison.Ordinal))
            return path is null ? ("body", "the body must be a JSON object") : (path, $"has a value of the wrong JSON type: {Expected<T>(path)}");
        return ("body", $"the body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})");
    }

    /// <summary>
    /// What the field at <paramref name="path"/> (<c>recurring.everyHours</c>, <c>events.names[1]</c>) of <typeparamref name="T"/> takes, from
    /// the serializer's own contract for the type, since its messages name the enclosing .NET type instead.
    /// </summary>
    private static string Expected<T>(string path)
    {
        var info = s_options.GetTypeInfo(typeof(T));
        foreach (var segment in path.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? segment : segment[..bracket];
            var property = info.Properties.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
                return "see the API's documentation for its type";
            info = s_options.GetTypeInfo(property.PropertyType);
            if (bracket >= 0 && info.ElementType is { } element)
                info = s_options.GetTypeInfo(element);
        }
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array is expected",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object is expected",
            _ => (Nullable.GetUnderlyingType(info.Type) ?? info.Type) switch
            {
                var type when type == typeof(string) => "a string is expected",
                var type when type == typeof(bool) => "true or false is expected",
                var type when type == typeof(int) || type == typeof(long) => "a whole number is expected",
                _ => "a number is expected",
            },
        };
    }
}
