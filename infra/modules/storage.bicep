// The app's one storage account: Functions host storage (AzureWebJobsStorage: keys, timer locks, queue trigger),
// the Flex deployment package container, and the app's own queues and tables.
// Shared-key access is off, so every client (host, deployment, the app's storage clients) authenticates
// with Entra ID through the app's user-assigned identity.
// https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent

param location string
param tags object
param name string

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGRS'
])
param skuName string

@description('Blob container the deployment package goes into (Flex: functionAppConfig.deployment; Elastic Premium: WEBSITE_RUN_FROM_PACKAGE).')
param deploymentContainerName string

@description('Queues created here (the app also creates them if missing).')
param queueNames array

@description('Tables created here (the app also creates them if missing).')
param tableNames array

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource queues 'queues' = [for queueName in queueNames: {
      name: queueName
    }]
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource tables 'tables' = [for tableName in tableNames: {
      name: tableName
    }]
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
