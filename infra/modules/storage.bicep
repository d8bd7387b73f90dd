metadata name = 'Storage account'
metadata description = 'Host storage, leases, work queue, consent sessions and the deployment package. Shared keys are off: every caller uses Entra ID.'

import { roleAssignmentType } from 'types.bicep'

@description('Required. Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Optional. Location of the account.')
param location string = resourceGroup().location

@description('Optional. Tags of the account.')
param tags object = {}

@description('Required. Blob containers to create (the deployment package container, the lease container).')
param blobContainerNames string[]

@description('Optional. Queues to create (the work queue).')
param queueNames string[] = []

@description('Optional. Tables to create (consent sessions, TOTP steps).')
param tableNames string[] = []

@description('Optional. Role assignments on the storage account.')
param roleAssignments roleAssignmentType[] = []

@description('Optional. Role assignments on single blob containers (each names one of blobContainerNames).')
param containerRoleAssignments containerRoleAssignmentType[] = []

@export()
type containerRoleAssignmentType = {
  @description('Required. Name of the blob container the role is scoped to; one of blobContainerNames.')
  containerName: string

  @description('Required. The role, principal and reason, as on the account.')
  assignment: roleAssignmentType
}

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
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
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in blobContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for assignment in roleAssignments: {
    name: guid(
      account.id,
      assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
    )
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.roleDefinitionId)
      principalId: assignment.principalId
      principalType: assignment.principalType
      description: assignment.description
    }
  }
]

resource containerRoleAssignmentResources 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for item in containerRoleAssignments: {
    name: guid(
      containers[indexOf(blobContainerNames, item.containerName)].id,
      item.assignment.principalId,
      subscriptionResourceId('Microsoft.Authorization/roleDefinitions', item.assignment.roleDefinitionId)
    )
    scope: containers[indexOf(blobContainerNames, item.containerName)]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', item.assignment.roleDefinitionId)
      principalId: item.assignment.principalId
      principalType: item.assignment.principalType
      description: item.assignment.description
    }
  }
]

@description('Resource id of the storage account.')
output resourceId string = account.id

@description('Name of the storage account.')
output name string = account.name

@description('Blob endpoint, e.g. https://stabc.blob.core.windows.net/.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint, e.g. https://stabc.queue.core.windows.net/.')
output queueEndpoint string = account.properties.primaryEndpoints.queue

@description('Table endpoint, e.g. https://stabc.table.core.windows.net/.')
output tableEndpoint string = account.properties.primaryEndpoints.table
