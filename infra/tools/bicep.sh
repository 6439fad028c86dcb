#!/usr/bin/env bash
# The Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64, pinned in bicep-cli.csproj):
#   infra/tools/bicep.sh path     restore it (seconds; cached in ~/.nuget/packages) and print its path
#   infra/tools/bicep.sh check    build and lint every template in infra/; fails on any warning or error
# BICEP_CLI, when set, names a CLI to use instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

bicep_path() {
  if [ -n "${BICEP_CLI:-}" ]; then echo "$BICEP_CLI"; return; fi
  command -v dotnet >/dev/null 2>&1 || { echo "bicep.sh: the .NET SDK (dotnet) is needed to restore the Bicep CLI" >&2; exit 1; }
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  dotnet restore "$here/bicep-cli.csproj" --verbosity quiet >&2
  local cli
  cli="$(dotnet msbuild "$here/bicep-cli.csproj" -getProperty:BicepPath | tail -n 1)"
  [ -f "$cli" ] || { echo "bicep.sh: the restored package has no CLI at '$cli'" >&2; exit 1; }
  chmod +x "$cli"
  realpath "$cli"
}

check() {
  local cli out status=0
  cli="$(bicep_path)"
  "$cli" --version
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' RETURN
  # Diagnostics go to stderr as "<file>(line,col) : Warning|Error <code>: ..."; any of them fails.
  for step in build lint; do
    local args=("$step" --pattern 'infra/**/*.bicep')
    [ "$step" = build ] && args+=(--outdir "$out")
    local log
    log="$(cd "$root" && "$cli" "${args[@]}" 2>&1)" || status=1
    if [ -n "$log" ]; then echo "$log" >&2; status=1; fi
    echo "bicep $step: $(cd "$root" && ls infra/*.bicep infra/modules/*.bicep | wc -l) templates, $([ "$status" = 0 ] && echo clean || echo FAILED)"
  done
  return "$status"
}

case "${1:-}" in
  path) bicep_path ;;
  check) check ;;
  *) echo "usage: $0 path|check" >&2; exit 2 ;;
esac
