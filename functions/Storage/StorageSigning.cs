using System.Security.Cryptography;
using System.Text;

namespace CleverTapSegment.Storage;

/// <summary>
/// The Shared Key string-to-sign rules, as pure functions so that the tests can pin them against known vectors.
/// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
/// </summary>
internal static class StorageSigning
{
    /// <summary>Full Shared Key (Blob/Queue/File, version 2009-09-19 and later).</summary>
    /// <param name="headers">Request headers; names are matched case-insensitively.</param>
    /// <param name="contentLength">Body length; 0 is signed as an empty line, as the service expects.</param>
    public static string SharedKeyStringToSign(string method, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, long contentLength, string accountName)
    {
        var headerList = headers.ToList();
        string Header(string name) =>
            headerList.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value ?? "";

        var builder = new StringBuilder();
        builder.Append(method.ToUpperInvariant()).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(contentLength == 0 ? "" : contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            // Date stays empty: x-ms-date is always sent and is part of the canonicalized headers.
            .Append('\n')
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');

        foreach (var header in headerList
                     .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            builder.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        // The account appears once by rule and again in path-style (emulator) URLs: /devstoreaccount1/devstoreaccount1/q.
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath);
        foreach (var (name, values) in QueryParameters(uri).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            builder.Append('\n').Append(name).Append(':').Append(string.Join(',', values.Order(StringComparer.Ordinal)));
        }
        return builder.ToString();
    }

    /// <summary>
    /// Shared Key Lite for the Table service: the date and the resource, keeping only a <c>comp</c> parameter.
    /// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key#shared-key-lite-and-table-service-format-for-2009-09-19-and-later
    /// </summary>
    public static string SharedKeyLiteTableStringToSign(string xMsDate, Uri uri, string accountName)
    {
        var resource = "/" + accountName + (uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath);
        var comp = QueryParameters(uri).GetValueOrDefault("comp");
        return xMsDate + "\n" + (comp is null ? resource : resource + "?comp=" + string.Join(',', comp));
    }

    /// <summary>Base64 HMAC-SHA256 of the UTF-8 string-to-sign, keyed with the decoded account key.</summary>
    public static string Sign(string stringToSign, string accountKey)
    {
        var signature = HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(stringToSign));
        return Convert.ToBase64String(signature);
    }

    private static Dictionary<string, List<string>> QueryParameters(Uri uri)
    {
        var parameters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var query = uri.Query.TrimStart('?');
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
                parameters[name] = values = [];
            values.Add(value);
        }
        return parameters;
    }
}
