using './main.bicep'

// azd passes its environment's values as environment variables; `az deployment group create` sees the shell's.

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'nstoken')

// Set once per environment by the preprovision hook (scripts/azd-hooks/preprovision.sh). Keep it: it names the vaults.
// No default: a missing salt stops the build instead of naming a second, empty pair of vaults (azd before 1.18 read
// this file before the hook ran; azure.yaml requires 1.18). scripts/bicep.sh sets a stand-in for its own build.
param vaultNameSalt = readEnvironmentVariable('VAULT_NAME_SALT')

// No default either: the hook refuses an empty address, and so does main.bicep.
param alertEmailAddress = readEnvironmentVariable('ALERT_EMAIL_ADDRESS')

param operatorsGroupObjectId = readEnvironmentVariable('OPERATORS_GROUP_OBJECT_ID', '')

// Client id of the operator API's app registration (infra/README.md, "Operator sign-in").
param operatorApiClientId = readEnvironmentVariable('OPERATOR_API_CLIENT_ID', '')

// Comma-separated object ids.
param operatorPrincipalIds = filter(split(readEnvironmentVariable('OPERATOR_PRINCIPAL_IDS', ''), ','), id => !empty(trim(id)))

param consumerPrincipalIds = filter(split(readEnvironmentVariable('CONSUMER_PRINCIPAL_IDS', ''), ','), id => !empty(trim(id)))

param enablePurgeProtection = bool(readEnvironmentVariable('ENABLE_PURGE_PROTECTION', 'true'))
