using System.Text.Json;
using System.Text.RegularExpressions;
using CleverTapSegment.CleverTap;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// Invariants of infra/*.bicep, read as text because no Bicep compiler is available to the build. They cover what
/// the deployment must guarantee (security, Flex rules, names the app relies on) and the cross-file consistency a
/// compiler would check (module parameters and outputs, the parameters file). `az bicep build` remains the first
/// real validation (docs/deploy.md).
/// </summary>
public sealed partial class BicepInvariantTests
{
    // https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
    private static readonly string[] s_settingsFlexForbids =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTOVERVNET", "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "ENABLE_ORYX_BUILD", "WEBSITE_TIME_ZONE", "TZ", "WEBSITE_NODE_DEFAULT_VERSION",
    ];

    private static readonly HashSet<string> s_bicepKeywords =
    [
        "param", "var", "resource", "module", "output", "type", "func", "targetScope", "metadata", "import", "using", "extension",
        "existing", "if", "for", "in", "true", "false", "null", "string", "int", "bool", "object", "array", "any", "sys", "az",
    ];

    // The tables the app keeps its state in (DESIGN §6, delivered-messageId memory §5); the app also creates them if missing.
    private static readonly string[] s_appTables = ["exportpartners", "exports", "exportruns", "exportitems", "ingestdelivered", "concurrencyslots"];

    [Fact]
    public void Storage_account_refuses_shared_keys_public_blobs_and_old_TLS()
    {
        var account = InfraTemplates.Storage.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Storage/storageAccounts" && !r.IsExisting);
        var properties = account.Body.Object("properties");

        Assert.Equal("false", properties["allowSharedKeyAccess"]);
        Assert.Equal("false", properties["allowBlobPublicAccess"]);
        Assert.Equal("'TLS1_2'", properties["minimumTlsVersion"]);
        Assert.Equal("true", properties["supportsHttpsTrafficOnly"]);
        Assert.Equal("'None'", account.Body.ChildResources.Single(r => r.Name == "blobService").Body.ChildResources.Single().Body.Object("properties")["publicAccess"]);
        // Nothing may fall back to account keys.
        Assert.All(InfraTemplates.All, document => Assert.DoesNotMatch(@"\blistKeys\b|AccountKey=", document.Code));
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
    public void App_identity_holds_the_role_on_its_scope(string role, string roleId, string scopeType)
    {
        var rbac = InfraTemplates.Rbac;
        var assignments = rbac.OfKind("resource")
            .Where(r => r.ResourceType == "Microsoft.Authorization/roleAssignments" && r.Body.Object("properties")["principalId"] == "appPrincipalId")
            .Where(r => ResolveRoleId(rbac, r) == roleId)
            .ToList();

        var assignment = Assert.Single(assignments);
        var scope = rbac.Get("resource", assignment.Body["scope"]!);
        Assert.True(scope.ResourceType == scopeType, $"{role} is assigned on {scope.ResourceType}, expected {scopeType}");
        Assert.Equal("'ServicePrincipal'", assignment.Body.Object("properties")["principalType"]);
        // Deterministic name: redeploying updates the assignment instead of failing with RoleAssignmentExists.
        Assert.Matches($@"^guid\({scope.Name}\.id, appPrincipalId, \w+\)$", assignment.Body["name"]);
    }

    [Fact]
    public void Roles_go_to_the_identity_the_app_runs_as_on_the_resources_it_uses()
    {
        var main = InfraTemplates.Main;
        var rbac = main.Get("module", "rbac").Body.Object("params");
        var functionApp = main.Get("module", "functionApp").Body.Object("params");

        Assert.Equal("identity.outputs.principalId", rbac["appPrincipalId"]);
        Assert.Equal("identity.outputs.id", functionApp["identityId"]);
        Assert.Equal("names.storage", rbac["storageAccountName"]);
        Assert.Equal("names.appInsights", rbac["appInsightsName"]);
        Assert.Equal("names.keyVault", rbac["keyVaultName"]);
        Assert.Equal("names.storage", main.Get("module", "storage").Body.Object("params")["name"]);
        Assert.Equal("names.appInsights", main.Get("module", "monitoring").Body.Object("params")["appInsightsName"]);
        Assert.Equal("names.keyVault", main.Get("module", "keyVault").Body.Object("params")["name"]);
        // Roles exist before the app first starts and resolves Key Vault references with them.
        Assert.Contains("rbac", main.Get("module", "functionApp").Body["dependsOn"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_never_carry_a_secret()
    {
        foreach (var document in InfraTemplates.All)
        {
            var secureParameters = document.OfKind("param").Where(p => p.IsSecure).Select(p => p.Name).ToList();
            foreach (var output in document.OfKind("output"))
            {
                var where = $"{document.FileName} output {output.Name}";
                Assert.False(output.IsSecure, $"{where} is @secure: outputs must hold no secret at all");
                Assert.DoesNotMatch(@"\blist\w*\(|ConnectionString|InstrumentationKey|primaryKey|secondaryKey|\.secrets?\b", output.Value);
                Assert.All(secureParameters, name => Assert.DoesNotMatch($@"\b{name}\b", output.Value));
            }
        }
        // The Segment URL is output without its key; the key is read with a command.
        Assert.Equal("'https://${functionApp.outputs.defaultHostName}/api/segment'", InfraTemplates.Main.Get("output", "segmentDestinationUrl").Value);
        Assert.StartsWith("'az functionapp keys list ", InfraTemplates.Main.Get("output", "readFunctionKeyCommand").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Secure_parameters_reach_only_Key_Vault_secrets()
    {
        foreach (var document in InfraTemplates.All)
        {
            foreach (var secure in document.OfKind("param").Where(p => p.IsSecure))
            {
                var uses = document.Declarations
                    .Where(d => d != secure && d.Name != "keyVaultSecrets" && d.ResourceType != "Microsoft.KeyVault/vaults/secrets")
                    .Select(d => (d.Name, Text: Guard(secure.Name).Replace(d.Value, "")))
                    .Where(d => Regex.IsMatch(d.Text, $@"\b{secure.Name}\b"))
                    .Select(d => d.Name)
                    .ToList();
                Assert.True(uses.Count == 0, $"{document.FileName}: @secure {secure.Name} is used outside Key Vault secrets, in {string.Join(", ", uses)}");
            }
        }
    }

    [Fact]
    public void Secret_settings_are_Key_Vault_references_to_secrets_the_template_creates()
    {
        var settings = InfraTemplates.AppSettings();
        var secretNames = QuotedString().Matches(InfraTemplates.Main.Get("var", "keyVaultSecrets").Value)
            .Select(m => Interpolation().Replace(m.Groups[1].Value, "*"))
            .ToHashSet(StringComparer.Ordinal);

        var secretSettings = settings.Where(s => SecretSettingName().IsMatch(s.Name)).ToList();
        Assert.Contains(secretSettings, s => s.Name == "CleverTap__Passcode");
        Assert.Contains(secretSettings, s => s.Name == "Ingest__SharedSecrets__0");
        Assert.Contains(secretSettings, s => s.Name == "Admin__ApiKey");
        Assert.Contains(secretSettings, s => s.Name == "Ingest__BasicAuthUsername"); // the API key itself in Direct Destination style
        foreach (var setting in secretSettings)
        {
            var reference = KeyVaultReference().Match(setting.Value);
            Assert.True(reference.Success, $"{setting.Name} must be a keyVaultReference(…), not {setting.Value}");
            var secretName = Interpolation().Replace(reference.Groups[1].Value, "*");
            Assert.True(secretNames.Contains(secretName), $"{setting.Name} references secret '{secretName}', which keyVaultSecrets does not create");
        }
        // Hand-written references would bypass the check above.
        Assert.All(settings, s => Assert.DoesNotContain("@Microsoft.KeyVault(", s.Value, StringComparison.Ordinal));
        Assert.Equal("'@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'", InfraTemplates.Main.Get("func", "keyVaultReference").Value);
    }

    [Fact]
    public void Key_Vault_is_in_RBAC_mode_and_the_app_resolves_references_with_its_identity()
    {
        var vault = InfraTemplates.KeyVault.OfKind("resource").Single(r => r.ResourceType == "Microsoft.KeyVault/vaults");
        Assert.Equal("true", vault.Body.Object("properties")["enableRbacAuthorization"]);

        var site = InfraTemplates.FunctionApp.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Web/sites");
        Assert.Equal("identityId", BicepObject.FirstIn(site.Body["properties"]!)["keyVaultReferenceIdentity"]);
        Assert.Equal("'UserAssigned'", site.Body.Object("identity")["type"]);
    }

    [Fact]
    public void Flex_path_sets_nothing_Flex_forbids()
    {
        var functionApp = InfraTemplates.FunctionApp;
        Assert.Equal("hostingPlan == 'FlexConsumption'", functionApp.Get("var", "isFlex").Value);
        Assert.Equal("'FlexConsumption'", InfraTemplates.Main.Get("param", "hostingPlan").Value);

        var flexSettings = InfraTemplates.AppSettings().Where(s => s.DeclaredIn != "premiumOnlyAppSettings").ToList();
        var forbidden = flexSettings.Where(s => s_settingsFlexForbids.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).Select(s => $"{s.File} {s.DeclaredIn}: {s.Name}");
        Assert.Empty(forbidden);

        // The Premium-only settings join the app settings only when the plan is not Flex, and nowhere else.
        var site = functionApp.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Web/sites");
        var settingsResource = Assert.Single(site.Body.ChildResources);
        Assert.Equal("'appsettings'", settingsResource.Body["name"]);
        Assert.Equal("union(appSettings, isFlex ? {} : premiumOnlyAppSettings)", settingsResource.Body["properties"]);
        Assert.Equal(2, Regex.Matches(functionApp.Code, @"\bpremiumOnlyAppSettings\b").Count);
        Assert.All(InfraTemplates.All, d => Assert.Equal(d == functionApp ? 1 : 0, Regex.Matches(d.Code, "FUNCTIONS_WORKER_RUNTIME").Count));

        // Flex takes its runtime from functionAppConfig; the Flex site config sets no Linux image.
        Assert.DoesNotContain("linuxFxVersion", functionApp.Get("var", "flexSiteConfig").Value, StringComparison.Ordinal);
        Assert.Matches(@"isFlex \?\s*\{\s*functionAppConfig: flexFunctionAppConfig\s*\}\s*:\s*\{\}\)$", site.Body["properties"]);
    }

    [Fact]
    public void Flex_runs_the_custom_handler_runtime_by_default_with_identity_based_deployment_storage()
    {
        var main = InfraTemplates.Main;
        Assert.Equal("'custom'", main.Get("param", "flexRuntimeName").Value);
        Assert.Equal(new[] { "custom", "dotnet-isolated" }, main.Get("param", "flexRuntimeName").AllowedValues);
        // The Flex catalog's version for `custom` (Az.Functions FunctionsStackFlexData/*/custom.json: runtime custom, 1.0);
        // ARM accepts any string but an unlisted version never starts (https://github.com/Azure/Azure-Functions/issues/2666).
        Assert.Equal("'1.0'", main.Get("param", "flexRuntimeVersion").Value);

        var config = BicepObject.FirstIn(InfraTemplates.FunctionApp.Get("var", "flexFunctionAppConfig").Value);
        Assert.Equal("flexRuntimeName", config.Object("runtime")["name"]);
        var storage = config.Object("deployment").Object("storage");
        Assert.Equal("'blobContainer'", storage["type"]);
        Assert.Equal("'UserAssignedIdentity'", storage.Object("authentication")["type"]);
        Assert.Equal("identityId", storage.Object("authentication")["userAssignedIdentityResourceId"]);

        var plan = InfraTemplates.FunctionApp.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Web/serverfarms");
        Assert.Contains("name: 'FC1'", plan.Body["sku"]!, StringComparison.Ordinal);
        Assert.Contains("tier: 'FlexConsumption'", plan.Body["sku"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Elastic_Premium_path_runs_the_custom_handler_from_the_package_blob_without_a_content_share()
    {
        var premium = BicepObject.FirstIn(InfraTemplates.FunctionApp.Get("var", "premiumOnlyAppSettings").Value);

        Assert.Equal("'custom'", premium["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("'~4'", premium["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Equal("'${blobEndpoint}${deploymentContainerName}/${premiumPackageBlobName}'", premium["WEBSITE_RUN_FROM_PACKAGE"]);
        Assert.Equal("identityId", premium["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"]);
        // Azure Files needs a shared key, which the storage account refuses.
        Assert.All(InfraTemplates.All, d => Assert.DoesNotContain("WEBSITE_CONTENT", d.Code, StringComparison.Ordinal));
    }

    [Fact]
    public void Host_storage_is_identity_based_with_the_apps_identity()
    {
        var host = InfraTemplates.AppSettings().Where(s => s.DeclaredIn == "hostAppSettings").ToDictionary(s => s.Name, s => s.Value);

        Assert.Equal("'managedidentity'", host["AzureWebJobsStorage__credential"]);
        Assert.Equal("identity.outputs.clientId", host["AzureWebJobsStorage__clientId"]);
        Assert.Equal("names.storage", host["AzureWebJobsStorage__accountName"]);
        Assert.Equal("storage.outputs.blobEndpoint", host["AzureWebJobsStorage__blobServiceUri"]);
        Assert.Equal("storage.outputs.queueEndpoint", host["AzureWebJobsStorage__queueServiceUri"]);
        Assert.Equal("storage.outputs.tableEndpoint", host["AzureWebJobsStorage__tableServiceUri"]);
    }

    [Fact]
    public void Application_Insights_accepts_only_Entra_authenticated_telemetry_from_the_app()
    {
        var component = InfraTemplates.Monitoring.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Insights/components");
        Assert.Equal("true", component.Body.Object("properties")["DisableLocalAuth"]);

        var host = InfraTemplates.AppSettings().Where(s => s.DeclaredIn == "hostAppSettings").ToDictionary(s => s.Name, s => s.Value);
        Assert.Equal("'ClientId=${identity.outputs.clientId};Authorization=AAD'", host["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("appInsights.properties.ConnectionString", host["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
    }

    [Fact]
    public void Every_queue_trigger_queue_and_its_poison_queue_are_created_by_infra()
    {
        var queues = InfraTemplates.StringArray(InfraTemplates.Main, "queueNames");
        var expected = new List<string>();
        foreach (var (_, trigger) in AppSettingCatalog.FunctionTriggers())
        {
            if (trigger is not QueueTriggerAttribute queueTrigger)
                continue;
            expected.Add(queueTrigger.QueueName);
            expected.Add($"{queueTrigger.QueueName}-poison"); // where the host moves a message after maxDequeueCount failures
        }

        Assert.Contains("export-work", expected);
        Assert.All(expected, queue => Assert.True(queues.Contains(queue), $"queue {queue} (a queue trigger) is not in infra/main.bicep queueNames"));
        Assert.All(queues, queue => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", queue));
        Assert.Equal("queueNames", InfraTemplates.Main.Get("module", "storage").Body.Object("params")["queueNames"]);
        AssertChildLoop("queueService", "queues", "queueNames");
    }

    [Fact]
    public void Tables_the_app_uses_are_created_by_infra()
    {
        var tables = InfraTemplates.StringArray(InfraTemplates.Main, "tableNames");

        Assert.Equal(s_appTables.Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
        Assert.All(tables, table => Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", table));
        Assert.Equal("tableNames", InfraTemplates.Main.Get("module", "storage").Body.Object("params")["tableNames"]);
        AssertChildLoop("tableService", "tables", "tableNames");
    }

    [Fact]
    public void Deployment_guide_names_the_queues_and_tables_the_template_creates()
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "deploy.md"));
        var section = guide[guide.IndexOf("## Queues and tables", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", 3, StringComparison.Ordinal)];

        var names = InfraTemplates.StringArray(InfraTemplates.Main, "queueNames").Concat(InfraTemplates.StringArray(InfraTemplates.Main, "tableNames"));

        Assert.All(names, name => Assert.Contains($"`{name}`", section, StringComparison.Ordinal));
    }

    [Fact]
    public void Azd_service_deploys_to_the_tagged_function_app()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));
        var site = InfraTemplates.FunctionApp.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Web/sites");

        Assert.Matches(@"(?m)^services:\n  api:\n(    .*\n)*    host: function$", azureYaml);
        Assert.Matches(@"(?m)^  path: infra$", azureYaml);
        Assert.Contains("'azd-service-name': 'api'", site.Body["tags"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void Scheduler_schedule_default_is_the_designed_six_field_NCRONTAB()
    {
        // %Exports__SchedulerSchedule% in the ExportScheduler timer trigger: the host refuses to index the function if the
        // setting is missing or not a 6-field NCRONTAB (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions).
        var schedule = InfraTemplates.Main.Get("param", "exportsSchedulerSchedule").Value.Trim('\'');

        Assert.Equal("0 */15 * * * *", schedule);
        Assert.NotNull(CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));
    }

    [Fact]
    public void CleverTap_region_choices_are_the_regions_the_app_knows()
    {
        var allowed = InfraTemplates.Main.Get("param", "cleverTapRegion").AllowedValues;

        Assert.Equal(CleverTapRegion.All.Select(r => r.Code).Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Module_calls_pass_declared_parameters_and_every_required_one()
    {
        foreach (var document in InfraTemplates.All)
        {
            foreach (var call in document.OfKind("module"))
            {
                var modulePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document.Path)!, call.Target!));
                Assert.True(File.Exists(modulePath), $"{document.FileName} module {call.Name}: {call.Target} does not exist");
                var module = BicepDocument.Load(modulePath);
                var declared = module.OfKind("param").ToDictionary(p => p.Name);
                var passed = call.Body.Object("params").Properties.Select(p => p.Key).ToList();

                Assert.All(passed, name => Assert.True(declared.ContainsKey(name), $"{call.Name} passes {name}, which {call.Target} does not declare"));
                Assert.All(declared.Values.Where(p => p.Value.Length == 0),
                    required => Assert.True(passed.Contains(required.Name), $"{call.Name} does not pass {required.Name}, which {call.Target} requires"));
            }
        }
    }

    [Fact]
    public void Referenced_module_outputs_exist()
    {
        foreach (var document in InfraTemplates.All)
        {
            var modules = document.OfKind("module").ToDictionary(m => m.Name);
            foreach (Match reference in ModuleOutput().Matches(document.Code))
            {
                var symbol = reference.Groups[1].Value;
                Assert.True(modules.TryGetValue(symbol, out var call), $"{document.FileName}: {reference.Value} names no module");
                var module = BicepDocument.Load(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(document.Path)!, call!.Target!)));
                Assert.True(module.Declares("output", reference.Groups[2].Value), $"{document.FileName}: {call.Target} has no output {reference.Groups[2].Value}");
            }
        }
    }

    [Fact]
    public void Parameters_file_sets_only_declared_parameters_and_every_required_one()
    {
        var parameters = BicepDocument.Load(Path.Combine(RepositoryPaths.InfraDirectory, "main.bicepparam"));
        var declared = InfraTemplates.Main.OfKind("param").ToDictionary(p => p.Name);

        Assert.Equal("using './main.bicep'", parameters.Get("using", "using").Value);
        var set = parameters.OfKind("param").Select(p => p.Name).ToList();
        Assert.All(set, name => Assert.True(declared.ContainsKey(name), $"main.bicepparam sets {name}, which main.bicep does not declare"));
        Assert.All(declared.Values.Where(p => p.Value.Length == 0),
            required => Assert.True(set.Contains(required.Name), $"main.bicepparam does not set required parameter {required.Name}"));
        // Secrets come from the environment at deployment time, never from the file.
        Assert.All(parameters.OfKind("param").Where(p => declared[p.Name].IsSecure),
            p => Assert.StartsWith("readEnvironmentVariable(", p.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_symbol_used_is_declared()
    {
        // What `bicep build` would report as BCP057 ("The name does not exist in the current context"): a misspelt
        // parameter, variable, resource, module, loop or lambda variable. Property names and function calls are
        // out of scope; the compiler checks those.
        var problems = new List<string>();
        foreach (var document in InfraTemplates.All)
        {
            var declared = document.Declarations.Where(d => d.Kind != "output").Select(d => d.Name)
                .Concat(LocalSymbol().Matches(document.Code).SelectMany(m => m.Groups.Cast<Group>().Skip(1).Where(g => g.Success).Select(g => g.Value)))
                .Concat(document.OfKind("func").SelectMany(f => FunctionParameter().Matches(f.Header).Select(m => m.Groups[1].Value)))
                .ToHashSet(StringComparer.Ordinal);
            var expressions = BicepScanner.BlankStringLiterals(document.Code);

            var undeclared = SymbolUse().Matches(expressions)
                .Select(m => m.Groups["name"].Value)
                .Where(name => !s_bicepKeywords.Contains(name) && !declared.Contains(name))
                .Distinct()
                .ToList();
            if (undeclared.Count > 0)
                problems.Add($"{document.FileName} uses undeclared names: {string.Join(", ", undeclared)}");
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Resources_are_raw_with_pinned_api_versions()
    {
        foreach (var document in InfraTemplates.All)
        {
            Assert.DoesNotMatch(@"'(br|ts)[:/]", document.Code); // registry modules need network access to restore
            foreach (var resource in document.OfKind("resource"))
                Assert.Matches(@"^\d{4}-\d{2}-\d{2}(-preview)?$", resource.ApiVersion ?? $"{document.FileName} {resource.Name} has no API version");
        }
    }

    private static void AssertChildLoop(string serviceName, string childType, string loopSource)
    {
        var account = InfraTemplates.Storage.OfKind("resource").Single(r => r.ResourceType == "Microsoft.Storage/storageAccounts");
        var service = account.Body.ChildResources.Single(r => r.Name == serviceName);
        var child = Assert.Single(service.Body.ChildResources);
        Assert.Equal(childType, child.Target);
        Assert.Matches($@"^\[for \w+ in {loopSource}:", child.Value);
    }

    private static string ResolveRoleId(BicepDocument rbac, BicepDeclaration assignment)
    {
        var roleDefinition = assignment.Body.Object("properties")["roleDefinitionId"]!;
        var match = Regex.Match(roleDefinition, @"^subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', (\w+)\)$");
        Assert.True(match.Success, $"{assignment.Name}: roleDefinitionId {roleDefinition}");
        return rbac.Get("var", match.Groups[1].Value).Value.Trim('\'');
    }

    // `empty(x)` and `contains(x, …)` only test whether a secret was given; they never copy it.
    private static Regex Guard(string name) => new($@"\b(empty\({name}\)|contains\({name},)");

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex("(Passcode|Secret|Password|ApiKey|AccountKey|BasicAuthUsername)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSettingName();

    [GeneratedRegex(@"^keyVaultReference\(names\.keyVault, '([^']+)'\)$")]
    private static partial Regex KeyVaultReference();

    [GeneratedRegex(@"\b(\w+)\.outputs\.(\w+)")]
    private static partial Regex ModuleOutput();

    // Nested resources, loop variables (`for x in`, `for (x, i) in`) and lambda parameters (`x =>`, `(a, b) =>`).
    [GeneratedRegex(@"\bresource\s+(\w+)|\bfor\s+(\w+)\s+in\b|\bfor\s+\((\w+)\s*,\s*(\w+)\)\s+in\b|\b(\w+)\s*=>|\(\s*(\w+)\s*,\s*(\w+)\s*\)\s*=>")]
    private static partial Regex LocalSymbol();

    [GeneratedRegex(@"[(,]\s*(\w+)\s+\w+")]
    private static partial Regex FunctionParameter();

    // A name that is not a member (`.x`, `.?x`, `::x`), a decorator (`@x`), a declaration's own name, an object key
    // (`x:`) or a function call (`x(`).
    [GeneratedRegex(@"(?<!(::|\.\?|[.@])\s*)(?<!\b(param|var|resource|module|output|type|func)\s+)(?<name>\b[A-Za-z_]\w*\b)(?!\s*(\(|:(?!:)))")]
    private static partial Regex SymbolUse();
}
