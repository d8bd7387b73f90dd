#!/usr/bin/env bash
# Runs every test of the solution, the way CI does:
#   1. installs Azurite (the Azure Storage emulator) from npm at the version pinned in tools/azurite/package-lock.json;
#   2. starts ONE Azurite instance on free loopback ports, shared by every test project (in memory, no telemetry);
#   3. runs `dotnet test Functions.sln` with coverage (NetSuite.Auth keeps a 90% branch-coverage floor);
#   4. stops the Azurite it started and prints one line: `N passed, N failed, N skipped`.
# Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Consent").
# Needs only the .NET SDK and Node.js.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
# The browser tests save their screenshots under $results/screenshots.
export NSTOKEN_TEST_RESULTS="$results"

# --- Browser tests: Debian's Chromium (added with the Functions app) --------------------------------------------
# The browser tests (Category=Browser) drive Chromium through Playwright for .NET; Playwright's own browser downloads
# are never used. Install Debian's chromium here when we can (root with apt-get); otherwise say how, and let the
# browser tests fail with that message. NSTOKEN_CHROMIUM points the tests at another Chromium binary.
chromium="${NSTOKEN_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null \
      || echo "Installing chromium with apt-get failed; the browser tests will fail." >&2
  else
    echo "Chromium is missing at $chromium: install it with 'sudo apt-get install -y chromium' (Debian/Ubuntu)," \
      "or set NSTOKEN_CHROMIUM to a Chromium binary. The browser tests will fail until then." >&2
  fi
fi
# ------------------------------------------------------------------------------------------------------------------

echo "Installing Azurite (npm ci, pinned by tools/azurite/package-lock.json)..."
npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error >/dev/null

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}
blob_port=$(free_port); queue_port=$(free_port); table_port=$(free_port)
azurite_log="$results/azurite.log"

tools/azurite/node_modules/.bin/azurite \
  --blobHost 127.0.0.1 --blobPort "$blob_port" \
  --queueHost 127.0.0.1 --queuePort "$queue_port" \
  --tableHost 127.0.0.1 --tablePort "$table_port" \
  --inMemoryPersistence --disableTelemetry --skipApiVersionCheck --silent \
  >"$azurite_log" 2>&1 &
azurite_pid=$!

stop_azurite() {
  if [ -n "${azurite_pid:-}" ] && kill -0 "$azurite_pid" 2>/dev/null; then
    kill "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  azurite_pid=""
}
trap stop_azurite EXIT INT TERM

for port in "$blob_port" "$queue_port" "$table_port"; do
  for _ in $(seq 1 100); do
    if node -e "const c=require('net').connect($port,'127.0.0.1');c.on('connect',()=>process.exit(0));c.on('error',()=>process.exit(1));" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$azurite_pid" 2>/dev/null; then
      echo "Azurite exited during start-up; its log:" >&2; cat "$azurite_log" >&2; exit 1
    fi
    sleep 0.1
  done
done
echo "Azurite is listening on 127.0.0.1 (blob $blob_port, queue $queue_port, table $table_port)."

# The test fixtures use this instance instead of starting their own.
export NSTOKEN_TEST_AZURITE_BLOB_PORT="$blob_port"
export NSTOKEN_TEST_AZURITE_QUEUE_PORT="$queue_port"
export NSTOKEN_TEST_AZURITE_TABLE_PORT="$table_port"

# The coverage floor is a property of the whole suite: a filtered run (extra arguments) covers only what it selected,
# so it reports coverage but does not fail on the floor.
floor=()
if [ "$#" -gt 0 ]; then
  floor=(-p:Threshold=0)
fi

set +e
dotnet test Functions.sln \
  --logger "trx" --results-directory "$results" \
  -p:CollectCoverage=true "${floor[@]}" \
  "$@"
status=$?
set -e

stop_azurite

# --- Browser tests must have run (added with the Functions app) -------------------------------------------------
# A full run (no extra arguments) fails when no test named "...Browser..." was executed: CI must not pass green
# while the browser tests were silently left out. A filtered run only says so.
browser_ran=$(cat "$results"/*.trx 2>/dev/null | tr '<' '\n' | grep '^UnitTestResult ' | grep 'testName="[^"]*Browser' | \
  grep -vc 'outcome="NotExecuted"' || true)
if [ "${browser_ran:-0}" -eq 0 ]; then
  if [ "$#" -eq 0 ]; then
    echo "No browser test ran (tests named *Browser*, Category=Browser); see the Chromium note at the start of this run." >&2
    status=1
  else
    echo "Note: no browser test ran in this filtered run." >&2
  fi
fi
# ------------------------------------------------------------------------------------------------------------------

# One line with the totals of the whole run, read from every project's TRX file.
totals=$(cat "$results"/*.trx 2>/dev/null | tr '<' '\n' | grep '^Counters ' | \
  sed -E 's/.*total="([0-9]+)".*passed="([0-9]+)".*failed="([0-9]+)".*notExecuted="([0-9]+)".*/\1 \2 \3 \4/' | \
  awk '{t+=$1; p+=$2; f+=$3; s+=$4} END {printf "%d %d %d %d", t, p, f, s}')
read -r total passed failed skipped <<<"${totals:-0 0 0 0}"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A project that crashed or a coverage floor that was missed fails the run without a failed test.
  failed=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
