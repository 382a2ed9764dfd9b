using CleverTapSegment.Exports.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Tests.Exports.Api;

/// <summary>
/// A change authenticated by the sign-in session (cookie, App Service principal) must come from the dashboard's own
/// script (X-Requested-With: dashboard), which a cross-site form cannot send; a call with the key is a script's.
/// </summary>
public sealed class CrossSiteRequestGuardTests
{
    private const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_session_authenticated_change_without_the_dashboard_header_is_forbidden(string method)
    {
        var request = Request(method);
        request.Headers.Cookie = "AppServiceAuthSession=session";
        request.Headers[PrincipalHeader] = "eyJ1c2VyIjoiYWRhIn0=";

        var refused = CrossSiteRequestGuard.Refuse(request);

        var problem = Assert.IsType<ProblemHttpResult>(refused);
        Assert.Equal(StatusCodes.Status403Forbidden, problem.StatusCode);
        Assert.Contains("X-Requested-With", problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_session_authenticated_change_from_the_dashboard_may_go_on(string method)
    {
        var request = Request(method);
        request.Headers[PrincipalHeader] = "eyJ1c2VyIjoiYWRhIn0=";
        request.Headers[CrossSiteRequestGuard.HeaderName] = CrossSiteRequestGuard.DashboardValue;

        Assert.Null(CrossSiteRequestGuard.Refuse(request));
    }

    [Fact]
    public void A_change_with_another_requested_with_value_is_forbidden()
    {
        var request = Request("POST");
        request.Headers[CrossSiteRequestGuard.HeaderName] = "XMLHttpRequest";

        Assert.IsType<ProblemHttpResult>(CrossSiteRequestGuard.Refuse(request));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_change_with_the_function_key_in_the_header_or_the_query_needs_no_dashboard_header(string method)
    {
        var withHeader = Request(method);
        withHeader.Headers[ManagementKey.HeaderName] = "the-key";
        var withQuery = Request(method);
        withQuery.QueryString = new QueryString("?code=the-key");

        Assert.Null(CrossSiteRequestGuard.Refuse(withHeader));
        Assert.Null(CrossSiteRequestGuard.Refuse(withQuery));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public void A_read_needs_no_dashboard_header(string method)
    {
        var request = Request(method);
        request.Headers.Cookie = "AppServiceAuthSession=session";

        Assert.Null(CrossSiteRequestGuard.Refuse(request));
    }

    private static HttpRequest Request(string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        return context.Request;
    }
}
