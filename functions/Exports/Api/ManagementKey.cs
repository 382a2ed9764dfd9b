using System.Security.Cryptography;
using System.Text;
using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Checks the <c>x-functions-key</c> header against <c>Admin__ApiKey</c> when the app runs locally, in constant time.
/// In Azure the Functions host has already checked the function key, so every request passes.
/// </summary>
internal sealed class ManagementKey
{
    public const string HeaderName = "x-functions-key";

    private readonly byte[]? _expectedKey;

    public ManagementKey(IOptions<AdminOptions> options, FunctionsEnvironment environment)
    {
        _expectedKey = environment.IsDevelopment && options.Value.ApiKey is { Length: > 0 } key
            ? Encoding.UTF8.GetBytes(key)
            : null;
    }

    /// <summary>A 401 problem when the request lacks the key; null when it may go on.</summary>
    public IResult? Refuse(HttpRequest request)
    {
        if (_expectedKey is null || IsExpectedKey(request.Headers[HeaderName].ToString()))
            return null;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"Send the management key in the {HeaderName} header.");
    }

    private bool IsExpectedKey(string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expectedKey);
}
