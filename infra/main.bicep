metadata name = 'NetSuite token rotation'
metadata description = 'Function App (Flex Consumption) that keeps NetSuite credentials alive in Key Vault, with its storage, two vaults, monitoring and alerts. Deploys into one resource group.'

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------

@description('Required. Name of the environment (azd sets AZURE_ENV_NAME); part of every resource name\'s hash.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Optional. Location of every resource; it must offer Flex Consumption.')
param location string = resourceGroup().location

@description('Required. Salt of the two vault names, kept in the azd environment (VAULT_NAME_SALT). Keep it to reuse the vaults; change it after `azd down`, whose soft-deleted vaults keep their names.')
@minLength(1)
@maxLength(32)
param vaultNameSalt string

@description('Required. E-mail address that receives the alerts. Not empty: the preprovision hook refuses an empty ALERT_EMAIL_ADDRESS too, since alerts nobody receives hide a stopped rotation.')
@minLength(3)
param alertEmailAddress string

@description('Optional. Object id of the operators\' Entra group (they run `nstoken`). Gets what nstoken touches: the state-vault roles of the app, Secrets Officer on the consumer vault, Blob Data Contributor on the lease container and Table Data Contributor on the storage account. Empty skips these assignments.')
param operatorsGroupObjectId string = ''

@description('Optional. Object ids of the operators (the group\'s members). Their reads of the state vault do not raise the unexpected-reader alert; Key Vault logs name the caller, never its groups.')
param operatorPrincipalIds string[] = []

@description('Optional. Object ids of the consumers\' managed identities or service principals (Logic Apps, Data Factory, ...). Each gets Key Vault Secrets User on the consumer vault only.')
param consumerPrincipalIds string[] = []

@description('Optional. Application (client) id of the Entra app registration that protects the status page and the operator API (OperatorAuth:ClientId). Its app roles Status.Read and Connections.Operate say who reads and who changes; infra/README.md shows how to create it. Empty keeps both closed (503) until it is set.')
param operatorApiClientId string = ''

@description('Optional. Tenant of that app registration (OperatorAuth:TenantId); the deployment\'s tenant by default.')
param operatorApiTenantId string = tenant().tenantId

@description('Optional. Purge protection on both vaults. On by default; once on it cannot be turned off.')
param enablePurgeProtection bool = true

@description('Optional. Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Optional. Days Log Analytics keeps logs, including the Key Vault audit events.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 90

@description('Optional. Upper bound of Function App instances. Flex Consumption refuses less than 40; NetSuite calls are limited per account by accountConcurrency, not by this.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Optional. Name of this deployment, shown on the status page (TokenRotation:ServiceName).')
@minLength(1)
@maxLength(63)
param serviceName string = 'nstoken'

@description('Optional. NetSuite calls that may run at once per NetSuite account (TokenRotation:AccountConcurrency). Keep it within the integration user\'s concurrency limit.')
@minValue(1)
@maxValue(20)
param accountConcurrency int = 1

@description('Optional. Client-side budget of secret writes per 10 seconds per vault (KeyVault:WritesPer10Seconds; Key Vault allows 300).')
@minValue(1)
@maxValue(300)
param keyVaultWritesPer10Seconds int = 250

@description('Optional. Blob container of the lease blobs (Storage:LeaseContainer).')
param leaseContainerName string = 'nstoken-leases'

@description('Optional. Queue of the per-account work items (WorkQueueName).')
param workQueueName string = 'nstoken-work'

@description('Optional. Table of the last used TOTP step per account and user (Coordination:TotpTable).')
param totpTableName string = 'nstokentotp'

@description('Optional. Table of the consent sessions (Coordination:ConsentTable).')
param consentTableName string = 'nstokenconsent'

@description('Optional. Table of sealed single-use tokens the state vault refused, until the next run replays them (Coordination:JournalTable).')
param journalTableName string = 'nstokenjournal'

@description('Optional. Table of the connection index: schedule, state and intent markers, no secret (Coordination:IndexTable).')
param indexTableName string = 'nstokenindex'

@description('Optional. NCRONTAB (six fields, UTC) of the OAuth 2.0 refresh and client-credentials sweep.')
param refreshOAuth2TokensSchedule string = '0 */5 * * * *'

@description('Optional. NCRONTAB (six fields, UTC) of the daily sweep that starts TBA and certificate rotations.')
param rotateTbaTokensSchedule string = '0 30 3 * * *'

@description('Optional. Refresh an access token this close to its expiry (Rotation:AccessTokenLeadTime, TimeSpan).')
param accessTokenLeadTime string = '00:15:00'

@description('Optional. Raise NeedsPerson this long before a refresh token ends (Rotation:ConsentWarningLeadTime, TimeSpan).')
param consentWarningLeadTime string = '2.00:00:00'

@description('Optional. Rotate a TBA token this long after it was issued (Rotation:TbaRotationInterval, TimeSpan).')
param tbaRotationInterval string = '90.00:00:00'

@description('Optional. The previous credential stays valid this long after promotion; must cover the consumers\' caches (Rotation:GracePeriod, TimeSpan).')
param gracePeriod string = '2.00:00:00'

@description('Optional. Give up verifying a pending credential after this long (Rotation:VerifyTimeout, TimeSpan).')
param verifyTimeout string = '06:00:00'

@description('Optional. Check every credential at least this often: a tokeninfo call for a TBA token; a refresh or mint within it counts (Rotation:CredentialCheckInterval, TimeSpan).')
param credentialCheckInterval string = '1.00:00:00'

@description('Optional. Renew a client-credentials certificate this long before it expires (Rotation:CertificateRenewBefore, TimeSpan).')
param certificateRenewBefore string = '30.00:00:00'

@description('Optional. Lifetime of a signed consent link (Rotation:ConsentLinkLifetime, TimeSpan).')
param consentLinkLifetime string = '3.00:00:00'

@description('Optional. SuiteTalk host template; {account} is the account\'s host label (NetSuite:SuiteTalkUrlTemplate).')
param netSuiteSuiteTalkUrlTemplate string = 'https://{account}.suitetalk.api.netsuite.com'

@description('Optional. RESTlets host template (NetSuite:RestletsUrlTemplate).')
param netSuiteRestletsUrlTemplate string = 'https://{account}.restlets.api.netsuite.com'

@description('Optional. UI host template, used for the OAuth 2.0 authorize page (NetSuite:AppUrlTemplate).')
param netSuiteAppUrlTemplate string = 'https://{account}.app.netsuite.com'

@description('Optional. NetSuite\'s generic authorize page, for connections imported without an account (NetSuite:GenericAuthorizeUrl).')
param netSuiteGenericAuthorizeUrl string = 'https://system.netsuite.com/app/login/oauth2/authorize.nl'

@description('Optional. NetSuite\'s data-center discovery, which gives the domains of the account a generic consent chose (NetSuite:DataCenterUrlsUrl).')
param netSuiteDataCenterUrlsUrl string = 'https://rest.netsuite.com/rest/datacenterurls'

@description('Optional. Raise an alert when the last sweep completed longer ago than this (ISO 8601 duration); quiet until a first sweep has completed.')
@allowed([
  'PT30M'
  'PT1H'
  'PT2H'
  'PT6H'
  'P1D'
])
param sweepMissingWindow string = 'PT1H'

@description('Optional. Rotation failures of one connection within 24 hours that raise an alert.')
@minValue(1)
param rotationFailureThreshold int = 3

@description('Optional. Tags added to every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(resourceGroup().id, environmentName, location))
var vaultToken = toLower(uniqueString(resourceGroup().id, environmentName, vaultNameSalt))
var allTags = union(tags, { 'azd-env-name': environmentName })

var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package'
var azdServiceName = 'functions'

// Built-in role definitions (GUIDs are the same in every subscription).
var roles = {
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985' // Key Vault Certificates Officer
  keyVaultCryptoUser: '12338af0-0e69-4776-bea7-57ae8d297424' // Key Vault Crypto User
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

// ---------------------------------------------------------------------------------------------------------
// Identity and monitoring
// ---------------------------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
    roleAssignments: [
      {
        // Monitoring Metrics Publisher: Application Insights has local auth off, so the app sends
        // telemetry with its Entra identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
        roleDefinitionId: roles.monitoringMetricsPublisher
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        description: 'Function App sends Entra-authenticated telemetry.'
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------------------

// What nstoken needs in storage besides its leases: the TOTP steps of NLAuth logins during a TBA rotation. The TOTP
// store creates its table when missing, which a role scoped to the table alone does not allow. nstoken never uses the
// work queue (only the app's sweeps do) nor, outside `--local`, the consent sessions.
var operatorStorageAssignments = empty(operatorsGroupObjectId)
  ? []
  : [
      {
        // Storage Table Data Contributor: nstoken records the TOTP step of each NLAuth login it makes.
        roleDefinitionId: roles.storageTableDataContributor
        principalId: operatorsGroupObjectId
        principalType: 'Group'
        description: 'Operators record TOTP steps when nstoken rotates a TBA token.'
      }
    ]

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: allTags
    blobContainerNames: [
      deploymentContainerName
      leaseContainerName
    ]
    queueNames: [
      workQueueName
      // The Functions host moves a message here after its last retry (host.json maxDequeueCount).
      '${workQueueName}-poison'
    ]
    tableNames: [
      totpTableName
      consentTableName
      journalTableName
      indexTableName
      // Poisoned work and the reason of its last failure, shown by GET /api/connections.
      'nstokenpoison'
    ]
    roleAssignments: [
      {
        // Storage Blob Data Owner: the Functions host keeps its locks and timer state in blobs, the
        // engine takes leases on blobs, and Flex reads the deployment package with this identity.
        roleDefinitionId: roles.storageBlobDataOwner
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        description: 'Functions host storage, engine leases and the Flex deployment package.'
      }
      {
        // Storage Queue Data Contributor: the sweeps enqueue one message per account and the queue
        // trigger reads and deletes them.
        roleDefinitionId: roles.storageQueueDataContributor
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        description: 'Work queue of the sweeps and the queue trigger.'
      }
      {
        // Storage Table Data Contributor: consent sessions (single use by conditional write) and TOTP
        // steps live in tables.
        roleDefinitionId: roles.storageTableDataContributor
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        description: 'Consent sessions and TOTP steps.'
      }
      ...operatorStorageAssignments
    ]
    containerRoleAssignments: empty(operatorsGroupObjectId)
      ? []
      : [
          {
            containerName: leaseContainerName
            assignment: {
              // Storage Blob Data Contributor on the lease container only: nstoken takes the same blob leases as the
              // app. Not the account: whoever can write the deployment package runs code as the app.
              roleDefinitionId: roles.storageBlobDataContributor
              principalId: operatorsGroupObjectId
              principalType: 'Group'
              description: 'Operators take connection and account leases with nstoken.'
            }
          }
        ]
  }
}

// ---------------------------------------------------------------------------------------------------------
// Key Vaults (architecture section 3): state for the app and its operators, consumer projections for the rest
// ---------------------------------------------------------------------------------------------------------

var appStateVaultAssignments = [
  {
    // Key Vault Secrets Officer: the app reads and writes each connection's state secret, its tags,
    // and its own signing and encryption keys.
    roleDefinitionId: roles.keyVaultSecretsOfficer
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    description: 'App reads and writes connection state.'
  }
  {
    // Key Vault Certificates Officer: the app creates and rolls the client-credentials certificates.
    roleDefinitionId: roles.keyVaultCertificatesOfficer
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    description: 'App creates and renews client-credentials certificates.'
  }
  {
    // Key Vault Crypto User: the engine signs client assertions remotely with Key Vault's sign
    // operation, so certificate private keys never leave the vault.
    roleDefinitionId: roles.keyVaultCryptoUser
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    description: 'App signs client assertions with Key Vault keys.'
  }
]

var operatorStateVaultAssignments = empty(operatorsGroupObjectId)
  ? []
  : [
      {
        // Key Vault Secrets Officer: operators import, inspect and repair connections with nstoken.
        roleDefinitionId: roles.keyVaultSecretsOfficer
        principalId: operatorsGroupObjectId
        principalType: 'Group'
        description: 'Operators manage connection state with nstoken.'
      }
      {
        // Key Vault Certificates Officer: operators create or import client-credentials certificates.
        roleDefinitionId: roles.keyVaultCertificatesOfficer
        principalId: operatorsGroupObjectId
        principalType: 'Group'
        description: 'Operators manage client-credentials certificates with nstoken.'
      }
      {
        // Key Vault Crypto User: nstoken signs client assertions the same way the app does.
        roleDefinitionId: roles.keyVaultCryptoUser
        principalId: operatorsGroupObjectId
        principalType: 'Group'
        description: 'Operators sign client assertions with nstoken.'
      }
    ]

module stateVault 'modules/key-vault.bicep' = {
  name: 'state-vault'
  params: {
    name: 'kvst-${vaultToken}'
    location: location
    // The preprovision hook reads these tags to find vaults of this deployment under another salt or environment name.
    tags: union(allTags, { 'nstoken-vault': 'state', 'nstoken-vault-salt': vaultNameSalt })
    enablePurgeProtection: enablePurgeProtection
    softDeleteRetentionInDays: softDeleteRetentionInDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    roleAssignments: concat(appStateVaultAssignments, operatorStateVaultAssignments)
  }
}

var consumerAssignments = map(filter(consumerPrincipalIds, id => !empty(trim(id))), id => {
  // Key Vault Secrets User: a consumer reads the current credential's projection, nothing else.
  roleDefinitionId: roles.keyVaultSecretsUser
  principalId: trim(id)
  principalType: 'ServicePrincipal'
  description: 'Consumer reads the current NetSuite credential.'
})

module consumerVault 'modules/key-vault.bicep' = {
  name: 'consumer-vault'
  params: {
    name: 'kvcn-${vaultToken}'
    location: location
    tags: union(allTags, { 'nstoken-vault': 'consumer', 'nstoken-vault-salt': vaultNameSalt })
    enablePurgeProtection: enablePurgeProtection
    softDeleteRetentionInDays: softDeleteRetentionInDays
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    roleAssignments: concat(
      [
        {
          // Key Vault Secrets Officer: the app writes the consumer projections (access tokens, TBA sets).
          roleDefinitionId: roles.keyVaultSecretsOfficer
          principalId: identity.outputs.principalId
          principalType: 'ServicePrincipal'
          description: 'App writes the consumer projections.'
        }
      ],
      empty(operatorsGroupObjectId)
        ? []
        : [
            {
              // Key Vault Secrets Officer: nstoken publishes and withdraws projections (refresh, rotate, rollback,
              // delete) and doctor compares them with the state.
              roleDefinitionId: roles.keyVaultSecretsOfficer
              principalId: operatorsGroupObjectId
              principalType: 'Group'
              description: 'Operators publish consumer projections with nstoken.'
            }
          ],
      consumerAssignments
    )
  }
}

// ---------------------------------------------------------------------------------------------------------
// Function App
// ---------------------------------------------------------------------------------------------------------

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: allTags
    azdServiceName: azdServiceName
    identityResourceId: identity.outputs.resourceId
    deploymentStorageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
  }
}

var publicBaseUrl = 'https://${functionApp.outputs.defaultHostName}'

// Every option the app reads (src/TokenRotation/Configuration), as Section__Property. Flex sets the worker
// runtime and the host version itself and rejects FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION.
module appSettings 'modules/app-settings.bicep' = {
  name: 'app-settings'
  params: {
    functionAppName: functionAppName
    appSettings: {
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.outputs.clientId
      AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
      AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
      AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
      APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
      RefreshOAuth2TokensSchedule: refreshOAuth2TokensSchedule
      RotateTbaTokensSchedule: rotateTbaTokensSchedule
      TokenRotation__ServiceName: serviceName
      TokenRotation__PublicBaseUrl: publicBaseUrl
      TokenRotation__AccountConcurrency: string(accountConcurrency)
      KeyVault__StateVaultUri: stateVault.outputs.uri
      KeyVault__ConsumerVaultUri: consumerVault.outputs.uri
      KeyVault__ManagedIdentityClientId: identity.outputs.clientId
      KeyVault__WritesPer10Seconds: string(keyVaultWritesPer10Seconds)
      Storage__BlobServiceUri: storage.outputs.blobEndpoint
      Storage__QueueServiceUri: storage.outputs.queueEndpoint
      Storage__TableServiceUri: storage.outputs.tableEndpoint
      Storage__LeaseContainer: leaseContainerName
      // Flat, not Storage__WorkQueue: the queue trigger reads it as %WorkQueueName%, and the scale controller does
      // not resolve binding expressions with ':' or '__'. The engine reads the same setting.
      WorkQueueName: workQueueName
      Coordination__TotpTable: totpTableName
      Coordination__ConsentTable: consentTableName
      Coordination__JournalTable: journalTableName
      Coordination__IndexTable: indexTableName
      Rotation__AccessTokenLeadTime: accessTokenLeadTime
      Rotation__ConsentWarningLeadTime: consentWarningLeadTime
      Rotation__TbaRotationInterval: tbaRotationInterval
      Rotation__GracePeriod: gracePeriod
      Rotation__VerifyTimeout: verifyTimeout
      Rotation__CredentialCheckInterval: credentialCheckInterval
      Rotation__CertificateRenewBefore: certificateRenewBefore
      Rotation__ConsentLinkLifetime: consentLinkLifetime
      NetSuite__SuiteTalkUrlTemplate: netSuiteSuiteTalkUrlTemplate
      NetSuite__RestletsUrlTemplate: netSuiteRestletsUrlTemplate
      NetSuite__AppUrlTemplate: netSuiteAppUrlTemplate
      NetSuite__GenericAuthorizeUrl: netSuiteGenericAuthorizeUrl
      NetSuite__DataCenterUrlsUrl: netSuiteDataCenterUrlsUrl
      // Entra ID sign-in of the status page and operator API, checked by the app: Flex Consumption does not enforce
      // App Service authentication (unauthenticated callers pass), so no authsettingsV2 here.
      OperatorAuth__TenantId: operatorApiTenantId
      OperatorAuth__ClientId: operatorApiClientId
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------------------

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: 'alert-${resourceToken}'
    actionGroupName: 'ag-${resourceToken}'
    location: location
    tags: allTags
    alertEmailAddress: alertEmailAddress
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    stateVaultResourceId: stateVault.outputs.resourceId
    expectedStateVaultReaderIds: concat([identity.outputs.principalId], operatorPrincipalIds)
    sweepMissingWindow: sweepMissingWindow
    rotationFailureThreshold: rotationFailureThreshold
  }
}

// ---------------------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------------------

@description('Name of the Function App (for `az functionapp` and the smoke test).')
output functionAppName string = functionApp.outputs.name

@description('Public base URL of the Function App.')
output functionAppUrl string = publicBaseUrl

@description('OAuth 2.0 redirect URI: paste it into the NetSuite integration record.')
output oauthCallbackUrl string = '${publicBaseUrl}/api/oauth/callback'

@description('URI of the state vault (nstoken --vault).')
output stateVaultUri string = stateVault.outputs.uri

@description('URI of the consumer vault, which consumers read.')
output consumerVaultUri string = consumerVault.outputs.uri

// azd keeps every output in its environment (`azd env get-values`). The conventional AZURE_* names are what azd
// templates use; the Section__Name outputs are the settings nstoken reads from environment variables, so an operator
// can point it at this deployment with `azd env get-values` (see infra/README.md).

@description('Location of the deployment (azd convention).')
output AZURE_LOCATION string = location

@description('Tenant of the deployment (azd convention).')
output AZURE_TENANT_ID string = tenant().tenantId

@description('Resource group of the deployment (azd convention).')
output AZURE_RESOURCE_GROUP string = resourceGroup().name

@description('nstoken setting: URI of the state vault.')
output KeyVault__StateVaultUri string = stateVault.outputs.uri

@description('nstoken setting: URI of the consumer vault.')
output KeyVault__ConsumerVaultUri string = consumerVault.outputs.uri

@description('nstoken setting: blob endpoint of the engine storage (leases).')
output Storage__BlobServiceUri string = storage.outputs.blobEndpoint

@description('nstoken setting: queue endpoint of the engine storage (work queue).')
output Storage__QueueServiceUri string = storage.outputs.queueEndpoint

@description('nstoken setting: table endpoint of the engine storage (consent sessions, TOTP steps).')
output Storage__TableServiceUri string = storage.outputs.tableEndpoint

@description('nstoken setting: blob container of the lease blobs.')
output Storage__LeaseContainer string = leaseContainerName

@description('nstoken setting: queue of the per-account work items.')
output WorkQueueName string = workQueueName

@description('nstoken setting: table of the last used TOTP steps.')
output Coordination__TotpTable string = totpTableName

@description('nstoken setting: table of the consent sessions.')
output Coordination__ConsentTable string = consentTableName

@description('nstoken setting: table of the connection index (schedule, state, intent markers).')
output Coordination__IndexTable string = indexTableName

@description('nstoken setting: base URL of consent links (the Function App URL).')
output TokenRotation__PublicBaseUrl string = publicBaseUrl

@description('nstoken setting: service name in telemetry and certificate subjects.')
output TokenRotation__ServiceName string = serviceName

@description('nstoken setting: concurrent NetSuite calls per account.')
output TokenRotation__AccountConcurrency string = string(accountConcurrency)

@description('nstoken setting: Key Vault writes per 10 seconds per vault.')
output KeyVault__WritesPer10Seconds string = string(keyVaultWritesPer10Seconds)

@description('nstoken setting: table of the single-use token journal.')
output Coordination__JournalTable string = journalTableName

@description('nstoken setting: how long before expiry an access token is refreshed.')
output Rotation__AccessTokenLeadTime string = accessTokenLeadTime

@description('nstoken setting: how long before a consent runs out a person is warned.')
output Rotation__ConsentWarningLeadTime string = consentWarningLeadTime

@description('nstoken setting: how often a TBA token is replaced.')
output Rotation__TbaRotationInterval string = tbaRotationInterval

@description('nstoken setting: how long the previous credential keeps working after a rotation.')
output Rotation__GracePeriod string = gracePeriod

@description('nstoken setting: how long a new credential may fail verification before it is given up.')
output Rotation__VerifyTimeout string = verifyTimeout

@description('nstoken setting: how often every credential is checked (a tokeninfo call for TBA; a refresh or mint counts).')
output Rotation__CredentialCheckInterval string = credentialCheckInterval

@description('nstoken setting: how long before expiry a client-credentials certificate is renewed.')
output Rotation__CertificateRenewBefore string = certificateRenewBefore

@description('nstoken setting: lifetime of a consent link.')
output Rotation__ConsentLinkLifetime string = consentLinkLifetime

@description('nstoken setting: SuiteTalk REST URL template.')
output NetSuite__SuiteTalkUrlTemplate string = netSuiteSuiteTalkUrlTemplate

@description('nstoken setting: RESTlets URL template.')
output NetSuite__RestletsUrlTemplate string = netSuiteRestletsUrlTemplate

@description('nstoken setting: NetSuite UI (authorize) URL template.')
output NetSuite__AppUrlTemplate string = netSuiteAppUrlTemplate

@description('nstoken setting: NetSuite\'s generic authorize URL (account chosen at login).')
output NetSuite__GenericAuthorizeUrl string = netSuiteGenericAuthorizeUrl

@description('nstoken setting: NetSuite\'s data-center discovery URL.')
output NetSuite__DataCenterUrlsUrl string = netSuiteDataCenterUrlsUrl
