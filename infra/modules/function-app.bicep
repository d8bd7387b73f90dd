metadata name = 'Function App on Flex Consumption'
metadata description = 'A Linux Flex Consumption plan and Function App: dotnet-isolated, user-assigned identity, HTTPS only, TLS 1.2, no basic publishing credentials (so no FTP). App settings are set by app-settings.bicep.'

@description('Required. Name of the Function App.')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Optional. Location of the plan and the app.')
param location string = resourceGroup().location

@description('Optional. Tags of the plan and the app (the app also gets azd-service-name).')
param tags object = {}

@description('Required. Service name in azure.yaml; azd finds the app by this tag.')
param azdServiceName string

@description('Required. Resource id of the user-assigned managed identity.')
param identityResourceId string

@description('Required. Blob endpoint of the storage account that holds the deployment package.')
param deploymentStorageBlobEndpoint string

@description('Required. Blob container for the deployment package.')
param deploymentContainerName string

@description('Optional. Functions worker runtime.')
param runtimeName string = 'dotnet-isolated'

@description('Optional. Version of the worker runtime.')
param runtimeVersion string = '10.0'

// Flex Consumption refuses a maximum below 40 outside a few preview regions. NetSuite concurrency does not depend
// on it: the engine holds its own per-account limit.
@description('Optional. Upper bound of instances (Flex Consumption accepts 40 to 1000); the app limits NetSuite calls per account itself.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': azdServiceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    // Only what Flex Consumption accepts: it rejects the site when siteConfig carries properties it deprecated
    // (ftpsState among them; see "Flex Consumption plan deprecations" in the Functions app settings reference).
    // FTP stays off through the ftp publishing-credentials policy below.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${deploymentStorageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

// Deployments use Entra ID (azd, az functionapp deployment, the workflow's OIDC login), never a publishing password.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Resource id of the Function App.')
output resourceId string = site.id

@description('Name of the Function App.')
output name string = site.name

@description('Default host name of the Function App, e.g. func-abc.azurewebsites.net.')
output defaultHostName string = site.properties.defaultHostName
