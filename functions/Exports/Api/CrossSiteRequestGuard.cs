namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Cross-site request forgery defence for the management API. In Azure, App Service Authentication lets the
/// dashboard's calls through on the sign-in session cookie (the host then adds <c>X-MS-CLIENT-PRINCIPAL</c>), which a
/// browser also sends with a form posted from another site. Such a form cannot set a custom header, so a state-changing
/// call (POST, PATCH, DELETE) that does not present a function key must carry <c>X-Requested-With: dashboard</c>, as
/// the page's every call does (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#employing-custom-request-headers-for-ajaxapi).
/// A call with the key (<c>x-functions-key</c> or <c>?code=</c>, https://learn.microsoft.com/azure/azure-functions/function-keys-how-to)
/// is a script's and needs nothing more. Documented in docs/dashboard.md.
/// </summary>
internal static class CrossSiteRequestGuard
{
    public const string HeaderName = "X-Requested-With";
    public const string DashboardValue = "dashboard";

    /// <summary>The host's query parameter for a function key.</summary>
    private const string KeyQueryParameter = "code";

    /// <summary>A 403 problem for a state-changing call with neither a key nor the dashboard's header; null when it may go on.</summary>
    public static IResult? Refuse(HttpRequest request)
    {
        if (!IsStateChanging(request.Method) || PresentsFunctionKey(request))
            return null;
        if (string.Equals(request.Headers[HeaderName].ToString(), DashboardValue, StringComparison.OrdinalIgnoreCase))
            return null;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Forbidden",
            detail: $"A change made without the management key must come from the dashboard ({HeaderName}: {DashboardValue}).");
    }

    private static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || HttpMethods.IsPut(method);

    private static bool PresentsFunctionKey(HttpRequest request) =>
        !string.IsNullOrEmpty(request.Headers[ManagementKey.HeaderName].ToString())
        || !string.IsNullOrEmpty(request.Query[KeyQueryParameter].ToString());
}
