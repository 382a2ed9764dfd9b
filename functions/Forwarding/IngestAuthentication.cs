using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CleverTapSegment.Forwarding;

/// <summary>The optional checks in front of the endpoint: Basic auth and Segment's <c>X-Signature</c>. Secrets never leave this class.</summary>
public static class IngestAuthentication
{
    public const string SignatureHeader = "X-Signature";

    /// <summary>
    /// Segment signs with hex HMAC-SHA1 over the JSON it sends: the whole body for a single event, and, for
    /// Webhooks (Actions) batches, only the first element (a pending change signs the whole batch, so both are
    /// accepted). The raw bytes are used, never re-serialised JSON. Several secrets allow rotation.
    /// https://segment.com/docs/connections/destinations/catalog/actions-webhook/
    /// </summary>
    public static bool IsValidSignature(string? signatureHeader, ReadOnlySpan<byte> body, JsonElement root, IReadOnlyList<string> secrets)
    {
        if (string.IsNullOrWhiteSpace(signatureHeader) || !TryParseHex(signatureHeader.Trim(), out var presented))
            return false;
        var firstElement = root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0
            ? JsonMarshal.GetRawUtf8Value(root[0])
            : ReadOnlySpan<byte>.Empty;
        var valid = false;
        Span<byte> expected = stackalloc byte[HMACSHA1.HashSizeInBytes];
        foreach (var secret in secrets)
        {
            var key = Encoding.UTF8.GetBytes(secret);
            HMACSHA1.HashData(key, body, expected);
            // Every secret and both candidates are always checked so timing says nothing about which matched.
            valid |= CryptographicOperations.FixedTimeEquals(expected, presented);
            if (!firstElement.IsEmpty)
            {
                HMACSHA1.HashData(key, firstElement, expected);
                valid |= CryptographicOperations.FixedTimeEquals(expected, presented);
            }
        }
        return valid;
    }

    /// <summary>Checks an <c>Authorization: Basic</c> header against the configured credentials in constant time.</summary>
    public static bool IsValidBasicAuth(string? authorizationHeader, string username, string? password)
    {
        const string scheme = "Basic ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(authorizationHeader[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = Encoding.UTF8.GetBytes($"{username}:{password}");
        return CryptographicOperations.FixedTimeEquals(decoded, expected);
    }

    private static bool TryParseHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length != HMACSHA1.HashSizeInBytes * 2)
            return false;
        try
        {
            bytes = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
