// The hosting plan and the function app: a .NET isolated worker (the published app root holds host.json,
// functions.metadata, worker.config.json and the worker's dll; the Functions host starts the worker itself).
//
// Flex Consumption (default): the runtime (dotnet-isolated and its version) comes from functionAppConfig.runtime,
// the package from the blob container in functionAppConfig.deployment; FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*, SCM_DO_BUILD_DURING_DEPLOYMENT,
// WEBSITE_TIME_ZONE and TZ must not be set.
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
//
// Elastic Premium (for regions or features Flex lacks): the runtime comes from FUNCTIONS_WORKER_RUNTIME=dotnet-isolated
// and the Linux image DOTNET-ISOLATED|<version>; no Azure Files content share (it needs a shared key, which the
// storage account refuses); the app runs from the package blob, fetched with the user-assigned identity.
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings#functions_worker_runtime
// https://learn.microsoft.com/azure/azure-functions/storage-considerations#create-an-app-without-azure-files

param location string
param tags object
param name string
param planName string

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Blob endpoint of the storage account (ends with a slash).')
param blobEndpoint string

param deploymentContainerName string

@description('Every app setting except the plan-specific ones below; built in main.bicep.')
param appSettings object

@description('.NET version of the isolated worker: Flex functionAppConfig.runtime.version and the Elastic Premium image DOTNET-ISOLATED|<version>.')
param dotnetVersion string

param flexMaximumInstanceCount int
param flexInstanceMemoryMB int

param premiumSku string
param premiumMaximumElasticWorkerCount int
param premiumPackageBlobName string

@description('Client (application) ID of the Entra app registration users sign in with (App Service Authentication). Empty = authentication not configured.')
param entraClientId string

@description('Name of the app setting holding the registration\'s client credential (a secret, or the managed identity used as a federated credential). Empty = none: sign-in by ID token only.')
param entraClientCredentialSettingName string

// Paths reachable without signing in; each keeps its own check. The Segment webhook (its function key, checked by the
// Functions host; named accounts under /api/segment/<name>) and the health probe (anonymous, no data). Everything else
// (the dashboard and the management API) needs a signed-in user or an Entra token.
var anonymousPaths = [
  '/api/segment'
  '/api/segment/*'
  '/api/health'
]

var isFlex = hostingPlan == 'FlexConsumption'

// Only on Elastic Premium: Flex refuses or ignores these (see the header).
var premiumOnlyAppSettings = {
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
  FUNCTIONS_EXTENSION_VERSION: '~4'
  WEBSITE_RUN_FROM_PACKAGE: '${blobEndpoint}${deploymentContainerName}/${premiumPackageBlobName}'
  WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID: identityId
}

var flexSiteConfig = {
  minTlsVersion: '1.2'
}

var premiumSiteConfig = {
  linuxFxVersion: 'DOTNET-ISOLATED|${dotnetVersion}'
  minTlsVersion: '1.2'
  ftpsState: 'Disabled'
  use32BitWorkerProcess: false
}

var flexFunctionAppConfig = {
  deployment: {
    storage: {
      type: 'blobContainer'
      value: '${blobEndpoint}${deploymentContainerName}'
      authentication: {
        type: 'UserAssignedIdentity'
        userAssignedIdentityResourceId: identityId
      }
    }
  }
  scaleAndConcurrency: {
    maximumInstanceCount: flexMaximumInstanceCount
    instanceMemoryMB: flexInstanceMemoryMB
  }
  runtime: {
    name: 'dotnet-isolated'
    version: dotnetVersion
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: isFlex ? {
    name: 'FC1'
    tier: 'FlexConsumption'
  } : {
    name: premiumSku
    tier: 'ElasticPremium'
  }
  properties: isFlex ? {
    reserved: true
  } : {
    reserved: true
    maximumElasticWorkerCount: premiumMaximumElasticWorkerCount
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  // azd finds the app to deploy to by this tag (azure.yaml service "api").
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: union({
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: isFlex ? flexSiteConfig : premiumSiteConfig
  }, isFlex ? {
    functionAppConfig: flexFunctionAppConfig
  } : {})

  // Settings live in their own resource so that the site exists (with its identity) before references resolve.
  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, isFlex ? {} : premiumOnlyAppSettings)
  }

  // App Service Authentication with Microsoft Entra ID, in the deploying tenant: signs users in before the dashboard
  // and the management API, and validates scripts' Entra tokens. The platform then sets WEBSITE_AUTH_ENABLED and the
  // X-MS-CLIENT-PRINCIPAL* headers, which the app trusts only then (functions/Exports/Api/ManagementAccess.cs).
  // https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad
  // https://learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2
  resource authentication 'config' = if (!empty(entraClientId)) {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        // A browser goes to the sign-in page; the dashboard's fetch sees the redirect and offers to sign in again.
        unauthenticatedClientAction: 'RedirectToLoginPage'
        redirectToProvider: 'azureactivedirectory'
        excludedPaths: anonymousPaths
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: union({
            clientId: entraClientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          }, empty(entraClientCredentialSettingName) ? {} : {
            clientSecretSettingName: entraClientCredentialSettingName
          })
          validation: {
            // Tokens for the registration itself: the sign-in's ID token, and scripts' access tokens for its
            // Application ID URI (docs/deploy.md "Calling the API from a script").
            allowedAudiences: [
              entraClientId
              'api://${entraClientId}'
            ]
          }
        }
      }
      login: {
        tokenStore: {
          enabled: true
        }
      }
      httpSettings: {
        requireHttps: true
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
