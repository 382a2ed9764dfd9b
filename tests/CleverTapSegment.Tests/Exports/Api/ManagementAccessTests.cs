using System.Reflection;
using CleverTapSegment.Exports.Api;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Tests.Exports.Api;

/// <summary>
/// Who gets into the management API (docs/deploy.md "Access"): the management key anywhere; a principal only where App
/// Service Authentication is on (the platform then owns the X-MS-CLIENT-PRINCIPAL* headers); nobody else.
/// </summary>
public sealed class ManagementAccessTests
{
    private const string Key = "the-key";
    private const string PrincipalId = "00000000-0000-0000-0000-0000000000aa";
    private static readonly FunctionsEnvironment Local = new(IsDevelopment: true);
    private static readonly FunctionsEnvironment Azure = new(IsDevelopment: false);
    private static readonly AppServiceAuthentication AuthOn = new(IsEnabled: true);
    private static readonly AppServiceAuthentication AuthOff = new(IsEnabled: false);

    [Fact]
    public void A_local_run_without_a_key_fails_start_up_naming_the_setting()
    {
        var result = new AdminOptionsValidator(Local).Validate(null, new AdminOptions { ApiKey = " " });

        Assert.True(result.Failed);
        Assert.Contains("Admin__ApiKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void In_Azure_no_key_is_needed_to_start()
    {
        Assert.True(new AdminOptionsValidator(Azure).Validate(null, new AdminOptions()).Succeeded);
    }

    [Theory]
    [InlineData("the-key", true)]
    [InlineData("THE-KEY", false)]
    [InlineData("the-key ", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Locally_the_exact_key_gets_in(string? presented, bool allowed)
    {
        var access = Access(Key, Local, AuthOff);

        var refused = access.Refuse(Request("GET", key: presented));

        if (allowed)
            Assert.Null(refused);
        else
            AssertRefused(refused, StatusCodes.Status401Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void The_key_gets_in_by_header_or_query_wherever_the_app_runs(string platform)
    {
        var (environment, authentication) = Platform(platform);
        var access = Access(Key, environment, authentication);
        var byQuery = Request("GET");
        byQuery.QueryString = new QueryString("?code=the-key");

        Assert.Equal(ManagementCaller.Key, access.Identify(Request("GET", key: Key)));
        Assert.Equal(ManagementCaller.Key, access.Identify(byQuery));
    }

    [Fact]
    public void In_Azure_with_App_Service_Authentication_a_signed_in_principal_gets_in_without_a_key()
    {
        var access = Access(key: null, Azure, AuthOn);

        Assert.Equal(ManagementCaller.Principal, access.Identify(Request("GET", principalId: PrincipalId)));
        Assert.Equal(ManagementCaller.Principal, access.Identify(Request("GET", principal: "eyJhdXRoX3R5cCI6ImFhZCJ9")));
        Assert.Null(access.Refuse(Request("GET", principalId: PrincipalId)));
    }

    [Theory]
    [InlineData("azure-without-auth")]
    [InlineData("local")]
    [InlineData("local-claiming-auth")]
    public void A_forged_principal_gets_nothing_where_no_platform_strips_it(string platform)
    {
        var (environment, authentication) = Platform(platform);
        var access = Access(Key, environment, authentication);
        var forged = Request("GET", principalId: PrincipalId, principal: "eyJhdXRoX3R5cCI6ImFhZCJ9");

        Assert.Equal(ManagementCaller.None, access.Identify(forged));
        AssertRefused(access.Refuse(forged), StatusCodes.Status401Unauthorized);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void No_credentials_get_a_401_that_says_what_to_send(string platform)
    {
        var (environment, authentication) = Platform(platform);
        var access = Access(Key, environment, authentication);

        var problem = AssertRefused(access.Refuse(Request("GET")), StatusCodes.Status401Unauthorized);

        Assert.Contains(ManagementAccess.KeyHeaderName, problem.ProblemDetails.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void In_Azure_a_wrong_key_without_sign_in_is_refused_and_no_key_configured_lets_no_key_in()
    {
        Assert.Equal(ManagementCaller.None, Access(Key, Azure, AuthOn).Identify(Request("GET", key: "guess")));
        // Without Admin__ApiKey nothing matches, not even an empty key.
        Assert.Equal(ManagementCaller.None, Access(key: null, Azure, AuthOff).Identify(Request("GET", key: "")));
        Assert.Equal(ManagementCaller.None, Access(key: null, Azure, AuthOff).Identify(Request("GET", key: "anything")));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void A_signed_in_change_must_come_from_the_dashboard_but_a_keyed_one_need_not(string method)
    {
        var access = Access(Key, Azure, AuthOn);

        AssertRefused(access.Refuse(Request(method, principalId: PrincipalId)), StatusCodes.Status403Forbidden);
        var fromDashboard = Request(method, principalId: PrincipalId);
        fromDashboard.Headers[CrossSiteRequestGuard.HeaderName] = CrossSiteRequestGuard.DashboardValue;
        Assert.Null(access.Refuse(fromDashboard));
        Assert.Null(access.Refuse(Request(method, key: Key)));
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void App_Service_Authentication_is_on_as_the_platform_setting_says(string? value, bool enabled)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppServiceAuthentication.SettingName] = value })
            .Build();

        Assert.Equal(enabled, AppServiceAuthentication.FromConfiguration(configuration).IsEnabled);
    }

    public static TheoryData<string> Platforms() => ["local", "azure-without-auth", "azure-with-auth"];

    private static (FunctionsEnvironment Environment, AppServiceAuthentication Authentication) Platform(string name) => name switch
    {
        "local" => (Local, AuthOff),
        // Someone set WEBSITE_AUTH_ENABLED in local.settings.json: still no platform in front of the app.
        "local-claiming-auth" => (Local, AuthOn),
        "azure-without-auth" => (Azure, AuthOff),
        "azure-with-auth" => (Azure, AuthOn),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static ManagementAccess Access(string? key, FunctionsEnvironment environment, AppServiceAuthentication authentication) =>
        new(Options.Create(new AdminOptions { ApiKey = key }), environment, authentication);

    private static ProblemHttpResult AssertRefused(IResult? refused, int status)
    {
        var problem = Assert.IsType<ProblemHttpResult>(refused);
        Assert.Equal(status, problem.StatusCode);
        return problem;
    }

    private static HttpRequest Request(string method, string? key = null, string? principalId = null, string? principal = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (key is not null)
            context.Request.Headers[ManagementAccess.KeyHeaderName] = key;
        if (principalId is not null)
            context.Request.Headers[ManagementAccess.PrincipalIdHeaderName] = principalId;
        if (principal is not null)
            context.Request.Headers[ManagementAccess.PrincipalHeaderName] = principal;
        return context.Request;
    }
}

/// <summary>
/// What the Functions host itself checks, per HTTP function: the Segment webhook keeps its function key; the
/// management routes are anonymous to the host (which would refuse a signed-in user without a key) and are checked by
/// <see cref="ManagementAccess"/>; health and the page are open.
/// </summary>
public sealed class HostAuthorizationLevelTests
{
    public static TheoryData<string, AuthorizationLevel> Levels() => new()
    {
        { "SegmentIngest", AuthorizationLevel.Function },
        { "Health", AuthorizationLevel.Anonymous },
        { "Dashboard", AuthorizationLevel.Anonymous },
        { "Partners", AuthorizationLevel.Anonymous },
        { "PartnerByNickname", AuthorizationLevel.Anonymous },
        { "Exports", AuthorizationLevel.Anonymous },
        { "ExportById", AuthorizationLevel.Anonymous },
        { "StopExport", AuthorizationLevel.Anonymous },
        { "CatalogEvents", AuthorizationLevel.Anonymous },
        { "IngestStats", AuthorizationLevel.Anonymous },
        { "IngestSpool", AuthorizationLevel.Anonymous },
        { "IngestDeadLettersReplay", AuthorizationLevel.Anonymous },
        { "IngestPreview", AuthorizationLevel.Anonymous },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public void The_host_checks_what_it_should(string function, AuthorizationLevel expected)
    {
        Assert.Equal(expected, HttpTriggers()[function].AuthLevel);
    }

    [Fact]
    public void Every_HTTP_function_is_listed_so_a_new_one_is_decided_on_purpose()
    {
        Assert.Equal(Levels().Select(row => (string)row[0]).Order(StringComparer.Ordinal), HttpTriggers().Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>Every anonymous API function other than health asks <see cref="ManagementAccess"/> first: it takes one.</summary>
    [Fact]
    public void Every_anonymous_api_function_but_health_depends_on_the_access_check()
    {
        var functionClasses = typeof(ManagementAccess).Assembly.GetTypes()
            .Where(type => type.GetMethods().Any(method => method.GetCustomAttribute<FunctionAttribute>() is { Name: var name }
                && HttpTriggers().TryGetValue(name, out var trigger)
                && trigger.AuthLevel == AuthorizationLevel.Anonymous
                && trigger.Route!.StartsWith("api/", StringComparison.Ordinal)
                && name != "Health"))
            .ToList();

        Assert.NotEmpty(functionClasses);
        Assert.All(functionClasses, type => Assert.Contains(type.GetConstructors().Single().GetParameters(), parameter => parameter.ParameterType == typeof(ManagementAccess)));
    }

    private static Dictionary<string, HttpTriggerAttribute> HttpTriggers() =>
        typeof(ManagementAccess).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(method => (Function: method.GetCustomAttribute<FunctionAttribute>(),
                Trigger: method.GetParameters().Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(attribute => attribute is not null)))
            .Where(pair => pair.Function is not null && pair.Trigger is not null)
            .ToDictionary(pair => pair.Function!.Name, pair => pair.Trigger!);
}
