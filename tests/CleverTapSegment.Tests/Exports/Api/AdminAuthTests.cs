using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Tests.Exports.Api;

public sealed class AdminAuthTests
{
    [Fact]
    public void Standalone_mode_without_a_key_fails_start_up_naming_the_setting()
    {
        var result = new AdminOptionsValidator(new HostingMode(IsStandalone: true)).Validate(null, new AdminOptions { ApiKey = " " });

        Assert.True(result.Failed);
        Assert.Contains("Admin__ApiKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Behind_the_functions_host_no_key_is_needed()
    {
        Assert.True(new AdminOptionsValidator(new HostingMode(IsStandalone: false)).Validate(null, new AdminOptions()).Succeeded);
    }

    [Fact]
    public async Task Behind_the_functions_host_requests_pass_without_a_key_because_the_host_checked_it()
    {
        var filter = new AdminKeyFilter(Options.Create(new AdminOptions { ApiKey = "standalone-only" }), new HostingMode(IsStandalone: false));

        var result = await filter.InvokeAsync(Invocation(key: null), _ => ValueTask.FromResult<object?>("handler ran"));

        Assert.Equal("handler ran", result);
    }

    [Theory]
    [InlineData("the-key", true)]
    [InlineData("THE-KEY", false)]
    [InlineData("the-key ", false)]
    [InlineData(null, false)]
    public async Task Standalone_requests_need_the_exact_key(string? key, bool allowed)
    {
        var filter = new AdminKeyFilter(Options.Create(new AdminOptions { ApiKey = "the-key" }), new HostingMode(IsStandalone: true));

        var result = await filter.InvokeAsync(Invocation(key), _ => ValueTask.FromResult<object?>("handler ran"));

        if (allowed)
            Assert.Equal("handler ran", result);
        else
            Assert.Equal(StatusCodes.Status401Unauthorized, Assert.IsType<ProblemHttpResult>(result).StatusCode);
    }

    private static DefaultEndpointFilterInvocationContext Invocation(string? key)
    {
        var context = new DefaultHttpContext();
        if (key is not null)
            context.Request.Headers[AdminKeyFilter.HeaderName] = key;
        return new DefaultEndpointFilterInvocationContext(context);
    }
}
