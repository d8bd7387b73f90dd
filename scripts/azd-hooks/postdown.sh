#!/bin/sh
# azd postdown hook: the deleted vaults stay soft-deleted (purge protection) and keep their names, so the next
# `azd up` of this environment needs a new salt. The old one is printed for a recovery.
set -eu

old="${VAULT_NAME_SALT:-}"
new="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
azd env set VAULT_NAME_SALT "$new"
echo "VAULT_NAME_SALT changed from '${old}' to '${new}': the next azd up creates new vaults."
if [ -n "$old" ]; then
  echo "To get the old vaults and their secrets back instead: az keyvault list-deleted, az keyvault recover --name <vault>,"
  echo "then: azd env set VAULT_NAME_SALT ${old}"
fi
