#!/usr/bin/env bash
# Post-deploy smoke test of the Function App:
#   1. GET  /api/health                                     (anonymous)         -> 200, waited for
#   2. GET  /api/connections without a token                                    -> 401
#   3. GET  /api/connections                                 (Entra ID token)    -> 200
#   4. POST /api/connections/{name}/rotate?dryRun=true       (Entra ID token)    -> 2xx
#
# Usage: scripts/smoke.sh [--base-url URL] [--token TOKEN] [--client-id ID] [--connection NAME]
#                         [--resource-group RG] [--name FUNCTION_APP_NAME]
# The operator API takes an Entra ID access token with the app role Connections.Operate (infra/README.md, "Operator
# sign-in"); the function key grants nothing there. Without --token (or SMOKE_TOKEN) the script asks the Azure CLI
# (az login first) for a token for api://ID, ID from --client-id or OPERATOR_API_CLIENT_ID. Without --base-url it asks
# the Azure CLI using --resource-group and --name, or AZURE_RESOURCE_GROUP and FUNCTION_APP_NAME (azd: `azd env
# get-values`). Without --connection it dry-runs the first connection the status lists, and skips step 4 when there
# is none yet. Every wait is bounded, each try SMOKE_DELAY_SECONDS (default 15) apart: health SMOKE_ATTEMPTS (default
# 10), and the Key Vault-backed steps 3 and 4 SMOKE_VAULT_ATTEMPTS (default 40, about ten minutes: new role
# assignments take that long to apply). The token is never printed.
set -euo pipefail

base_url="${FUNCTION_APP_URL:-${functionAppUrl:-}}"
token="${SMOKE_TOKEN:-}"
client_id="${OPERATOR_API_CLIENT_ID:-}"
connection="${SMOKE_CONNECTION:-}"
resource_group="${AZURE_RESOURCE_GROUP:-}"
app_name="${FUNCTION_APP_NAME:-${functionAppName:-}}"
attempts="${SMOKE_ATTEMPTS:-10}"
vault_attempts="${SMOKE_VAULT_ATTEMPTS:-40}"
delay="${SMOKE_DELAY_SECONDS:-15}"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-url) base_url="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --client-id) client_id="$2"; shift 2 ;;
    --connection) connection="$2"; shift 2 ;;
    --resource-group|-g) resource_group="$2"; shift 2 ;;
    --name|-n) app_name="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "smoke: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

need_az() {
  if [[ -z "$resource_group" || -z "$app_name" ]]; then
    echo "smoke: $1 is missing; pass it, or pass --resource-group and --name so the Azure CLI can look it up" >&2
    exit 2
  fi
  command -v az >/dev/null || { echo "smoke: the Azure CLI (az) is needed to look up $1" >&2; exit 2; }
}

if [[ -z "$base_url" ]]; then
  need_az "--base-url"
  base_url="https://$(az functionapp show -g "$resource_group" -n "$app_name" --query defaultHostName -o tsv)"
fi
base_url="${base_url%/}"

body_file="$(mktemp)"
header_file="$(mktemp)"
trap 'rm -f "$body_file" "$header_file"' EXIT
# The token goes to curl through a file, not the command line, so it does not show in the process list.
chmod 600 "$header_file"

# request METHOD PATH [with-token]: prints the HTTP status; the body goes to $body_file.
request() {
  local method="$1" path="$2" with_token="${3:-}"
  local args=(--silent --show-error --max-time 60 --output "$body_file" --write-out '%{http_code}' -X "$method")
  if [[ -n "$with_token" ]]; then
    args+=(-H "@$header_file")
  fi
  if [[ "$method" == "POST" ]]; then
    args+=(-H 'Content-Length: 0')
  fi
  local code
  code="$(curl "${args[@]}" "$base_url$path" || true)"
  printf '%s\n' "${code:-000}"
}

failures=0
check() {
  local name="$1" expected="$2" actual="$3"
  if [[ "$actual" =~ ^($expected)$ ]]; then
    echo "ok   $name ($actual)"
  else
    echo "FAIL $name: HTTP $actual, expected $expected" >&2
    failures=$((failures + 1))
  fi
}

echo "smoke: $base_url"

# Health first: until the host is up every other call would fail anyway.
status="000"
for ((i = 1; i <= attempts; i++)); do
  status="$(request GET /api/health)"
  [[ "$status" == "200" ]] && break
  if ((i < attempts)); then
    echo "     health answered $status, retrying in ${delay}s ($i/$attempts)"
    sleep "$delay"
  fi
done
check "GET /api/health" "200" "$status"
if [[ "$status" != "200" ]]; then
  echo "smoke: the app never answered healthy; not going on" >&2
  exit 1
fi
if ! grep -qi 'healthy' "$body_file"; then
  echo "FAIL GET /api/health: the body does not say healthy" >&2
  failures=$((failures + 1))
fi

check "GET /api/connections without a token is refused" "401|403" "$(request GET /api/connections)"

if [[ -z "$token" ]]; then
  if [[ -z "$client_id" ]]; then
    echo "smoke: no token; pass --token, or --client-id (or OPERATOR_API_CLIENT_ID) so the Azure CLI can get one for the operator API" >&2
    exit 2
  fi
  command -v az >/dev/null || { echo "smoke: the Azure CLI (az) is needed to get a token for api://$client_id" >&2; exit 2; }
  token="$(az account get-access-token --scope "api://$client_id/.default" --query accessToken -o tsv 2>/dev/null || true)"
  token="${token//[$'\r\n']/}"
  if [[ -z "$token" ]]; then
    echo "smoke: the Azure CLI gave no token for api://$client_id (az login; the signed-in principal needs the app role Connections.Operate)" >&2
    exit 2
  fi
fi
printf 'Authorization: Bearer %s\n' "$token" >"$header_file"

# with_retry NAME EXPECTED METHOD PATH: a Key Vault-backed call, tried again while the answer can be a role
# assignment that has not applied yet (403, 5xx, no answer); any other unexpected answer fails at once.
with_retry() {
  local name="$1" expected="$2" method="$3" path="$4" answer="000" i
  for ((i = 1; i <= vault_attempts; i++)); do
    answer="$(request "$method" "$path" with-token)"
    if [[ "$answer" =~ ^($expected)$ ]] || [[ ! "$answer" =~ ^(000|403|5[0-9][0-9])$ ]]; then
      break
    fi
    if ((i < vault_attempts)); then
      echo "     $name answered $answer, retrying in ${delay}s ($i/$vault_attempts; role assignments can take ten minutes)"
      sleep "$delay"
    fi
  done
  check "$name" "$expected" "$answer"
  status="$answer"
}

with_retry "GET /api/connections" "200" GET /api/connections

if [[ -z "$connection" && "$status" == "200" ]]; then
  connection="$(grep -o '"name"[[:space:]]*:[[:space:]]*"[^"]*"' "$body_file" | head -n 1 | sed 's/.*:[[:space:]]*"\(.*\)"/\1/' || true)"
fi

if [[ -z "$connection" ]]; then
  echo "skip POST /api/connections/{name}/rotate?dryRun=true: no connection yet (import or consent one first)"
elif [[ ! "$connection" =~ ^[0-9A-Za-z-]{1,127}$ ]]; then
  echo "FAIL connection name '$connection' is not a Key Vault name ([0-9A-Za-z-], at most 127)" >&2
  failures=$((failures + 1))
else
  with_retry "POST /api/connections/$connection/rotate?dryRun=true" "2[0-9][0-9]" POST "/api/connections/$connection/rotate?dryRun=true"
fi

if ((failures > 0)); then
  echo "smoke: $failures check(s) failed" >&2
  exit 1
fi
echo "smoke: passed"
