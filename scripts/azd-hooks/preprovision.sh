#!/bin/sh
# azd preprovision hook: checks the environment's required values, keeps the vault-name salt, and refuses to go on
# when vaults of this deployment already exist under other names (salt or environment name drift).
# azd passes the environment's values as environment variables; `azd env set` stores new ones.
# scripts/azd-hooks/preprovision.ps1 is the same for Windows; keep them in step.
set -eu

if [ -z "${ALERT_EMAIL_ADDRESS:-}" ]; then
  echo "ALERT_EMAIL_ADDRESS is not set. Set the address that receives the alerts, then run azd again:" >&2
  echo "  azd env set ALERT_EMAIL_ADDRESS ops@example.com" >&2
  exit 1
fi

if [ -z "${OPERATORS_GROUP_OBJECT_ID:-}" ]; then
  echo "warning: OPERATORS_GROUP_OBJECT_ID is not set, so no one but the app can use the state vault (nstoken)." >&2
  echo "  azd env set OPERATORS_GROUP_OBJECT_ID <object id of the operators' Entra group>" >&2
fi

# The salt names both vaults. Repeated deploys must reuse it; a new environment (or one after `azd down`, whose
# vaults stay soft-deleted and keep their names) gets a new one.
if [ -z "${VAULT_NAME_SALT:-}" ]; then
  if [ -n "${CI:-}" ] || [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "VAULT_NAME_SALT is not set. In CI it must come from a variable (a new salt would create new, empty vaults)." >&2
    exit 1
  fi
  VAULT_NAME_SALT="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  azd env set VAULT_NAME_SALT "$VAULT_NAME_SALT"
  echo "VAULT_NAME_SALT set to $VAULT_NAME_SALT (kept in this azd environment; the vault names derive from it)."
fi

# Vaults carry the tags azd-env-name, nstoken-vault and nstoken-vault-salt (infra/main.bicep). A vault of this
# resource group under another salt or environment name means this run would create a second, empty pair and point
# the app at it; a soft-deleted vault with this very salt holds the name this run needs.
if [ "${NSTOKEN_ALLOW_NEW_VAULTS:-}" = "true" ]; then
  echo "NSTOKEN_ALLOW_NEW_VAULTS=true: not checking for vaults under other names."
  exit 0
fi
if ! command -v az >/dev/null 2>&1; then
  echo "warning: the Azure CLI (az) is not installed, so the hook cannot check for vaults of this deployment under other names." >&2
  exit 0
fi

env_name="${AZURE_ENV_NAME:-}"
group="${AZURE_RESOURCE_GROUP:-}"
salt="$VAULT_NAME_SALT"
tab="$(printf '\t')"
cannot_check() {
  echo "warning: could not ask Azure for existing vaults ($1); run 'az login' so the hook can check for vaults under other names." >&2
  exit 0
}

problems=""
if [ -n "$group" ]; then
  exists="$(az group exists --name "$group" -o tsv 2>/dev/null)" || cannot_check "az group exists"
  if [ "$exists" = "true" ]; then
    active="$(az keyvault list --resource-group "$group" \
      --query "[?tags.\"nstoken-vault\"].[name, tags.\"azd-env-name\", tags.\"nstoken-vault-salt\"]" -o tsv 2>/dev/null)" \
      || cannot_check "az keyvault list"
    problems="$(printf '%s\n' "$active" | while IFS="$tab" read -r name vault_env vault_salt; do
      [ -n "$name" ] || continue
      [ "$vault_salt" = "None" ] && vault_salt=""
      if [ "$vault_env" != "$env_name" ]; then
        echo "  $name belongs to azd environment '$vault_env', not '$env_name'."
      elif [ -n "$vault_salt" ] && [ "$vault_salt" != "$salt" ]; then
        echo "  $name was created with VAULT_NAME_SALT '$vault_salt', not '$salt'."
      fi
    done)"
  fi
fi

if [ -n "$env_name" ]; then
  deleted="$(az keyvault list-deleted --resource-type vault \
    --query "[?properties.tags.\"azd-env-name\"=='$env_name' && properties.tags.\"nstoken-vault\"].[name, properties.vaultId, properties.tags.\"nstoken-vault-salt\"]" -o tsv 2>/dev/null)" \
    || cannot_check "az keyvault list-deleted"
  held="$(printf '%s\n' "$deleted" | while IFS="$tab" read -r name vault_id vault_salt; do
    [ -n "$name" ] || continue
    vault_group="$(printf '%s' "$vault_id" | tr '[:upper:]' '[:lower:]' | sed -n 's|.*/resourcegroups/\([^/]*\)/.*|\1|p')"
    if [ "$vault_salt" = "$salt" ] && [ "$vault_group" = "$(printf '%s' "$group" | tr '[:upper:]' '[:lower:]')" ]; then
      echo "  $name is soft-deleted and still holds the name this run needs."
    fi
  done)"
  if [ -n "$held" ]; then
    echo "Vaults of this deployment with VAULT_NAME_SALT '$salt' are soft-deleted (the resource group was deleted outside azd?):" >&2
    printf '%s\n' "$held" >&2
    echo "Either get them and their secrets back:  az keyvault recover --name <vault>  (for each), then run azd again;" >&2
    echo "or start with new, empty vaults:         azd env set VAULT_NAME_SALT <new value>, then run azd again." >&2
    exit 1
  fi
fi

if [ -n "$problems" ]; then
  echo "Resource group '$group' already holds vaults of this deployment under other names:" >&2
  printf '%s\n' "$problems" >&2
  echo "This run would create a second, empty pair of vaults and point the app at it." >&2
  echo "To keep the existing vaults: use their environment (azd env select <name>) and salt (azd env set VAULT_NAME_SALT <salt>)," >&2
  echo "as printed above, then run azd again. To create new vaults on purpose: NSTOKEN_ALLOW_NEW_VAULTS=true azd provision." >&2
  exit 1
fi
