# azd preprovision hook for Windows (azure.yaml `windows:`), the same checks as preprovision.sh: the environment's
# required values, the vault-name salt, and no vaults of this deployment under other names. Keep them in step.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Stop-Hook([string[]] $Lines) {
    foreach ($line in $Lines) { [Console]::Error.WriteLine($line) }
    exit 1
}

if ([string]::IsNullOrEmpty($env:ALERT_EMAIL_ADDRESS)) {
    Stop-Hook @(
        'ALERT_EMAIL_ADDRESS is not set. Set the address that receives the alerts, then run azd again:',
        '  azd env set ALERT_EMAIL_ADDRESS ops@example.com')
}

if ([string]::IsNullOrEmpty($env:OPERATORS_GROUP_OBJECT_ID)) {
    [Console]::Error.WriteLine('warning: OPERATORS_GROUP_OBJECT_ID is not set, so no one but the app can use the state vault (nstoken).')
    [Console]::Error.WriteLine("  azd env set OPERATORS_GROUP_OBJECT_ID <object id of the operators' Entra group>")
}

# The salt names both vaults. Repeated deploys must reuse it; a new environment (or one after `azd down`, whose
# vaults stay soft-deleted and keep their names) gets a new one.
$salt = $env:VAULT_NAME_SALT
if ([string]::IsNullOrEmpty($salt)) {
    if (-not [string]::IsNullOrEmpty($env:CI) -or -not [string]::IsNullOrEmpty($env:GITHUB_ACTIONS)) {
        Stop-Hook @('VAULT_NAME_SALT is not set. In CI it must come from a variable (a new salt would create new, empty vaults).')
    }
    $salt = -join ([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(4) | ForEach-Object { $_.ToString('x2') })
    azd env set VAULT_NAME_SALT $salt
    if ($LASTEXITCODE -ne 0) { Stop-Hook @('azd env set VAULT_NAME_SALT failed.') }
    Write-Output "VAULT_NAME_SALT set to $salt (kept in this azd environment; the vault names derive from it)."
}

# Vaults carry the tags azd-env-name, nstoken-vault and nstoken-vault-salt (infra/main.bicep).
if ($env:NSTOKEN_ALLOW_NEW_VAULTS -eq 'true') {
    Write-Output 'NSTOKEN_ALLOW_NEW_VAULTS=true: not checking for vaults under other names.'
    exit 0
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    [Console]::Error.WriteLine('warning: the Azure CLI (az) is not installed, so the hook cannot check for vaults of this deployment under other names.')
    exit 0
}

function Skip-Check([string] $What) {
    [Console]::Error.WriteLine("warning: could not ask Azure for existing vaults ($What); run 'az login' so the hook can check for vaults under other names.")
    exit 0
}

# JSON in, filtered here: JMESPath quoting of the hyphenated tag names does not survive az.cmd on Windows.
function Get-Value($Object, [string[]] $Path) {
    foreach ($name in $Path) {
        if ($null -eq $Object -or -not $Object.PSObject.Properties[$name]) { return '' }
        $Object = $Object.$name
    }
    return "$Object"
}

$envName = "$env:AZURE_ENV_NAME"
$group = "$env:AZURE_RESOURCE_GROUP"
$problems = @()

if ($group) {
    $exists = az group exists --name $group -o tsv 2>$null
    if ($LASTEXITCODE -ne 0) { Skip-Check 'az group exists' }
    if ($exists -eq 'true') {
        $active = az keyvault list --resource-group $group -o json 2>$null
        if ($LASTEXITCODE -ne 0) { Skip-Check 'az keyvault list' }
        foreach ($vault in @(($active -join "`n") | ConvertFrom-Json)) {
            if (-not (Get-Value $vault 'tags', 'nstoken-vault')) { continue }
            $vaultEnv = Get-Value $vault 'tags', 'azd-env-name'
            $vaultSalt = Get-Value $vault 'tags', 'nstoken-vault-salt'
            if ($vaultEnv -ne $envName) {
                $problems += "  $($vault.name) belongs to azd environment '$vaultEnv', not '$envName'."
            } elseif ($vaultSalt -and $vaultSalt -ne $salt) {
                $problems += "  $($vault.name) was created with VAULT_NAME_SALT '$vaultSalt', not '$salt'."
            }
        }
    }
}

if ($envName) {
    $deleted = az keyvault list-deleted --resource-type vault -o json 2>$null
    if ($LASTEXITCODE -ne 0) { Skip-Check 'az keyvault list-deleted' }
    $held = @()
    foreach ($vault in @(($deleted -join "`n") | ConvertFrom-Json)) {
        if ((Get-Value $vault 'properties', 'tags', 'azd-env-name') -ne $envName -or -not (Get-Value $vault 'properties', 'tags', 'nstoken-vault')) { continue }
        $vaultId = Get-Value $vault 'properties', 'vaultId'
        $vaultGroup = if ($vaultId -match '/resourceGroups/([^/]+)/') { $Matches[1] } else { '' }
        if ((Get-Value $vault 'properties', 'tags', 'nstoken-vault-salt') -eq $salt -and $vaultGroup -ieq $group) {
            $held += "  $($vault.name) is soft-deleted and still holds the name this run needs."
        }
    }
    if ($held.Count -gt 0) {
        Stop-Hook (@("Vaults of this deployment with VAULT_NAME_SALT '$salt' are soft-deleted (the resource group was deleted outside azd?):") + $held + @(
            'Either get them and their secrets back:  az keyvault recover --name <vault>  (for each), then run azd again;',
            'or start with new, empty vaults:         azd env set VAULT_NAME_SALT <new value>, then run azd again.'))
    }
}

if ($problems.Count -gt 0) {
    Stop-Hook (@("Resource group '$group' already holds vaults of this deployment under other names:") + $problems + @(
        'This run would create a second, empty pair of vaults and point the app at it.',
        'To keep the existing vaults: use their environment (azd env select <name>) and salt (azd env set VAULT_NAME_SALT <salt>),',
        'as printed above, then run azd again. To create new vaults on purpose: set NSTOKEN_ALLOW_NEW_VAULTS=true, then azd provision.'))
}
