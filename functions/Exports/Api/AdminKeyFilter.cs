using System.Security.Cryptography;
using System.Text;
using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Checks the <c>x-functions-key</c> header against <c>Admin__ApiKey</c> in standalone mode, in constant time. Behind
/// the Functions host the host has already checked the function key, so every request passes.
/// </summary>
internal sealed class AdminKeyFilter : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";

    private readonly byte[]? _expectedKey;

    public AdminKeyFilter(IOptions<AdminOptions> options, HostingMode hostingMode)
    {
        _expectedKey = hostingMode.IsStandalone && options.Value.ApiKey is { Length: > 0 } key
            ? Encoding.UTF8.GetBytes(key)
            : null;
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expectedKey is null || IsExpectedKey(context.HttpContext.Request.Headers[HeaderName].ToString()))
            return next(context);
        return ValueTask.FromResult<object?>(TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"Send the management key in the {HeaderName} header."));
    }

    private bool IsExpectedKey(string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expectedKey);
}
