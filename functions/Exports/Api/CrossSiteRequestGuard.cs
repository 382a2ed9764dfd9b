namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Cross-site request forgery defence for the management API. In Azure, App Service Authentication lets the
/// dashboard's calls through on the sign-in session cookie, which a browser also sends with a form posted from another
/// site. Such a form cannot set a custom header, so a state-changing call (POST, PUT, PATCH, DELETE) made on the
/// session must carry <c>X-Requested-With: dashboard</c>, as the page's every call does
/// (https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#employing-custom-request-headers-for-ajaxapi).
/// A call with the management key, or with an Entra token in <c>Authorization: Bearer</c> (a browser never adds
/// one by itself), is a script's and needs nothing more. Documented in docs/dashboard.md.
/// </summary>
internal static class CrossSiteRequestGuard
{
    public const string HeaderName = "X-Requested-With";
    public const string DashboardValue = "dashboard";

    /// <summary>A 403 problem for a state-changing call on the session without the dashboard's header; null when it may go on.</summary>
    public static IResult? Refuse(HttpRequest request, ManagementCaller caller)
    {
        if (!IsStateChanging(request.Method) || caller == ManagementCaller.Key || PresentsBearerToken(request))
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

    private static bool PresentsBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
}
