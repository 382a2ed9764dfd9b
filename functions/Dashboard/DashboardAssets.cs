using System.Collections.Frozen;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;

namespace CleverTapSegment.Dashboard;

/// <summary>What <see cref="DashboardAssets.Resolve"/> answers: status, response headers and body (empty for 304/404 bodies aside).</summary>
public sealed record DashboardAssetResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body);

/// <summary>
/// The dashboard's static files (HTML, CSS, JavaScript modules under <c>Dashboard/wwwroot/</c>), embedded in this
/// assembly so the page works offline and ships inside the app. Pure: a request path and its <c>If-None-Match</c>
/// header in, status, headers and bytes out, so any HTTP front (a minimal-API route today, an HTTP-triggered
/// function on the isolated worker) only copies the answer.
/// <list type="bullet">
/// <item><c>/</c> and paths without a file extension (client-side routes such as <c>/exports/{id}</c>) answer
/// <c>index.html</c>; a missing file with an extension, or anything under <c>api/</c>, is a 404 (an unknown API call
/// must not get HTML back).</item>
/// <item>Every answer carries a strong ETag and <c>Cache-Control: no-cache</c>: file names are not fingerprinted (no
/// build step), so browsers revalidate and get a 304 while nothing changed
/// (https://developer.mozilla.org/docs/Web/HTTP/Reference/Headers/Cache-Control#no-cache).</item>
/// <item>A strict Content-Security-Policy (scripts, styles and calls only from this origin, no inline script, no
/// framing) and <c>X-Content-Type-Options: nosniff</c> on every answer
/// (https://developer.mozilla.org/docs/Web/HTTP/Guides/CSP).</item>
/// </list>
/// </summary>
public sealed class DashboardAssets
{
    /// <summary>Manifest names of the embedded files start with this, then the path under <c>wwwroot/</c>.</summary>
    public const string ResourcePrefix = "dashboard/";

    public const string IndexFile = "index.html";

    /// <summary>
    /// No inline script or style, nothing from another origin; <c>connect-src 'self'</c> lets the page call the app's
    /// own API only; <c>frame-ancestors 'none'</c> stops click-jacking of the management actions.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly byte[] s_notFoundBody = "Not found."u8.ToArray();

    private readonly FrozenDictionary<string, Asset> _assets;

    /// <summary>The files embedded in the app's own assembly.</summary>
    public DashboardAssets()
        : this(typeof(DashboardAssets).Assembly)
    {
    }

    internal DashboardAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            assets[path] = Asset.Create(path, buffer.ToArray());
        }
        if (!assets.ContainsKey(IndexFile))
            throw new InvalidOperationException($"The dashboard's {IndexFile} is not embedded in {assembly.GetName().Name} (EmbeddedResource with LogicalName {ResourcePrefix}…).");
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The embedded files' paths (under <c>wwwroot/</c>), for tests and diagnostics.</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>
    /// The answer to <c>GET <paramref name="path"/></c> (leading slash optional, no query string) given the request's
    /// <c>If-None-Match</c> header value.
    /// </summary>
    public DashboardAssetResponse Resolve(string? path, string? ifNoneMatch)
    {
        var relative = (path ?? "").TrimStart('/');
        if (!TryFind(relative, out var asset))
            return new DashboardAssetResponse((int)HttpStatusCode.NotFound, Headers("text/plain; charset=utf-8", eTag: null), s_notFoundBody);
        var headers = Headers(asset.ContentType, asset.ETag);
        return MatchesETag(ifNoneMatch, asset.ETag)
            ? new DashboardAssetResponse((int)HttpStatusCode.NotModified, headers, ReadOnlyMemory<byte>.Empty)
            : new DashboardAssetResponse((int)HttpStatusCode.OK, headers, asset.Content);
    }

    private bool TryFind(string relative, out Asset asset)
    {
        if (relative.Length == 0)
            return _assets.TryGetValue(IndexFile, out asset!);
        if (_assets.TryGetValue(relative, out asset!))
            return true;
        // The API's own routes are matched before this catch-all; what reaches here under api/ does not exist.
        if (relative.Equals("api", StringComparison.OrdinalIgnoreCase) || relative.StartsWith("api/", StringComparison.OrdinalIgnoreCase))
            return false;
        var lastSegment = relative[(relative.LastIndexOf('/') + 1)..];
        return !lastSegment.Contains('.', StringComparison.Ordinal) && _assets.TryGetValue(IndexFile, out asset!);
    }

    private static Dictionary<string, string> Headers(string contentType, string? eTag)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = contentType,
            ["Cache-Control"] = "no-cache",
            ["X-Content-Type-Options"] = "nosniff",
            ["Content-Security-Policy"] = ContentSecurityPolicy,
            ["Referrer-Policy"] = "no-referrer",
        };
        if (eTag is not null)
            headers["ETag"] = eTag;
        return headers;
    }

    /// <summary>If-None-Match uses the weak comparison: <c>W/"x"</c> matches <c>"x"</c> (https://www.rfc-editor.org/rfc/rfc9110#name-if-none-match).</summary>
    private static bool MatchesETag(string? ifNoneMatch, string eTag)
    {
        if (string.IsNullOrWhiteSpace(ifNoneMatch))
            return false;
        foreach (var candidate in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate == "*")
                return true;
            var opaque = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (string.Equals(opaque, eTag, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private sealed record Asset(string ContentType, string ETag, byte[] Content)
    {
        public static Asset Create(string path, byte[] content)
        {
            var contentType = s_contentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            var hash = Convert.ToBase64String(SHA256.HashData(content)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return new Asset(contentType, $"\"{hash[..22]}\"", content);
        }
    }
}
