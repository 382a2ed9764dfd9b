using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Tests.Exports.Api;

public sealed class AdminAuthTests
{
    private static readonly FunctionsEnvironment Local = new(IsDevelopment: true);
    private static readonly FunctionsEnvironment Azure = new(IsDevelopment: false);

    [Fact]
    public void A_local_run_without_a_key_fails_start_up_naming_the_setting()
    {
        var result = new AdminOptionsValidator(Local).Validate(null, new AdminOptions { ApiKey = " " });

        Assert.True(result.Failed);
        Assert.Contains("Admin__ApiKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void In_Azure_no_key_is_needed()
    {
        Assert.True(new AdminOptionsValidator(Azure).Validate(null, new AdminOptions()).Succeeded);
    }

    [Fact]
    public void In_Azure_requests_pass_without_a_key_because_the_host_checked_the_function_key()
    {
        var key = new ManagementKey(Options.Create(new AdminOptions { ApiKey = "local-only" }), Azure);

        Assert.Null(key.Refuse(Request(key: null)));
    }

    [Theory]
    [InlineData("the-key", true)]
    [InlineData("THE-KEY", false)]
    [InlineData("the-key ", false)]
    [InlineData(null, false)]
    public void Local_requests_need_the_exact_key(string? presented, bool allowed)
    {
        var key = new ManagementKey(Options.Create(new AdminOptions { ApiKey = "the-key" }), Local);

        var refused = key.Refuse(Request(presented));

        if (allowed)
            Assert.Null(refused);
        else
            Assert.Equal(StatusCodes.Status401Unauthorized, Assert.IsType<ProblemHttpResult>(refused).StatusCode);
    }

    private static HttpRequest Request(string? key)
    {
        var context = new DefaultHttpContext();
        if (key is not null)
            context.Request.Headers[ManagementKey.HeaderName] = key;
        return context.Request;
    }
}
