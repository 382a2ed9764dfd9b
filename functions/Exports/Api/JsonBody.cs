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
            var field = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "body" : exception.Path.TrimStart('$', '.');
            return (null, ValidationErrors.Single(field, FirstSentence(exception.Message)));
        }
    }

    // System.Text.Json appends "Path: … | LineNumber: …" details; the field name already carries the path.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
