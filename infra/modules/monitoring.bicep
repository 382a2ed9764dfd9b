// Log Analytics workspace + workspace-based Application Insights with local (instrumentation-key) auth off:
// telemetry is accepted only with an Entra token, which the app gets through its user-assigned identity
// (APPLICATIONINSIGHTS_AUTHENTICATION_STRING) and the Monitoring Metrics Publisher role (rbac.bicep).
// https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication

param location string
param tags object
param workspaceName string
param appInsightsName string

@description('Days Log Analytics keeps data; 30 is the free-retention default.')
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
