#!/bin/sh
# azd preprovision hook: checks the environment's required values and keeps the vault-name salt.
# azd passes the environment's values as environment variables; `azd env set` stores new ones.
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
  salt="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  azd env set VAULT_NAME_SALT "$salt"
  echo "VAULT_NAME_SALT set to $salt (kept in this azd environment; the vault names derive from it)."
fi
