using System.Text.Json;
using System.Text.Json.Nodes;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// App Service Authentication as infra/modules/functionapp.bicep configures it, read from the compiled ARM JSON
/// (docs/deploy.md "Access"): Entra sign-in in the deploying tenant before the dashboard and the management API,
/// the Segment webhook and the health probe left to their own checks, and nothing configured without a client ID.
/// </summary>
public sealed class AuthenticationInvariantTests
{
    private const string ClientIdParameter = "[parameters('entraClientId')]";

    [Fact]
    public async Task Sign_in_is_configured_only_when_a_client_ID_is_given()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var authentication = AuthSettings(deployment);

        Assert.Equal("[not(empty(parameters('entraClientId')))]", authentication.Json.GetProperty("condition").GetString());
        Assert.Equal(ClientIdParameter, Text(deployment.PassedTo("functionapp", "entraClientId")));
        Assert.Equal("", Text(deployment.Evaluate(deployment.Main.ParameterDeclaration("entraClientId").GetProperty("defaultValue"), deployment.Main)));
    }

    [Fact]
    public async Task Sign_in_is_required_everywhere_but_the_Segment_webhook_and_the_health_probe()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var properties = deployment.Evaluate(AuthSettings(deployment))["properties"]!;

        Assert.True(properties["platform"]!["enabled"]!.GetValue<bool>());
        var validation = properties["globalValidation"]!;
        Assert.True(validation["requireAuthentication"]!.GetValue<bool>());
        Assert.Equal("RedirectToLoginPage", Text(validation["unauthenticatedClientAction"]));
        Assert.Equal("azureactivedirectory", Text(validation["redirectToProvider"]));
        // Exactly these: the webhook (function key, checked by the Functions host), its named accounts, and health.
        // The dashboard ("/", "/exports…") and the management API ("/api/exports…") are never among them.
        Assert.Equal(["/api/segment", "/api/segment/*", "/api/health"], validation["excludedPaths"]!.AsArray().Select(Text));
        Assert.True(properties["httpSettings"]!["requireHttps"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Users_sign_in_with_the_given_registration_in_the_deploying_tenant()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var entra = deployment.Evaluate(AuthSettings(deployment))["properties"]!["identityProviders"]!["azureActiveDirectory"]!;

        Assert.True(entra["enabled"]!.GetValue<bool>());
        var registration = entra["registration"]!;
        Assert.Equal(ClientIdParameter, Text(registration["clientId"]));
        // The issuer is the tenant the template is deployed into, on the cloud's own sign-in endpoint.
        var issuer = Text(registration["openIdIssuer"]);
        Assert.Contains("environment().authentication.loginEndpoint", issuer, StringComparison.Ordinal);
        Assert.Contains("tenant().tenantId", issuer, StringComparison.Ordinal);
        Assert.Contains("/v2.0", issuer, StringComparison.Ordinal);
        Assert.Equal([ClientIdParameter, "[format('api://{0}', parameters('entraClientId'))]"], entra["validation"]!["allowedAudiences"]!.AsArray().Select(Text));
    }

    [Theory]
    [InlineData(CompiledInfra.FlexConsumption)]
    [InlineData(CompiledInfra.ElasticPremium)]
    public async Task The_app_never_sets_the_platforms_auth_flag_itself(string plan)
    {
        // WEBSITE_AUTH_ENABLED as an app setting would win over the site's auth settings in the Functions host, and the
        // app would trust client-principal headers that no platform vouches for.
        var deployment = await CompiledInfra.DeploymentAsync(plan);

        Assert.DoesNotContain(deployment.AppSettings.Keys, name => name.StartsWith("WEBSITE_AUTH_", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_client_credential_is_the_apps_identity_or_a_Key_Vault_secret_never_a_literal()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var settings = deployment.AppSettings;

        // Federated credential: the identity's client ID (not a secret) under the name the platform looks for.
        Assert.Equal("[reference('identity').outputs.clientId.value]", settings["OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID"]);
        // Client secret: a Key Vault reference to a secret the template creates, as for every other secret.
        var reference = ArmExpression.Parse(settings["MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"]);
        Assert.True(reference is ArmCall { Name: "__bicep.keyVaultReference", Arguments: [_, ArmString { Value: "entra-client-secret" }] }, reference.ToString());
        Assert.Contains("entra-client-secret", deployment.PassedTo("keyvault", "secrets")!.AsObject().Select(secret => secret.Key));
        var template = await CompiledInfra.TemplateAsync();
        Assert.True(template.IsSecureParameter("entraClientSecret"));
        // The setting the registration reads its credential from is one of those two, or none.
        var names = deployment.Main.Variable("entraCredentialSettingNames");
        Assert.Equal("OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID", names.GetProperty("managedIdentity").GetString());
        Assert.Equal("MICROSOFT_PROVIDER_AUTHENTICATION_SECRET", names.GetProperty("clientSecret").GetString());
        Assert.Equal("", names.GetProperty("none").GetString());
        Assert.Equal("[if(empty(parameters('entraClientId')), '', variables('entraCredentialSettingNames')[parameters('entraClientCredential')])]",
            Text(deployment.PassedTo("functionapp", "entraClientCredentialSettingName")));
    }

    [Fact]
    public async Task The_deployment_says_whether_sign_in_guards_the_dashboard()
    {
        var template = await CompiledInfra.TemplateAsync();
        var access = template.Outputs.Single(output => output.Name == "dashboardAccess").Value.GetProperty("value").GetString()!;

        Assert.Contains("empty(parameters('entraClientId'))", access, StringComparison.Ordinal);
        Assert.Contains("NOT configured", access, StringComparison.Ordinal);
        Assert.Contains("/.auth/login/aad/callback", access, StringComparison.Ordinal);
    }

    private static ArmResource AuthSettings(InfraDeployment deployment) =>
        deployment.Main.SelfAndDescendants().SelectMany(template => template.Resources)
            .Single(resource => resource.Type == "Microsoft.Web/sites/config" && resource.Name.Contains("'authsettingsV2'", StringComparison.Ordinal));

    private static string Text(JsonNode? node) => ArmEvaluator.Text(node);
}
