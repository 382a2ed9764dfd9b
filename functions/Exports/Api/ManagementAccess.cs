using System.Security.Cryptography;
using System.Text;
using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>How a management call proved who it is.</summary>
internal enum ManagementCaller
{
    /// <summary>Neither: refused.</summary>
    None,
    /// <summary>The management key <c>Admin__ApiKey</c>, in <c>x-functions-key</c> or <c>?code=</c>: a script, or the page locally.</summary>
    Key,
    /// <summary>A caller App Service Authentication signed in (the page's session cookie, or a script's Entra token).</summary>
    Principal,
}

/// <summary>
/// The management API's access check (docs/deploy.md "Access"): a call passes with the management key or, only where
/// App Service Authentication is on, as a signed-in principal; a state-changing call made on the sign-in session must
/// also come from the dashboard (<see cref="CrossSiteRequestGuard"/>).
/// <para>
/// Why the app checks and not the Functions host: the host authorizes an <c>AuthorizationLevel.Function</c> route
/// only by a function key's claim; the Easy Auth identity it adds to the request satisfies nothing there, so a
/// signed-in caller without a key gets the host's 401
/// (https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script.WebHost/Security/Authorization/AuthUtility.cs#L31-L60,
/// https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script.WebHost/Security/Authentication/Keys/AuthenticationLevelHandler.cs#L43-L82).
/// So the management routes are anonymous to the host, and this class decides. It cannot see the host's function
/// keys (a proxied HTTP invocation carries no identities to the worker,
/// https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script.Grpc/MessageExtensions/GrpcMessageConversionExtensions.cs#L122-L126),
/// hence its own key, <c>Admin__ApiKey</c>, sent the same way.
/// </para>
/// </summary>
internal sealed class ManagementAccess
{
    /// <summary>The header the page and scripts send the management key in (the Functions key header's name).</summary>
    public const string KeyHeaderName = "x-functions-key";

    /// <summary>The query parameter alternative, as for function keys (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to).</summary>
    public const string KeyQueryParameter = "code";

    /// <summary>
    /// Set by App Service Authentication for a signed-in caller: the principal as Base64 JSON, and its id
    /// (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities#access-user-claims-in-app-code).
    /// </summary>
    public const string PrincipalHeaderName = "X-MS-CLIENT-PRINCIPAL";
    public const string PrincipalIdHeaderName = "X-MS-CLIENT-PRINCIPAL-ID";

    private readonly byte[]? _expectedKey;
    private readonly bool _trustsPrincipalHeaders;

    public ManagementAccess(IOptions<AdminOptions> options, FunctionsEnvironment environment, AppServiceAuthentication platformAuthentication)
    {
        _expectedKey = options.Value.ApiKey is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : null;
        // Locally no platform strips forged headers, whatever the settings say.
        _trustsPrincipalHeaders = platformAuthentication.IsEnabled && !environment.IsDevelopment;
    }

    public ManagementCaller Identify(HttpRequest request)
    {
        if (_expectedKey is not null && (IsExpectedKey(request.Headers[KeyHeaderName].ToString()) || IsExpectedKey(request.Query[KeyQueryParameter].ToString())))
            return ManagementCaller.Key;
        if (_trustsPrincipalHeaders
            && (!string.IsNullOrWhiteSpace(request.Headers[PrincipalIdHeaderName].ToString()) || !string.IsNullOrWhiteSpace(request.Headers[PrincipalHeaderName].ToString())))
            return ManagementCaller.Principal;
        return ManagementCaller.None;
    }

    /// <summary>A 401 problem for an unknown caller, a 403 for a cross-site change; null when the call may go on.</summary>
    public IResult? Refuse(HttpRequest request)
    {
        var caller = Identify(request);
        if (caller == ManagementCaller.None)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: _trustsPrincipalHeaders
                    ? $"Sign in, or send the management key in the {KeyHeaderName} header."
                    : $"Send the management key in the {KeyHeaderName} header.");
        }
        return CrossSiteRequestGuard.Refuse(request, caller);
    }

    private bool IsExpectedKey(string presented) =>
        presented.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expectedKey);
}
