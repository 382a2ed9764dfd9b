using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace CleverTapSegment.Storage;

/// <summary>Turns a failed response into <see cref="RequestFailedException"/> with the service's error code.</summary>
internal static class StorageErrors
{
    private static readonly StorageErrorDetailsParser Parser = new();

    public static RequestFailedException Create(Response response) => new(response, null, Parser);

    /// <summary>
    /// Reads the code from <c>x-ms-error-code</c>, else from the body: Queue XML <c>&lt;Error&gt;&lt;Code&gt;</c>,
    /// Table JSON <c>odata.error.code</c>. https://learn.microsoft.com/rest/api/storageservices/status-and-error-codes2
    /// </summary>
    private sealed class StorageErrorDetailsParser : RequestFailedDetailsParser
    {
        public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
        {
            data = null;
            response.Headers.TryGetValue("x-ms-error-code", out var code);
            string? message = null;
            try
            {
                var body = response.Content?.ToString();
                if (!string.IsNullOrWhiteSpace(body))
                {
                    var trimmed = body.TrimStart();
                    if (trimmed.StartsWith('<'))
                    {
                        var root = XDocument.Parse(trimmed).Root;
                        code ??= root?.Element("Code")?.Value;
                        message = root?.Element("Message")?.Value;
                    }
                    else if (trimmed.StartsWith('{'))
                    {
                        using var json = JsonDocument.Parse(trimmed);
                        if (json.RootElement.TryGetProperty("odata.error", out var odataError))
                        {
                            if (odataError.TryGetProperty("code", out var codeElement))
                                code ??= codeElement.GetString();
                            if (odataError.TryGetProperty("message", out var messageElement))
                                message = messageElement.ValueKind == JsonValueKind.Object && messageElement.TryGetProperty("value", out var value)
                                    ? value.GetString()
                                    : messageElement.ToString();
                        }
                    }
                }
            }
            catch (Exception e) when (e is JsonException or System.Xml.XmlException or InvalidOperationException)
            {
                // An unparseable error body still yields the status and the header's code.
            }
            error = code is null && message is null ? null : new ResponseError(code, message ?? code);
            return error is not null;
        }
    }
}
