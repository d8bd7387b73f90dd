#!/usr/bin/env bash
# Post-deploy smoke test of the Function App:
#   1. GET  /api/health                                     (anonymous)         -> 200
#   2. GET  /api/connections without a key                                      -> 401
#   3. GET  /api/connections                                 (function key)      -> 200
#   4. POST /api/connections/{name}/rotate?dryRun=true       (function key)      -> 2xx
#
# Usage: scripts/smoke.sh [--base-url URL] [--key KEY] [--connection NAME]
#                         [--resource-group RG] [--name FUNCTION_APP_NAME]
# Without --base-url or --key, the script asks the Azure CLI (az login first) using --resource-group and
# --name, or AZURE_RESOURCE_GROUP and FUNCTION_APP_NAME (azd: `azd env get-values`). Without --connection it
# dry-runs the first connection the status lists, and skips step 4 when there is none yet.
# SMOKE_ATTEMPTS (default 10) and SMOKE_DELAY_SECONDS (default 15) cover a cold start after a deployment.
# The function key is never printed.
set -euo pipefail

base_url="${FUNCTION_APP_URL:-${functionAppUrl:-}}"
key="${FUNCTION_KEY:-}"
connection="${SMOKE_CONNECTION:-}"
resource_group="${AZURE_RESOURCE_GROUP:-}"
app_name="${FUNCTION_APP_NAME:-${functionAppName:-}}"
attempts="${SMOKE_ATTEMPTS:-10}"
delay="${SMOKE_DELAY_SECONDS:-15}"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-url) base_url="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
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

if [[ -z "$key" ]]; then
  need_az "--key"
  key="$(az functionapp keys list -g "$resource_group" -n "$app_name" --query functionKeys.default -o tsv)"
fi
if [[ -z "$key" ]]; then
  echo "smoke: no function key" >&2
  exit 2
fi

body_file="$(mktemp)"
header_file="$(mktemp)"
trap 'rm -f "$body_file" "$header_file"' EXIT
# The key goes to curl through a file, not the command line, so it does not show in the process list.
chmod 600 "$header_file"
printf 'x-functions-key: %s\n' "$key" >"$header_file"

# request METHOD PATH [key]: prints the HTTP status; the body goes to $body_file.
request() {
  local method="$1" path="$2" with_key="${3:-}"
  local args=(--silent --show-error --max-time 60 --output "$body_file" --write-out '%{http_code}' -X "$method")
  if [[ -n "$with_key" ]]; then
    args+=(-H "@$header_file")
  fi
  if [[ "$method" == "POST" ]]; then
    args+=(-H 'Content-Length: 0')
  fi
  curl "${args[@]}" "$base_url$path" || echo "000"
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
if [[ "$status" == "200" ]] && ! grep -qi 'healthy' "$body_file"; then
  echo "FAIL GET /api/health: the body does not say healthy" >&2
  failures=$((failures + 1))
fi

check "GET /api/connections without a key is refused" "401|403" "$(request GET /api/connections)"

status="$(request GET /api/connections with-key)"
check "GET /api/connections" "200" "$status"

if [[ -z "$connection" && "$status" == "200" ]]; then
  connection="$(grep -o '"name"[[:space:]]*:[[:space:]]*"[^"]*"' "$body_file" | head -n 1 | sed 's/.*:[[:space:]]*"\(.*\)"/\1/' || true)"
fi

if [[ -z "$connection" ]]; then
  echo "skip POST /api/connections/{name}/rotate?dryRun=true: no connection yet (import or consent one first)"
elif [[ ! "$connection" =~ ^[0-9A-Za-z-]{1,127}$ ]]; then
  echo "FAIL connection name '$connection' is not a Key Vault name ([0-9A-Za-z-], at most 127)" >&2
  failures=$((failures + 1))
else
  check "POST /api/connections/$connection/rotate?dryRun=true" "2[0-9][0-9]" \
    "$(request POST "/api/connections/$connection/rotate?dryRun=true" with-key)"
fi

if ((failures > 0)); then
  echo "smoke: $failures check(s) failed" >&2
  exit 1
fi
echo "smoke: passed"
