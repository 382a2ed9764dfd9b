// CleverTap ⇄ Segment bridge: everything the app needs, in one resource group.
//
//   az deployment group create --resource-group <rg> --template-file infra/main.bicep --parameters infra/main.bicepparam
//
// Raw resources only (no registry modules: they need network access to restore). tests/CleverTapSegment.Tests/Infra
// compile and lint it with the Bicep CLI (pinned there, restored from NuGet; lint rules in infra/bicepconfig.json),
// check its invariants on the compiled ARM JSON, and that it provides every setting the app reads.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------------
// Naming and hosting

@minLength(2)
@maxLength(10)
@description('Lower-case letters and digits only: it starts every resource name (the storage account allows nothing else).')
param namePrefix string = 'ctseg'

param location string = resourceGroup().location

param tags object = {}

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
@description('FlexConsumption (default) or ElasticPremium, for regions or features Flex lacks.')
param hostingPlan string = 'FlexConsumption'

@description('.NET version of the isolated worker, the target framework the app is built for: Flex functionAppConfig.runtime.version (runtime dotnet-isolated), exactly as the region\'s Flex runtime catalog lists it (an unlisted value deploys but never starts; docs/deploy.md shows how to list it), and the Elastic Premium image DOTNET-ISOLATED|<version>.')
param dotnetVersion string = '10.0'

@minValue(40)
@maxValue(1000)
@description('Flex only: instance ceiling (the catalog\'s lowest allowed value is 40). Each instance runs up to CleverTap__MaxConcurrentUploads uploads per account, so this also bounds the load on CleverTap.')
param flexMaximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
param flexInstanceMemoryMB int = 2048

@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param premiumSku string = 'EP1'

@minValue(1)
@maxValue(100)
param premiumMaximumElasticWorkerCount int = 20

@description('Elastic Premium only: blob name of the package in the deployment container (WEBSITE_RUN_FROM_PACKAGE).')
param premiumPackageBlobName string = 'app.zip'

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param storageSku string = 'Standard_LRS'

@description('Optional: object id of the person or pipeline that deploys, granted Storage Blob Data Contributor to upload the Elastic Premium package. azd passes AZURE_PRINCIPAL_ID.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------------------------
// CleverTap (CleverTap__*)

@minLength(1)
@description('CleverTap__AccountId: the project\'s account id (Settings → Project).')
param cleverTapAccountId string

@secure()
@minLength(1)
@description('CleverTap__Passcode: stored in Key Vault, referenced from the app setting.')
param cleverTapPasscode string

@allowed([
  'eu1'
  'in1'
  'us1'
  'sg1'
  'aps3'
  'mec1'
  'sk1'
])
@description('CleverTap__Region: the region of the CleverTap account (https://developer.clevertap.com/docs/api-quickstart-guide#region).')
param cleverTapRegion string = 'eu1'

@minValue(1)
@maxValue(15)
@description('CleverTap__MaxConcurrentUploads: uploads in flight per account and instance (CleverTap allows 15 concurrent requests per account).')
param cleverTapMaxConcurrentUploads int = 3

@description('CleverTap__TimeZone: the CleverTap project\'s time zone (IANA id); export timestamps and days are local to it.')
param cleverTapTimeZone string = 'UTC'

@description('CleverTap__ApiBaseUrl: optional override of the region\'s API URL (a proxy). Empty = not set.')
param cleverTapApiBaseUrl string = ''

@description('A named extra CleverTap account, served at /api/segment/{name}. Unset values fall back to the default account\'s.')
type cleverTapConnection = {
  @description('Letters, digits and dashes: it is part of the Key Vault secret name.')
  name: string
  accountId: string
  region: string?
}

@description('Named extra accounts: CleverTap__Connections__<name>__AccountId / __Region / __Passcode.')
param cleverTapConnections cleverTapConnection[] = []

@secure()
@description('Connection name → passcode, for connections whose passcode differs from the default account\'s.')
param cleverTapConnectionPasscodes object = {}

// ---------------------------------------------------------------------------------------------------------------
// Segment → CleverTap endpoint (Ingest__*, Segment__*)

@allowed([
  'snake_case'
  'preserve'
])
@description('Ingest__KeyStyle: how custom trait and property keys are written to CleverTap.')
param ingestKeyStyle string = 'snake_case'

@description('Ingest__RefuseAnonymous: reject events that carry only an anonymousId.')
param ingestRefuseAnonymous bool = false

@minValue(1024)
@maxValue(268435456)
@description('Ingest__MaxBodyBytes: request size limit (larger requests get 413).')
param ingestMaxBodyBytes int = 8388608

@minValue(1)
@maxValue(60)
@description('Ingest__DeadlineSeconds: time budget of one Segment request; Segment\'s Webhooks (Actions) destination gives up on a request after 10 s (https://segment.com/docs/connections/destinations/catalog/actions-webhook/).')
param ingestDeadlineSeconds int = 4

@description('Ingest__Coalesce: share CleverTap uploads between concurrent requests for the same account.')
param ingestCoalesce bool = true

@allowed([
  'delivered'
  'stored'
])
@description('Ingest__Acknowledge: answer Segment once CleverTap accepted the records (delivered) or once they are in the ingest-spool queue (stored). README.md, "Acknowledgement modes".')
param ingestAcknowledge string = 'delivered'

@minValue(1)
@maxValue(2160)
@description('Ingest__SpoolRetentionHours: stored mode, how long a record may wait for CleverTap before it is dead-lettered.')
param ingestSpoolRetentionHours int = 168

@minValue(0)
@maxValue(3600)
@description('Ingest__SpoolRetryDelaySeconds: stored mode, first retry delay of records CleverTap could not take (doubles per attempt).')
param ingestSpoolRetryDelaySeconds int = 30

@minValue(1)
@maxValue(86400)
@description('Ingest__SpoolMaxRetryDelaySeconds: stored mode, longest retry delay.')
param ingestSpoolMaxRetryDelaySeconds int = 900

@minValue(0)
@maxValue(1000)
@description('Ingest__SpoolCommitWindowMilliseconds: stored mode, how long concurrent requests of one account are gathered into one queue message.')
param ingestSpoolCommitWindowMilliseconds int = 5

@secure()
@description('Ingest__SharedSecrets__0: the Segment destination\'s shared secret (X-Signature check). Empty = no signature check.')
param segmentSharedSecret string = ''

@secure()
@description('Ingest__SharedSecrets__1: the next shared secret, during a rotation. Empty = none.')
param segmentSharedSecretNext string = ''

@secure()
@description('Ingest__BasicAuthUsername: optional Basic auth user for the Segment endpoint (Key Vault: in the Direct Destination style it is the API key itself). Empty = no Basic auth.')
param ingestBasicAuthUsername string = ''

@secure()
@description('Ingest__BasicAuthPassword: the Basic auth password (Key Vault).')
param ingestBasicAuthPassword string = ''

@description('Segment__ApiBaseUrl: optional override of the Segment Tracking API URL (a proxy). Empty = not set.')
param segmentApiBaseUrl string = ''

// ---------------------------------------------------------------------------------------------------------------
// Management API and exports (Admin__*, Exports__*)

@secure()
@description('Admin__ApiKey: management key of standalone mode; in Azure the Functions keys guard the management API. Empty = not set.')
param adminApiKey string = ''

@description('Exports__SchedulerSchedule: NCRONTAB (6 fields, UTC) of the ExportScheduler timer, whose trigger reads %Exports__SchedulerSchedule%.')
param exportsSchedulerSchedule string = '0 */15 * * * *'

@minValue(30)
@maxValue(540)
@description('Exports__WorkerTimeBudgetSeconds: an export work item continues in a new queue message after this long (host.json functionTimeout is 10 minutes).')
param exportsWorkerTimeBudgetSeconds int = 240

@minValue(5)
@description('Exports__StalledAfterMinutes: a work item without a checkpoint for this long is enqueued again.')
param exportsStalledAfterMinutes int = 20

@minValue(1)
@maxValue(5000)
@description('Exports__PageSize: records per CleverTap export page (CleverTap allows up to 5000).')
param exportsPageSize int = 5000

// ---------------------------------------------------------------------------------------------------------------
// Sign-in (App Service Authentication with Microsoft Entra ID; docs/deploy.md "Access")

@description('Client (application) ID of the Entra app registration people sign in to the dashboard with (docs/deploy.md walks through creating it). Empty = App Service Authentication is not configured: the dashboard and the management API then answer only to Admin__ApiKey.')
param entraClientId string = ''

@allowed([
  'managedIdentity'
  'clientSecret'
  'none'
])
@description('How the app proves itself to Entra when signing users in: managedIdentity (the app\'s user-assigned identity as a federated credential of the registration, no secret), clientSecret (entraClientSecret, kept in Key Vault), or none (ID tokens only).')
param entraClientCredential string = 'managedIdentity'

@secure()
@description('The registration\'s client secret, when entraClientCredential is clientSecret.')
param entraClientSecret string = ''

// ---------------------------------------------------------------------------------------------------------------
// Names

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, namePrefix))
var names = {
  identity: '${namePrefix}-id-${resourceToken}'
  storage: take('${namePrefix}st${resourceToken}', 24)
  workspace: '${namePrefix}-log-${resourceToken}'
  appInsights: '${namePrefix}-appi-${resourceToken}'
  keyVault: take('${namePrefix}-kv-${resourceToken}', 24)
  plan: '${namePrefix}-plan-${resourceToken}'
  functionApp: '${namePrefix}-func-${resourceToken}'
}
var deploymentContainerName = 'app-package'

// The queue the ExportWorker function triggers on, and the poison queue the Functions host moves a message to
// after host.json maxDequeueCount failures (`<queue>-poison`).
// https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages
var queueNames = [
  'export-work'
  'export-work-poison'
  // Stored acknowledgement mode: the Segment spool the SpoolDelivery function triggers on.
  'ingest-spool'
  'ingest-spool-poison'
]

// The app's tables: export partners, definitions, runs, work items, delivered Segment messageIds, the leased
// slots that hold CleverTap's per-account concurrency limits across instances, and the dashboard's ingest counts.
var tableNames = [
  'exportpartners'
  'exports'
  'exportruns'
  'exportitems'
  'ingestdelivered'
  'concurrencyslots'
  'ingeststats'
  'ingestdeadletters'
]

// ---------------------------------------------------------------------------------------------------------------
// Secrets: only non-empty values become Key Vault secrets; app settings reference them by name.

func keyVaultReference(vaultName string, secretName string) string => '@Microsoft.KeyVault(VaultName=${vaultName};SecretName=${secretName})'

var keyVaultSecrets = union(
  {
    'clevertap-passcode': cleverTapPasscode
  },
  empty(segmentSharedSecret) ? {} : {
    'segment-shared-secret-0': segmentSharedSecret
  },
  empty(segmentSharedSecretNext) ? {} : {
    'segment-shared-secret-1': segmentSharedSecretNext
  },
  empty(ingestBasicAuthUsername) ? {} : {
    'ingest-basic-auth-username': ingestBasicAuthUsername
  },
  empty(ingestBasicAuthPassword) ? {} : {
    'ingest-basic-auth-password': ingestBasicAuthPassword
  },
  empty(adminApiKey) ? {} : {
    'admin-api-key': adminApiKey
  },
  empty(entraClientId) || entraClientCredential != 'clientSecret' ? {} : {
    'entra-client-secret': entraClientSecret
  },
  toObject(items(cleverTapConnectionPasscodes), passcode => 'clevertap-passcode-${toLower(passcode.key)}', passcode => passcode.value)
)

// ---------------------------------------------------------------------------------------------------------------
// App settings: every setting the app reads (README.md "Settings"; docs/deploy.md). ASPNETCORE_URLS is deliberately
// absent: the worker's ASP.NET Core integration listens where the Functions host tells it to.

// Identity-based host storage, read by the Functions host (triggers, timer locks, keys) and by the app's own
// storage clients.
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
var hostAppSettings = {
  AzureWebJobsStorage__accountName: names.storage
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  // Lets DefaultAzureCredential in the worker pick the user-assigned identity.
  AZURE_CLIENT_ID: identity.outputs.clientId
  // Telemetry: the worker exports OpenTelemetry to this resource, and the host sends its own. Local auth is off
  // (modules/monitoring.bicep), so both authenticate with the identity, which holds Monitoring Metrics Publisher.
  // https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

var cleverTapAppSettings = {
  CleverTap__AccountId: cleverTapAccountId
  CleverTap__Passcode: keyVaultReference(names.keyVault, 'clevertap-passcode')
  CleverTap__Region: cleverTapRegion
  CleverTap__MaxConcurrentUploads: string(cleverTapMaxConcurrentUploads)
  CleverTap__TimeZone: cleverTapTimeZone
}

var cleverTapConnectionAppSettings = reduce(cleverTapConnections, {}, (settings, connection) => union(settings, {
  'CleverTap__Connections__${connection.name}__AccountId': connection.accountId
}, empty(connection.?region ?? '') ? {} : {
  'CleverTap__Connections__${connection.name}__Region': connection.?region ?? ''
}, contains(cleverTapConnectionPasscodes, connection.name) ? {
  'CleverTap__Connections__${connection.name}__Passcode': keyVaultReference(names.keyVault, 'clevertap-passcode-${toLower(connection.name)}')
} : {}))

var ingestAppSettings = {
  Ingest__KeyStyle: ingestKeyStyle
  Ingest__RefuseAnonymous: string(ingestRefuseAnonymous)
  Ingest__MaxBodyBytes: string(ingestMaxBodyBytes)
  Ingest__DeadlineSeconds: string(ingestDeadlineSeconds)
  Ingest__Coalesce: string(ingestCoalesce)
  Ingest__Acknowledge: ingestAcknowledge
  Ingest__SpoolRetentionHours: string(ingestSpoolRetentionHours)
  Ingest__SpoolRetryDelaySeconds: string(ingestSpoolRetryDelaySeconds)
  Ingest__SpoolMaxRetryDelaySeconds: string(ingestSpoolMaxRetryDelaySeconds)
  Ingest__SpoolCommitWindowMilliseconds: string(ingestSpoolCommitWindowMilliseconds)
}

var exportsAppSettings = {
  Exports__SchedulerSchedule: exportsSchedulerSchedule
  Exports__WorkerTimeBudgetSeconds: string(exportsWorkerTimeBudgetSeconds)
  Exports__StalledAfterMinutes: string(exportsStalledAfterMinutes)
  Exports__PageSize: string(exportsPageSize)
}

// Set only when given: an empty value would switch a check on with nothing to check against.
var optionalAppSettings = union(
  empty(cleverTapApiBaseUrl) ? {} : {
    CleverTap__ApiBaseUrl: cleverTapApiBaseUrl
  },
  empty(segmentApiBaseUrl) ? {} : {
    Segment__ApiBaseUrl: segmentApiBaseUrl
  },
  empty(segmentSharedSecret) ? {} : {
    Ingest__SharedSecrets__0: keyVaultReference(names.keyVault, 'segment-shared-secret-0')
  },
  empty(segmentSharedSecretNext) ? {} : {
    Ingest__SharedSecrets__1: keyVaultReference(names.keyVault, 'segment-shared-secret-1')
  },
  empty(ingestBasicAuthUsername) ? {} : {
    Ingest__BasicAuthUsername: keyVaultReference(names.keyVault, 'ingest-basic-auth-username')
  },
  empty(ingestBasicAuthPassword) ? {} : {
    Ingest__BasicAuthPassword: keyVaultReference(names.keyVault, 'ingest-basic-auth-password')
  },
  empty(adminApiKey) ? {} : {
    Admin__ApiKey: keyVaultReference(names.keyVault, 'admin-api-key')
  }
)

// The registration's client credential, read by App Service Authentication from the app setting its
// clientSecretSettingName names: the secret (the name the portal uses), or the identity's client ID under the name
// that makes the platform present a managed identity token as a federated credential instead.
// https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad
var entraCredentialSettingNames = {
  managedIdentity: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
  clientSecret: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
  none: ''
}
var entraCredentialSettingName = empty(entraClientId) ? '' : entraCredentialSettingNames[entraClientCredential]
var entraAppSettings = union(
  entraCredentialSettingName == entraCredentialSettingNames.managedIdentity ? {
    OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identity.outputs.clientId
  } : {},
  entraCredentialSettingName == entraCredentialSettingNames.clientSecret ? {
    MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: keyVaultReference(names.keyVault, 'entra-client-secret')
  } : {}
)

var appSettings = union(
  hostAppSettings,
  cleverTapAppSettings,
  cleverTapConnectionAppSettings,
  ingestAppSettings,
  exportsAppSettings,
  optionalAppSettings,
  entraAppSettings
)

// ---------------------------------------------------------------------------------------------------------------
// Resources

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    location: location
    tags: tags
    name: names.identity
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: names.workspace
    appInsightsName: names.appInsights
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: names.storage
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    queueNames: queueNames
    tableNames: tableNames
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: tags
    name: names.keyVault
    secrets: keyVaultSecrets
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: names.storage
    appInsightsName: names.appInsights
    keyVaultName: names.keyVault
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: deployerPrincipalId
    deployerPrincipalType: deployerPrincipalType
  }
  dependsOn: [
    storage
    monitoring
    keyVault
  ]
}

// Read here (not passed as a module output) so the connection string never shows in deployment outputs. Only the
// functionApp module reads it, and that module runs after rbac, which runs after monitoring.
resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: names.appInsights
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: tags
    name: names.functionApp
    planName: names.plan
    hostingPlan: hostingPlan
    identityId: identity.outputs.id
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    appSettings: appSettings
    dotnetVersion: dotnetVersion
    flexMaximumInstanceCount: flexMaximumInstanceCount
    flexInstanceMemoryMB: flexInstanceMemoryMB
    premiumSku: premiumSku
    premiumMaximumElasticWorkerCount: premiumMaximumElasticWorkerCount
    premiumPackageBlobName: premiumPackageBlobName
    entraClientId: entraClientId
    entraClientCredentialSettingName: entraCredentialSettingName
  }
  // Roles first: the app's first start resolves Key Vault references and opens host storage with the identity.
  dependsOn: [
    rbac
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs: names and commands only, never a secret.

output functionAppName string = functionApp.outputs.name
output storageAccountName string = names.storage
output deploymentContainerName string = deploymentContainerName
output keyVaultName string = names.keyVault
output hostingPlan string = hostingPlan

@description('Paste into the Segment Webhooks (Actions) destination, with the function key as the x-functions-key header (or ?code=<key>).')
output segmentDestinationUrl string = 'https://${functionApp.outputs.defaultHostName}/api/segment'

output managementApiUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('The dashboard, and who may open it.')
output dashboardUrl string = 'https://${functionApp.outputs.defaultHostName}/'

@description('Whether sign-in guards the dashboard and the management API, and what to do when it does not.')
output dashboardAccess string = empty(entraClientId)
  ? 'App Service Authentication is NOT configured (entraClientId is empty): the dashboard and the management API answer only to the management key (adminApiKey, sent as x-functions-key), and to nobody without it. To require Entra sign-in, create the app registration (docs/deploy.md "Access") and deploy again with entraClientId.'
  : 'Entra sign-in required (tenant ${tenant().tenantId}, app registration ${entraClientId}); redirect URI https://${functionApp.outputs.defaultHostName}/.auth/login/aad/callback. /api/segment and /api/health stay reachable without sign-in.'

@description('Entra only: the subject of the federated credential to add to the app registration when entraClientCredential is managedIdentity (the identity\'s object ID).')
output entraFederatedCredentialSubject string = !empty(entraClientId) && entraClientCredential == 'managedIdentity' ? identity.outputs.principalId : ''

@description('Prints the function key the Segment destination and the management API need.')
output readFunctionKeyCommand string = 'az functionapp keys list --resource-group ${resourceGroup().name} --name ${names.functionApp} --query functionKeys.default --output tsv'
