#!/usr/bin/env bash
# fuzz.sh — run every `func Fuzz*` in the repository for a bounded time each.
#
# Usage: scripts/fuzz.sh [FUZZTIME]     (default 10s per target; any go -fuzztime value)
#
# Targets are discovered with `go test -list`, so a new Fuzz function is picked up
# without editing this script. Go writes a crashing input to the package's own
# testdata/fuzz/<Target>/ directory; this script lists those new files at the end
# so they can be committed as regression cases (plain `go test` replays them).
set -uo pipefail
cd "$(dirname "$0")/.."

fuzztime=${1:-10s}
# A bare number means seconds, as people type `make fuzz FUZZTIME=30`.
case $fuzztime in *[0-9]) [[ $fuzztime =~ ^[0-9]+$ ]] && fuzztime="${fuzztime}s" ;; esac

export CGO_ENABLED=${CGO_ENABLED:-0}
# Inputs already in testdata/fuzz are noticed so only new crashers are reported.
before=$(mktemp)
trap 'rm -f "$before"' EXIT
find . -path '*/testdata/fuzz/*' -type f 2>/dev/null | sort >"$before"

pkgs=$(go list ./... 2>/dev/null)
if [ -z "$pkgs" ]; then
  echo "fuzz.sh: go list found no packages" >&2
  exit 1
fi

total=0 failed=0 broken=()
failures=()
for pkg in $pkgs; do
  # -list prints the matching names, then an "ok" line; a package that does not
  # compile right now is reported and skipped rather than aborting every other target.
  if ! list=$(go test -list '^Fuzz' "$pkg" 2>&1); then
    broken+=("$pkg")
    continue
  fi
  targets=$(printf '%s\n' "$list" | grep -E '^Fuzz[A-Za-z0-9_]*$' || true)
  for target in $targets; do
    total=$((total + 1))
    echo "== $pkg $target ($fuzztime)"
    # -run '^$' skips the unit tests; -fuzz must match exactly one target.
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
      failed=$((failed + 1))
      failures+=("$pkg $target")
    fi
  done
done

echo
echo "fuzz.sh: $total targets, $failed failed, fuzztime $fuzztime each"
for f in "${failures[@]}"; do echo "  FAILED: $f"; done
for p in "${broken[@]}"; do echo "  did not compile (skipped): $p"; done

new=$(find . -path '*/testdata/fuzz/*' -type f 2>/dev/null | sort | comm -13 "$before" -)
if [ -n "$new" ]; then
  echo "New crashing inputs (commit them as regression cases, then fix the parser):"
  printf '  %s\n' $new
fi
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
