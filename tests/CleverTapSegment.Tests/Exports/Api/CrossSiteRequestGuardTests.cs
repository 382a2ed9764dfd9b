using CleverTapSegment.Exports.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Tests.Exports.Api;

/// <summary>
/// A change made on the sign-in session (cookie, App Service principal) must come from the dashboard's own script
/// (X-Requested-With: dashboard), which a cross-site form cannot send; a call with the key, or with a bearer token,
/// is a script's.
/// </summary>
public sealed class CrossSiteRequestGuardTests
{
    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_session_authenticated_change_without_the_dashboard_header_is_forbidden(string method)
    {
        var request = Request(method);
        request.Headers.Cookie = "AppServiceAuthSession=session";

        var refused = CrossSiteRequestGuard.Refuse(request, ManagementCaller.Principal);

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
        request.Headers[CrossSiteRequestGuard.HeaderName] = CrossSiteRequestGuard.DashboardValue;

        Assert.Null(CrossSiteRequestGuard.Refuse(request, ManagementCaller.Principal));
    }

    [Fact]
    public void A_change_with_another_requested_with_value_is_forbidden()
    {
        var request = Request("POST");
        request.Headers[CrossSiteRequestGuard.HeaderName] = "XMLHttpRequest";

        Assert.IsType<ProblemHttpResult>(CrossSiteRequestGuard.Refuse(request, ManagementCaller.Principal));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_change_made_with_the_management_key_needs_no_dashboard_header(string method)
    {
        Assert.Null(CrossSiteRequestGuard.Refuse(Request(method), ManagementCaller.Key));
    }

    [Fact]
    public void A_change_made_with_a_bearer_token_needs_no_dashboard_header_a_basic_one_does()
    {
        var bearer = Request("POST");
        bearer.Headers.Authorization = "Bearer eyJ0eXAiOiJKV1QifQ.e30.sig";
        // Browsers resend cached Basic credentials to any site's form post by themselves.
        var basic = Request("POST");
        basic.Headers.Authorization = "Basic dXNlcjpwYXNz";

        Assert.Null(CrossSiteRequestGuard.Refuse(bearer, ManagementCaller.Principal));
        Assert.IsType<ProblemHttpResult>(CrossSiteRequestGuard.Refuse(basic, ManagementCaller.Principal));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public void A_read_needs_no_dashboard_header(string method)
    {
        var request = Request(method);
        request.Headers.Cookie = "AppServiceAuthSession=session";

        Assert.Null(CrossSiteRequestGuard.Refuse(request, ManagementCaller.Principal));
    }

    private static HttpRequest Request(string method)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        return context.Request;
    }
}
