metadata name = 'User-assigned managed identity'
metadata description = 'The identity the Function App uses for Key Vault, storage and Application Insights.'

@description('Required. Name of the user-assigned managed identity.')
param name string

@description('Optional. Location of the identity.')
param location string = resourceGroup().location

@description('Optional. Tags of the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output resourceId string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) id of the identity; the app selects its credential with it.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity; role assignments name it.')
output principalId string = identity.properties.principalId
