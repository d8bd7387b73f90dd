#!/usr/bin/env bash
# Builds and lints every Bicep file of the repository with the Bicep CLI and fails on any warning.
#
#   bash scripts/bicep.sh          install (if needed), then build + lint everything
#   bash scripts/bicep.sh --path   install (if needed), then print the path of the bicep binary
#
# The CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64, pulled into the NuGet cache by the
# restore-only project tools/bicep/bicep.proj (no global tool, no download outside NuGet). BICEP_BIN overrides.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
proj="$repo_root/tools/bicep/bicep.proj"

log() { printf '%s\n' "$*" >&2; }

find_bicep() {
  if [[ -n "${BICEP_BIN:-}" ]]; then
    printf '%s\n' "$BICEP_BIN"
    return
  fi
  local version packages
  version="$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' "$proj")"
  if [[ -z "$version" ]]; then
    log "bicep.sh: no <BicepVersion> in $proj"
    exit 2
  fi
  packages="${NUGET_PACKAGES:-}"
  if [[ -z "$packages" ]]; then
    packages="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
  fi
  packages="${packages%/}"
  local bin="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
  if [[ ! -f "$bin" ]]; then
    log "bicep.sh: restoring Azure.Bicep.CommandLine.linux-x64 $version into $packages"
    dotnet restore "$proj" --nologo -v quiet >&2
  fi
  if [[ ! -f "$bin" ]]; then
    log "bicep.sh: the Bicep CLI is not at $bin after 'dotnet restore $proj'"
    exit 2
  fi
  [[ -x "$bin" ]] || chmod +x "$bin"
  printf '%s\n' "$bin"
}

bicep="$(find_bicep)"

if [[ "${1:-}" == "--path" ]]; then
  printf '%s\n' "$bicep"
  exit 0
fi

log "bicep.sh: $("$bicep" --version)"

out_dir="$(mktemp -d)"
trap 'rm -rf "$out_dir"' EXIT

failures=0
checked=0

# Runs one bicep command; any non-zero exit or any diagnostic line (Warning, Error, Info) fails the file.
run_check() {
  local label="$1"
  shift
  local output rc=0
  output="$("$bicep" "$@" 2>&1)" || rc=$?
  checked=$((checked + 1))
  if [[ $rc -ne 0 ]] || grep -Eq ': (Warning|Error|Info) ' <<<"$output"; then
    failures=$((failures + 1))
    log "FAIL $label"
    [[ -n "$output" ]] && log "$output"
  else
    log "ok   $label"
  fi
}

mapfile -t bicep_files < <(cd "$repo_root" && git ls-files --cached --others --exclude-standard -- '*.bicep' 2>/dev/null || find . -name '*.bicep' -not -path '*/node_modules/*' -not -path '*/bin/*' -not -path '*/obj/*' | sed 's|^\./||')
mapfile -t param_files < <(cd "$repo_root" && git ls-files --cached --others --exclude-standard -- '*.bicepparam' 2>/dev/null || find . -name '*.bicepparam' -not -path '*/node_modules/*' -not -path '*/bin/*' -not -path '*/obj/*' | sed 's|^\./||')

if [[ ${#bicep_files[@]} -eq 0 ]]; then
  log "bicep.sh: no .bicep file found under $repo_root"
  exit 1
fi

for f in "${bicep_files[@]}"; do
  run_check "build $f" build "$repo_root/$f" --outdir "$out_dir"
  run_check "lint  $f" lint "$repo_root/$f"
done

# main.bicepparam has no default for the values the preprovision hook guarantees, so a build without them fails (as
# it should for a deployment); stand-ins let this check build it anywhere.
export VAULT_NAME_SALT="${VAULT_NAME_SALT:-bicep-sh-check}"
export ALERT_EMAIL_ADDRESS="${ALERT_EMAIL_ADDRESS:-bicep-sh-check@example.com}"
for f in "${param_files[@]}"; do
  run_check "build-params $f" build-params "$repo_root/$f" --outfile "$out_dir/$(basename "$f").json"
  run_check "lint  $f" lint "$repo_root/$f"
done

if [[ $failures -ne 0 ]]; then
  log "bicep.sh: $failures of $checked checks failed (warnings count as failures)"
  exit 1
fi
log "bicep.sh: $checked checks passed, no warnings"
