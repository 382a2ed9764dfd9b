using System.Text.Json;
using System.Text.Json.Serialization;
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
            var (field, message) = Describe(exception);
            return (null, ValidationErrors.Single(field, message));
        }
    }

    // System.Text.Json's messages name our .NET types; say what is wrong in the API's own terms instead.
    private static (string Field, string Message) Describe(JsonException exception)
    {
        var path = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? null : exception.Path.TrimStart('$', '.');
        if (path is not null && exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return (path, "is not a field of this request");
        if (exception.Message.Contains("could not be converted", StringComparison.Ordinal))
            return path is null ? ("body", "the body must be a JSON object") : (path, "has a value of the wrong JSON type");
        return ("body", $"the body is not valid JSON (line {exception.LineNumber + 1}, byte {exception.BytePositionInLine + 1})");
    }
}
