using './main.bicep'

// azd passes its environment's values as environment variables; `az deployment group create` sees the shell's.

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'nstoken')

// Set once per environment by the preprovision hook (scripts/azd-hooks/preprovision.sh). Keep it: it names the vaults.
param vaultNameSalt = readEnvironmentVariable('VAULT_NAME_SALT', 'initial')

param alertEmailAddress = readEnvironmentVariable('ALERT_EMAIL_ADDRESS', '')

param operatorsGroupObjectId = readEnvironmentVariable('OPERATORS_GROUP_OBJECT_ID', '')

// Comma-separated object ids.
param operatorPrincipalIds = filter(split(readEnvironmentVariable('OPERATOR_PRINCIPAL_IDS', ''), ','), id => !empty(trim(id)))

param consumerPrincipalIds = filter(split(readEnvironmentVariable('CONSUMER_PRINCIPAL_IDS', ''), ','), id => !empty(trim(id)))

param enablePurgeProtection = bool(readEnvironmentVariable('ENABLE_PURGE_PROTECTION', 'true'))
