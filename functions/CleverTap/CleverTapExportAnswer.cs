using System.Text.Json;

namespace CleverTapSegment.CleverTap;

/// <summary>The envelope of an export answer: <c>{"status":"success"|"fail","error":…,"code":…}</c>.</summary>
internal readonly record struct CleverTapExportAnswer(string? Status, string? Error, int? Code)
{
    public bool IsSuccess => string.Equals(Status, "success", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// "Request still in progress, please retry later"; a third-party connector saw <c>code 2</c> for the same state.
    /// https://developer.clevertap.com/docs/get-events-api
    /// </summary>
    public bool IsStillInProgress => string.Equals(Status, "fail", StringComparison.OrdinalIgnoreCase)
        && (Error?.Contains("still in progress", StringComparison.OrdinalIgnoreCase) == true || Code == 2);

    /// <summary>Notification events are refused: "Export not allowed for this event" (HTTP 400, code 400).</summary>
    public bool IsNotAllowed => Error?.Contains("not allowed", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Reads only the top-level envelope, stopping at a success status so a page's records are not scanned twice.</summary>
    public static CleverTapExportAnswer Read(ReadOnlySpan<byte> body)
    {
        string? status = null, error = null;
        int? code = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("status"u8))
                {
                    reader.Read();
                    status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (string.Equals(status, "success", StringComparison.OrdinalIgnoreCase))
                        break;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    code = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML error page, say): the status code decides.
        }
        return new CleverTapExportAnswer(status, error, code);
    }
}
