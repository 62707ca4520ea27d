#!/usr/bin/env bash
# Prints what a `make test` run tested, from the JUnit XML reports Maven wrote: one line per module
# and kind (unit tests by surefire, multi-host tests by failsafe), then a closing line
# "tests: N passed, N failed, N skipped". Only reports newer than STAMP count (a file touched before
# the run), so reports left by earlier runs are not counted again.
# Usage: .ci/test-summary.sh STAMP
set -u
stamp="${1:?usage: test-summary.sh STAMP}"
cd "$(dirname "$0")/.."
total_tests=0 total_failed=0 total_skipped=0
summarize() { # module kind dir
  local module="$1" kind="$2" dir="$3" t=0 f=0 e=0 s=0 files line
  [ -d "$dir" ] || return 1
  files=$(find "$dir" -maxdepth 1 -name 'TEST-*.xml' -newer "$stamp" 2>/dev/null)
  [ -n "$files" ] || return 1
  while read -r line; do
    set -- $line
    t=$((t + $1)) f=$((f + $2)) e=$((e + $3)) s=$((s + $4))
  done < <(for x in $files; do
    head -c 4096 "$x" | tr '\n' ' ' | grep -o '<testsuite [^>]*' | head -1 |
      awk '{ match($0, / tests="[0-9]+"/); tt = substr($0, RSTART + 8, RLENGTH - 9)
             match($0, / failures="[0-9]+"/); ff = substr($0, RSTART + 11, RLENGTH - 12)
             match($0, / errors="[0-9]+"/); ee = substr($0, RSTART + 9, RLENGTH - 10)
             match($0, / skipped="[0-9]+"/); ss = substr($0, RSTART + 10, RLENGTH - 11)
             print tt + 0, ff + 0, ee + 0, ss + 0 }'
  done)
  printf '  %-26s %-22s %5d run, %d failed, %d skipped\n' "$module" "$kind" "$t" "$((f + e))" "$s"
  total_tests=$((total_tests + t)) total_failed=$((total_failed + f + e)) total_skipped=$((total_skipped + s))
}
echo "test summary:"
for module in protocol reactor/core reactor/client reactor/services/file reactor/services/auth \
    reactor/services/exec reactor/services/standard reactor/cli loadtest bench; do
  summarize "$module" "unit tests" "$module/target/surefire-reports" || true
done
if ! summarize reactor/cli "multi-host (Docker)" reactor/cli/target/failsafe-reports; then
  echo "  multi-host tests (Docker): not run in this build"
fi
echo "tests: $((total_tests - total_failed - total_skipped)) passed, $total_failed failed, $total_skipped skipped"
