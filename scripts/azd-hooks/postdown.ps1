# azd postdown hook for Windows (azure.yaml `windows:`), the same as postdown.sh: the deleted vaults stay
# soft-deleted (purge protection) and keep their names, so the next `azd up` of this environment needs a new salt.
# The old one is printed for a recovery.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$old = "$env:VAULT_NAME_SALT"
$new = -join ([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(4) | ForEach-Object { $_.ToString('x2') })
azd env set VAULT_NAME_SALT $new
if ($LASTEXITCODE -ne 0) { [Console]::Error.WriteLine('azd env set VAULT_NAME_SALT failed.'); exit 1 }
Write-Output "VAULT_NAME_SALT changed from '$old' to '$new': the next azd up creates new vaults."
if ($old) {
    Write-Output 'To get the old vaults and their secrets back instead: az keyvault list-deleted, az keyvault recover --name <vault>,'
    Write-Output "then: azd env set VAULT_NAME_SALT $old"
}
