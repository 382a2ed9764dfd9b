// Key Vault in RBAC mode holding every secret the app reads. App settings point at the secrets with
// @Microsoft.KeyVault(VaultName=…;SecretName=…) references, resolved by the platform with the identity named in
// the site's keyVaultReferenceIdentity (which holds Key Vault Secrets User, rbac.bicep), so no secret value is
// ever stored in an app setting. Versionless references pick up a rotated secret within 24 hours.
// https://learn.microsoft.com/azure/app-service/app-service-key-vault-references

param location string
param tags object
param name string

@secure()
@description('Secret name → value; only non-empty values are passed in.')
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = [for secret in items(secrets): {
  parent: vault
  name: secret.key
  properties: {
    value: secret.value
    contentType: 'text/plain'
  }
}]

output name string = vault.name
