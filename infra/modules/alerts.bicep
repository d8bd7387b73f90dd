metadata name = 'Alerts'
metadata description = 'Action group and log alerts on the engine events of infra/events.json and on the state vault audit log.'

@description('Required. Prefix of the alert rule names.')
param namePrefix string

@description('Required. Name of the action group.')
param actionGroupName string

@description('Optional. Location of the alert rules (the action group is global).')
param location string = resourceGroup().location

@description('Optional. Tags of every resource.')
param tags object = {}

@description('Required. E-mail address that receives the alerts.')
@minLength(3)
param alertEmailAddress string

@description('Required. Resource id of Application Insights, where the engine\'s events land.')
param applicationInsightsId string

@description('Required. Resource id of the Log Analytics workspace that holds the Key Vault audit logs.')
param logAnalyticsWorkspaceId string

@description('Required. Resource id of the state vault.')
param stateVaultResourceId string

@description('Required. Object ids whose reads of the state vault are expected: the app\'s identity and the operators. Key Vault logs name the caller, never its groups, so operators are listed one by one.')
param expectedStateVaultReaderIds string[]

@description('Optional. Raise an alert when the last sweep completed longer ago than this (ISO 8601), once a first sweep has completed.')
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

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'nstoken'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmailAddress
        useCommonAlertSchema: true
      }
    ]
  }
}

// The engine logs each event (infra/events.json) as a LoggerMessage: the event name is its EventId.Name, which
// Application Insights stores as customDimensions.EventName, and the first word of the message; the template's
// placeholders (Connection, ConsentLink, ...) become custom dimensions. Logs forwarded through the Functions host
// carry a prop__ prefix, so both spellings are read, with the message as the last resort.
resource needsPersonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-needs-person'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'NetSuite connection needs a person'
    description: 'A connection cannot continue without a person. The ConsentLink dimension holds the signed consent link (72 hours) when consent is the fix; otherwise see the status page.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '''
traces
| extend Event = coalesce(tostring(customDimensions.EventName), tostring(customDimensions.prop__EventName), extract(@"^([A-Za-z]+) ", 1, message))
| where Event == "NeedsPerson"
| extend Connection = coalesce(tostring(customDimensions.Connection), tostring(customDimensions.prop__Connection)),
         ConsentLink = coalesce(tostring(customDimensions.ConsentLink), tostring(customDimensions.prop__ConsentLink))
| summarize arg_max(timestamp, ConsentLink), Occurrences = count() by Connection
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Occurrences'
          dimensions: [
            {
              name: 'Connection'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'ConsentLink'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource rotationFailuresAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-rotation-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'NetSuite rotation keeps failing'
    description: 'One connection failed to rotate or refresh repeatedly within 24 hours.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P1D'
    criteria: {
      allOf: [
        {
          query: '''
traces
| extend Event = coalesce(tostring(customDimensions.EventName), tostring(customDimensions.prop__EventName), extract(@"^([A-Za-z]+) ", 1, message))
| where Event == "RotationFailed"
| extend Connection = coalesce(tostring(customDimensions.Connection), tostring(customDimensions.prop__Connection))
| summarize Failures = count() by Connection
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Failures'
          dimensions: [
            {
              name: 'Connection'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: rotationFailureThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

var sweepMissingMinutes = {
  PT30M: 30
  PT1H: 60
  PT2H: 120
  PT6H: 360
  P1D: 1440
}[sweepMissingWindow]

// The rules exist before the code is deployed, so "fewer than one sweep in the window" fired on every new
// environment. The rule measures the age of the last sweep within two days (the longest a log search alert looks
// back) and returns no row while there was none: quiet until the first sweep, then it fires once the sweeps stop.
// After two days without any sweep the row disappears and the alert resolves; the smoke test covers a first
// deployment that never sweeps.
resource sweepMissingAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-sweep-missing'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'NetSuite token sweep has stopped'
    description: 'The last sweep completed longer ago than the configured window: timers are not firing or the app cannot start (check its settings and the last deployment). Quiet until a first sweep has completed; resolves when sweeps resume, or two days after the last one.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: '''
traces
| extend Event = coalesce(tostring(customDimensions.EventName), tostring(customDimensions.prop__EventName), extract(@"^([A-Za-z]+) ", 1, message))
| where Event == "SweepCompleted"
| summarize LastSweep = max(timestamp)
| where isnotnull(LastSweep)
| extend MinutesSinceLastSweep = datetime_diff('minute', now(), LastSweep)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'MinutesSinceLastSweep'
          operator: 'GreaterThan'
          threshold: sweepMissingMinutes
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource possibleOrphanAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-possible-orphan'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'NetSuite credential may be orphaned'
    description: 'A credential may exist in NetSuite that the state does not record. Check the connection\'s tokens in NetSuite, revoke the stray one, then acknowledge it (nstoken orphans ack NAME ID): acknowledged ones no longer count. Fires for two days after the last unacknowledged event.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: '''
traces
| extend Event = coalesce(tostring(customDimensions.EventName), tostring(customDimensions.prop__EventName), extract(@"^([A-Za-z]+) ", 1, message))
| where Event in ("PossibleOrphan", "OrphanAcknowledged")
| extend Connection = coalesce(tostring(customDimensions.Connection), tostring(customDimensions.prop__Connection)), TokenName = coalesce(tostring(customDimensions.TokenName), tostring(customDimensions.prop__TokenName))
| summarize Recorded = countif(Event == "PossibleOrphan"), Acknowledged = countif(Event == "OrphanAcknowledged") by Connection, TokenName
| where Recorded > 0 and Acknowledged == 0
| summarize Occurrences = sum(Recorded) by Connection
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Occurrences'
          dimensions: [
            {
              name: 'Connection'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Fencing (architecture section 5) makes an overlapping second writer stop without writing; that it happened at all
// means a lease was lost while its holder still worked, which a person should look at.
resource lostUpdateAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-lost-update'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Two writers overlapped on a NetSuite connection'
    description: 'A fenced state write found another writer\'s document and stopped without writing. Nothing was lost, but leases are not holding: check the connection and the lease container.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '''
traces
| extend Event = coalesce(tostring(customDimensions.EventName), tostring(customDimensions.prop__EventName), extract(@"^([A-Za-z]+) ", 1, message))
| where Event == "LostUpdate"
| extend Connection = coalesce(tostring(customDimensions.Connection), tostring(customDimensions.prop__Connection))
| summarize Occurrences = count() by Connection
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'Occurrences'
          dimensions: [
            {
              name: 'Connection'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Key Vault audit events name the caller's object id (identity_claim_oid_g; older records use the long claim name).
var stateVaultReadQuery = '''
AzureDiagnostics
| where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"
| where ResourceId =~ "{0}"
| where OperationName in ("SecretGet", "SecretList")
| extend CallerObjectId = coalesce(
    tostring(column_ifexists("identity_claim_oid_g", "")),
    tostring(column_ifexists("identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g", "")))
| where CallerObjectId !in (dynamic({1}))
| extend CallerUpn = tostring(column_ifexists("identity_claim_upn_s", ""))
| summarize Reads = count() by CallerObjectId, CallerUpn, CallerIPAddress
'''

resource stateVaultReadAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${namePrefix}-state-vault-read'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'State vault read by an unexpected principal'
    description: 'Someone other than the app\'s identity and the listed operators read or listed secrets in the state vault.'
    severity: 1
    enabled: true
    scopes: [
      logAnalyticsWorkspaceId
    ]
    // AzureDiagnostics exists in a new workspace only after the first Key Vault log arrives; ARM validates the
    // query when it creates the rule and would fail the deployment on the missing table.
    skipQueryValidation: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: format(stateVaultReadQuery, stateVaultResourceId, string(expectedStateVaultReaderIds))
          timeAggregation: 'Total'
          metricMeasureColumn: 'Reads'
          dimensions: [
            {
              name: 'CallerObjectId'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'CallerUpn'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

@description('Resource id of the action group.')
output actionGroupId string = actionGroup.id
