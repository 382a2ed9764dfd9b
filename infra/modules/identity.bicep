// The one identity the function app runs as. User-assigned (not system-assigned) so that role assignments and
// Key Vault access exist before the site is created: the app's first start already resolves its Key Vault
// references and reaches storage.

param location string
param tags object
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
