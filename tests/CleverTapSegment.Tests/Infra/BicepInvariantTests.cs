using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CleverTapSegment.CleverTap;
using NCrontab;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// What the deployment must guarantee (security, Flex rules, names the app relies on), read from the ARM JSON the
/// Bicep CLI compiles infra/main.bicep to, evaluated per hosting plan where values can be known before deployment
/// (<see cref="ArmEvaluator"/>). Cross-file consistency (module parameters and outputs, symbols, the parameters
/// file) is the compiler's job: <see cref="BicepCompilationTests"/>.
/// </summary>
public sealed partial class BicepInvariantTests
{
    private const string AppPrincipal = "[reference('identity').outputs.principalId.value]";
    private const string AppIdentityId = "[reference('identity').outputs.id.value]";
    private const string AppClientId = "[reference('identity').outputs.clientId.value]";

    // https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
    private static readonly string[] s_settingsFlexForbids =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTOVERVNET", "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "ENABLE_ORYX_BUILD", "WEBSITE_TIME_ZONE", "TZ", "WEBSITE_NODE_DEFAULT_VERSION",
    ];

    // The tables the app keeps its state in (docs/deploy.md "Queues and tables"); the app also creates them if missing.
    private static readonly string[] s_appTables = ["exportpartners", "exports", "exportruns", "exportitems", "ingestdelivered", "concurrencyslots", "ingeststats", "ingestdeadletters"];

    [Fact]
    public async Task Storage_account_refuses_shared_keys_public_blobs_and_old_TLS()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var properties = deployment.Evaluate(deployment.Created("Microsoft.Storage/storageAccounts"))["properties"]!;

        Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.True(properties["defaultToOAuthAuthentication"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", properties["minimumTlsVersion"]!.GetValue<string>());
        Assert.True(properties["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        var container = deployment.Evaluate(deployment.Created("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.Equal("None", container["properties"]!["publicAccess"]!.GetValue<string>());
        // Nothing may fall back to account keys: no list*() call anywhere, no key in a connection string.
        var template = await CompiledInfra.TemplateAsync();
        Assert.DoesNotContain(Calls(template.Json), call => call.Name.StartsWith("list", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("AccountKey=", template.Json.GetRawText(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> AppRoles() => new()
    {
        // https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
        { "Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts" },
        { "Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts" },
        { "Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts" },
        { "Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components" },
        { "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults" },
    };

    [Theory]
    [MemberData(nameof(AppRoles))]
    public async Task App_identity_holds_the_role_on_the_resource_the_template_creates(string role, string roleId, string scopeType)
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var roleDefinition = $"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{roleId}')]";

        var assignments = deployment.Main.SelfAndDescendants().SelectMany(t => t.Resources)
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments")
            .Select(deployment.Evaluate)
            .Where(a => Text(a["properties"]!["principalId"]) == AppPrincipal && Text(a["properties"]!["roleDefinitionId"]) == roleDefinition)
            .ToList();

        var assignment = Assert.Single(assignments);
        var scope = deployment.ResourceIdOf(deployment.Created(scopeType));
        Assert.True(Text(assignment["scope"]) == $"[{scope}]", $"{role} is assigned on {Text(assignment["scope"])}, expected the template's {scopeType} [{scope}]");
        Assert.Equal("ServicePrincipal", Text(assignment["properties"]!["principalType"]));
        // Deterministic name: redeploying updates the assignment instead of failing with RoleAssignmentExists.
        Assert.Equal($"[guid({scope}, {AppPrincipal[1..^1]}, '{roleId}')]", Text(assignment["name"]));
    }

    [Fact]
    public async Task The_app_runs_as_the_identity_that_holds_the_roles()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var identity = deployment.Created("Microsoft.ManagedIdentity/userAssignedIdentities");
        var identityModule = identity.Template;
        Assert.Equal("identity", identityModule.Name);
        var outputs = identityModule.Outputs.ToDictionary(o => o.Name, o => deployment.Evaluate(o.Value.GetProperty("value"), identityModule));
        var identityId = deployment.ResourceIdOf(identity);
        Assert.Equal($"[{identityId}]", Text(outputs["id"]));
        Assert.Equal($"[reference({identityId}, '{identity.ApiVersion}').principalId]", Text(outputs["principalId"]));
        Assert.Equal($"[reference({identityId}, '{identity.ApiVersion}').clientId]", Text(outputs["clientId"]));

        var site = deployment.Evaluate(deployment.Created("Microsoft.Web/sites"));
        Assert.Equal("UserAssigned", Text(site["identity"]!["type"]));
        var runsAs = Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject());
        Assert.Equal($"[format('{{0}}', {AppIdentityId[1..^1]})]", runsAs.Key);
        Assert.Equal(AppIdentityId, Text(site["properties"]!["keyVaultReferenceIdentity"]));
        // Roles exist before the app first starts and resolves Key Vault references with them.
        var functionAppModule = deployment.Main.Module("functionapp").ModuleCall!;
        Assert.Contains("rbac", functionAppModule.Json.GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Outputs_never_carry_a_secret()
    {
        var template = await CompiledInfra.TemplateAsync();
        foreach (var scope in template.SelfAndDescendants())
        {
            var secureParameters = scope.ParameterDeclarations.Where(p => ArmTemplate.IsSecureType(p.Value)).Select(p => p.Name).ToHashSet();
            foreach (var output in scope.Outputs)
            {
                var where = $"{scope.Name} output {output.Name}";
                Assert.False(ArmTemplate.IsSecureType(output.Value), $"{where} is secure: outputs must hold no secret at all");
                var nodes = Expressions(output.Value.GetProperty("value")).SelectMany(e => e.Descendants()).ToList();
                Assert.DoesNotContain(nodes, n => n is ArmCall call && call.Name.StartsWith("list", StringComparison.OrdinalIgnoreCase));
                Assert.DoesNotContain(nodes, n => n is ArmPropertyAccess { Property: "ConnectionString" or "InstrumentationKey" or "primaryKey" or "secondaryKey" });
                Assert.DoesNotContain(nodes, n => n is ArmCall call && call.SymbolName("parameters") is { } name && secureParameters.Contains(name));
            }
        }
        // The Segment URL is output without its key; the key is read with a command.
        var main = template.Outputs.ToDictionary(o => o.Name, o => o.Value.GetProperty("value").GetString()!);
        Assert.Equal("[format('https://{0}/api/segment', reference('functionApp').outputs.defaultHostName.value)]", main["segmentDestinationUrl"]);
        Assert.StartsWith("[format('az functionapp keys list ", main["readFunctionKeyCommand"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_flow_only_into_Key_Vault_secrets()
    {
        // A secure parameter, or a variable computed from one, may only be used to compute another such variable,
        // be passed to a module's secure parameter, or become a Key Vault secret. `empty(x)` and `contains(x, …)`
        // only test whether a secret was given; they never copy it.
        var template = await CompiledInfra.TemplateAsync();
        var leaks = new List<string>();
        foreach (var scope in template.SelfAndDescendants())
        {
            var secret = scope.ParameterDeclarations.Where(p => ArmTemplate.IsSecureType(p.Value)).Select(p => $"parameters('{p.Name}')").ToHashSet();
            // Variables computed from a secret are secrets too (to a fixed point: variables may build on each other).
            for (var grown = true; grown;)
            {
                grown = false;
                foreach (var variable in scope.Variables.Where(v => !secret.Contains($"variables('{v.Name}')")))
                {
                    if (SecretUses(variable.Value, secret).Any())
                        grown = secret.Add($"variables('{variable.Name}')");
                }
            }

            foreach (var resource in scope.Resources.Where(r => r.Type != "Microsoft.KeyVault/vaults/secrets"))
            {
                var allowed = resource.Type == ArmTemplate.DeploymentType
                    ? scope.Modules.Single(m => m.ModuleCall == resource).ParameterDeclarations.Where(p => ArmTemplate.IsSecureType(p.Value)).Select(p => p.Name).ToHashSet()
                    : [];
                // A module's own template is checked in its own scope (its parameters are its own).
                leaks.AddRange(JsonStrings(resource.Json, "")
                    .Where(s => !s.Path.StartsWith(".properties.template", StringComparison.Ordinal) && !IsSecureModuleParameter(s.Path, allowed))
                    .SelectMany(s => SecretUses(s.Value, secret).Select(use => $"{scope.Name}: {resource} uses {use} at {s.Path}")));
            }
            foreach (var output in scope.Outputs)
                leaks.AddRange(SecretUses(output.Value, secret).Select(use => $"{scope.Name}: output {output.Name} uses {use}"));
        }

        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));

        static bool IsSecureModuleParameter(string path, HashSet<string> secure) =>
            ModuleParameterPath().Match(path) is { Success: true } m && secure.Contains(m.Groups[1].Value);
    }

    [Fact]
    public async Task Secret_settings_are_Key_Vault_references_to_secrets_the_template_creates()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var settings = await CompiledInfra.AppSettingsAsync();
        var secretNames = deployment.PassedTo("keyvault", "secrets")!.AsObject().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var vaultName = deployment.Evaluate(deployment.Created("Microsoft.KeyVault/vaults"))["name"];

        var secretSettings = settings.Where(s => SecretSettingName().IsMatch(s.Name)).ToList();
        Assert.Contains(secretSettings, s => s.Name == "CleverTap__Passcode");
        Assert.Contains(secretSettings, s => s.Name == "Ingest__SharedSecrets__0");
        Assert.Contains(secretSettings, s => s.Name == "Admin__ApiKey");
        Assert.Contains(secretSettings, s => s.Name == "Ingest__BasicAuthUsername"); // the API key itself in Direct Destination style
        Assert.Contains(secretSettings, s => s.Name == "CleverTap__Connections__*__Passcode");
        foreach (var setting in secretSettings)
        {
            var reference = ArmExpression.IsExpression(setting.Value) ? ArmExpression.Parse(setting.Value) : null;
            Assert.True(reference is ArmCall { Name: "__bicep.keyVaultReference", Arguments.Count: 2 }, $"{setting.Name} must be a keyVaultReference(…), not {setting.Value}");
            var arguments = ((ArmCall)reference!).Arguments;
            Assert.Equal(Text(vaultName), $"[{arguments[0]}]");
            var secretName = ArmEvaluator.Pattern(JsonValue.Create(arguments[1] is ArmString literal ? literal.Value : $"[{arguments[1]}]"));
            Assert.True(secretNames.Contains(secretName), $"{setting.Name} references secret '{secretName}', which the template does not create");
        }
        // Hand-written references would bypass the check above.
        Assert.All(settings, s => Assert.DoesNotContain("@Microsoft.KeyVault(", s.Value, StringComparison.Ordinal));
        var function = deployment.Main.Json.GetProperty("functions").EnumerateArray().Single(f => f.GetProperty("namespace").GetString() == "__bicep")
            .GetProperty("members").GetProperty("keyVaultReference").GetProperty("output").GetProperty("value").GetString();
        Assert.Equal("[format('@Microsoft.KeyVault(VaultName={0};SecretName={1})', parameters('vaultName'), parameters('secretName'))]", function);
    }

    [Fact]
    public async Task Key_Vault_is_in_RBAC_mode()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);

        var vault = deployment.Evaluate(deployment.Created("Microsoft.KeyVault/vaults"));

        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Flex_sets_nothing_Flex_forbids()
    {
        var flex = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        Assert.Equal(CompiledInfra.FlexConsumption, flex.Main.ParameterDeclaration("hostingPlan").GetProperty("defaultValue").GetString());

        Assert.Empty(flex.AppSettings.Keys.Intersect(s_settingsFlexForbids, StringComparer.OrdinalIgnoreCase));
        var site = flex.Evaluate(flex.Created("Microsoft.Web/sites"));
        // Flex takes its runtime from functionAppConfig; the site sets no Linux image.
        Assert.Null(site["properties"]!["siteConfig"]!["linuxFxVersion"]);
        Assert.NotNull(site["properties"]!["functionAppConfig"]);
    }

    [Fact]
    public async Task Flex_runs_the_dotnet_isolated_runtime_with_identity_based_deployment_storage()
    {
        var flex = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var config = flex.Evaluate(flex.Created("Microsoft.Web/sites"))["properties"]!["functionAppConfig"]!;

        // https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan (dotnet-isolated 10.0 is a listed stack)
        Assert.Equal("dotnet-isolated", Text(config["runtime"]!["name"]));
        Assert.Equal("[parameters('dotnetVersion')]", Text(config["runtime"]!["version"]));
        Assert.Equal("10.0", flex.Main.ParameterDeclaration("dotnetVersion").GetProperty("defaultValue").GetString());
        var storage = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", Text(storage["type"]));
        Assert.Equal("[format('{0}{1}', reference('storage').outputs.blobEndpoint.value, 'app-package')]", Text(storage["value"]));
        Assert.Equal("UserAssignedIdentity", Text(storage["authentication"]!["type"]));
        Assert.Equal(AppIdentityId, Text(storage["authentication"]!["userAssignedIdentityResourceId"]));

        var plan = flex.Evaluate(flex.Created("Microsoft.Web/serverfarms"));
        Assert.Equal(("FC1", "FlexConsumption"), (Text(plan["sku"]!["name"]), Text(plan["sku"]!["tier"])));
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
        Assert.Equal("functionapp,linux", Text(flex.Evaluate(flex.Created("Microsoft.Web/sites"))["kind"]));
    }

    [Fact]
    public async Task Elastic_Premium_runs_the_dotnet_isolated_worker_from_the_package_blob_without_a_content_share()
    {
        var premium = await CompiledInfra.DeploymentAsync(CompiledInfra.ElasticPremium);
        var settings = premium.AppSettings;

        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Equal("[format('{0}{1}/{2}', reference('storage').outputs.blobEndpoint.value, 'app-package', parameters('premiumPackageBlobName'))]", settings["WEBSITE_RUN_FROM_PACKAGE"]);
        Assert.Equal(AppIdentityId, settings["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]);
        // Azure Files needs a shared key, which the storage account refuses.
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("WEBSITE_CONTENT", StringComparison.Ordinal));

        var site = premium.Evaluate(premium.Created("Microsoft.Web/sites"));
        Assert.Equal("[format('DOTNET-ISOLATED|{0}', parameters('dotnetVersion'))]", Text(site["properties"]!["siteConfig"]!["linuxFxVersion"]));
        Assert.Null(site["properties"]!["functionAppConfig"]);
        var plan = premium.Evaluate(premium.Created("Microsoft.Web/serverfarms"));
        Assert.Equal("ElasticPremium", Text(plan["sku"]!["tier"]));
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData(CompiledInfra.FlexConsumption)]
    [InlineData(CompiledInfra.ElasticPremium)]
    public async Task Host_storage_is_identity_based_with_the_apps_identity(string hostingPlan)
    {
        var deployment = await CompiledInfra.DeploymentAsync(hostingPlan);
        var settings = deployment.AppSettings;
        var account = deployment.Evaluate(deployment.Created("Microsoft.Storage/storageAccounts"));

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(AppClientId, settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(Text(account["name"]), settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("[reference('storage').outputs.blobEndpoint.value]", settings["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("[reference('storage').outputs.queueEndpoint.value]", settings["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal("[reference('storage').outputs.tableEndpoint.value]", settings["AzureWebJobsStorage__tableServiceUri"]);
        // DefaultAzureCredential in the worker picks the same identity.
        Assert.Equal(AppClientId, settings["AZURE_CLIENT_ID"]);
    }

    [Fact]
    public async Task Application_Insights_accepts_only_Entra_authenticated_telemetry_from_the_apps_identity()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var component = deployment.Created("Microsoft.Insights/components");
        Assert.True(deployment.Evaluate(component)["properties"]!["DisableLocalAuth"]!.GetValue<bool>());

        var settings = deployment.AppSettings;
        Assert.Equal($"[format('ClientId={{0}};Authorization=AAD', {AppClientId[1..^1]})]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("[reference('appInsights').ConnectionString]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        // 'appInsights' is main's reference to the component the monitoring module creates.
        var reference = deployment.Main.Resources.Single(r => r.Symbol == "appInsights");
        Assert.True(reference.IsExisting);
        Assert.Equal(Text(deployment.Evaluate(component)["name"]), Text(deployment.Evaluate(reference)["name"]));
    }

    [Fact]
    public async Task Every_queue_the_app_triggers_on_or_sends_to_is_created_with_its_poison_queue()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var queues = deployment.PassedTo("storage", "queueNames")!.AsArray().Select(q => q!.GetValue<string>()).ToList();

        var bindings = FunctionTriggers.All().Where(b => b.QueueName is not null).ToList();
        var expected = bindings.Select(b => b.QueueName!)
            .Concat(bindings.Where(b => b.Type == "queueTrigger").Select(b => $"{b.QueueName}-poison")) // where the host moves a message after maxDequeueCount failures
            .Concat(FunctionTriggers.QueueNameConstants())
            .Distinct()
            .ToList();

        Assert.Contains(bindings, b => b is { Function: "ExportWorker", Type: "queueTrigger", QueueName: "export-work" });
        Assert.All(expected, queue => Assert.True(queues.Contains(queue), $"queue {queue} is not created by infra/main.bicep (queueNames)"));
        Assert.All(queues, queue => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", queue));
        AssertCreatedOnePerItem(deployment, "Microsoft.Storage/storageAccounts/queueServices/queues", "queueNames");
    }

    [Fact]
    public async Task Tables_the_app_uses_are_created()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var tables = deployment.PassedTo("storage", "tableNames")!.AsArray().Select(t => t!.GetValue<string>()).ToList();

        Assert.Equal(s_appTables.Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
        Assert.All(tables, table => Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", table));
        AssertCreatedOnePerItem(deployment, "Microsoft.Storage/storageAccounts/tableServices/tables", "tableNames");
    }

    [Fact]
    public async Task Deployment_guide_names_the_queues_and_tables_the_template_creates()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var guide = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "deploy.md"));
        var section = guide[guide.IndexOf("## Queues and tables", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];

        var names = deployment.PassedTo("storage", "queueNames")!.AsArray().Concat(deployment.PassedTo("storage", "tableNames")!.AsArray())
            .Select(n => n!.GetValue<string>());

        Assert.All(names, name => Assert.Contains($"`{name}`", section, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Azd_service_deploys_to_the_tagged_function_app()
    {
        var deployment = await CompiledInfra.DeploymentAsync(CompiledInfra.FlexConsumption);
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));

        Assert.Matches(@"(?m)^services:\n  api:\n(    .*\n)*    host: function$", azureYaml);
        Assert.Matches(@"(?m)^  path: infra$", azureYaml);
        Assert.Equal("api", Text(deployment.Evaluate(deployment.Created("Microsoft.Web/sites"))["tags"]!["azd-service-name"]));
    }

    [Fact]
    public async Task Scheduler_schedule_default_is_the_designed_six_field_NCRONTAB()
    {
        // The ExportScheduler trigger reads %Exports__SchedulerSchedule%: the host refuses to index the function if
        // the setting is missing or not a 6-field NCRONTAB (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).
        var template = await CompiledInfra.TemplateAsync();
        var schedule = template.ParameterDeclaration("exportsSchedulerSchedule").GetProperty("defaultValue").GetString()!;

        Assert.Equal("0 */15 * * * *", schedule);
        Assert.NotNull(CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));
    }

    [Fact]
    public async Task CleverTap_region_choices_are_the_regions_the_app_knows()
    {
        var template = await CompiledInfra.TemplateAsync();

        var allowed = template.ParameterDeclaration("cleverTapRegion").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()!);

        Assert.Equal(CleverTapRegion.All.Select(r => r.Code).Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Templates_use_no_registry_modules()
    {
        // Registry modules (br:, ts:) need network access to restore; raw resources compile anywhere.
        var sources = Directory.EnumerateFiles(RepositoryPaths.InfraDirectory, "*.bicep*", SearchOption.AllDirectories);

        Assert.All(sources, path => Assert.DoesNotMatch(@"'(br|ts)[:/]", File.ReadAllText(path)));
    }

    // The queue/table child resource loops over the storage module's parameter, one per item, named by it.
    private static void AssertCreatedOnePerItem(InfraDeployment deployment, string type, string parameter)
    {
        var loop = deployment.Main.Module("storage").Resource(type);
        Assert.Equal($"[length(parameters('{parameter}'))]", loop.Json.GetProperty("copy").GetProperty("count").GetString());
        Assert.Contains($"parameters('{parameter}')[copyIndex()]", loop.Name, StringComparison.Ordinal);
    }

    private static string Text(JsonNode? node) => ArmEvaluator.Text(node);

    // Every expression in a JSON value (strings that are expressions, and expression property names).
    private static IEnumerable<ArmExpression> Expressions(JsonElement value) =>
        JsonStrings(value, "").Select(s => s.Value).Where(ArmExpression.IsExpression).Select(ArmExpression.Parse);

    private static IEnumerable<ArmCall> Calls(JsonElement value) => Expressions(value).SelectMany(e => e.Descendants()).OfType<ArmCall>();

    private static IEnumerable<(string Path, string Value)> JsonStrings(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, value.GetString()!);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    foreach (var s in JsonStrings(item, $"{path}[{i++}]"))
                        yield return s;
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    yield return ($"{path}.{property.Name}", property.Name);
                    foreach (var s in JsonStrings(property.Value, $"{path}.{property.Name}"))
                        yield return s;
                }
                break;
        }
    }

    // Uses of a secret symbol (`parameters('x')`, `variables('y')`) in a JSON value, outside empty(…)/contains(…, k).
    private static IEnumerable<string> SecretUses(JsonElement value, HashSet<string> secret) =>
        JsonStrings(value, "").SelectMany(s => SecretUses(s.Value, secret));

    private static IEnumerable<string> SecretUses(string text, HashSet<string> secret)
    {
        if (!ArmExpression.IsExpression(text))
            return [];
        return Unguarded(ArmExpression.Parse(text)).Select(call => call.ToString()).Where(secret.Contains);

        static IEnumerable<ArmCall> Unguarded(ArmExpression expression) => expression switch
        {
            ArmCall { Name: "empty" or "contains" } guard when guard.Arguments.Count > 0 => guard.Arguments.Skip(1).SelectMany(Unguarded),
            ArmCall call => call.Arguments.SelectMany(Unguarded).Prepend(call),
            ArmPropertyAccess access => Unguarded(access.Target),
            ArmIndexAccess index => Unguarded(index.Target).Concat(Unguarded(index.Index)),
            _ => [],
        };
    }

    [GeneratedRegex("(Passcode|Secret|Password|ApiKey|AccountKey|BasicAuthUsername)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSettingName();

    [GeneratedRegex(@"^\.properties\.parameters\.(\w+)\.value$")]
    private static partial Regex ModuleParameterPath();
}
