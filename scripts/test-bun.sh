#!/usr/bin/env bash
# The whole test suite under Bun (the `bun` devDependency): build, then run every compiled test
# file under dist/test with `bun test`, which implements node:test (test, describe, before, after)
# and node:assert. Ends with the line "N passed, N failed" for the Bun run; exit status is
# non-zero when anything failed.
#
# Nothing is excluded: the tests that start child processes (store-crash: the crash writer; sync:
# the CLI) spawn process.execPath, which under Bun is Bun itself, so those children run on Bun too.
# The integration tests (test/integration/session and sync, among them real syncs into sql.js)
# talk to the project's Dovecot. scripts/test.sh calls this script while its Dovecot is up; run
# alone, the script starts one (PRX_DOVECOT_DIR etc. are honoured) and stops only that one.
#
# Differences from node's runner that matter here: `bun test` has a 5 s default per-test timeout
# (node has none), so it is raised; and an error outside a test (a failing before() hook, a file
# that does not load) is reported as an "error" while the tests around it may still pass, so
# errors count as failures.
set -uo pipefail
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

# node_modules/.bin/bun is the real binary once bun's postinstall has run; without it (installed
# with --ignore-scripts) the platform package's binary is used directly.
bun=
for candidate in node_modules/.bin/bun node_modules/@oven/bun-*/bin/bun; do
  if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then bun=$candidate; break; fi
done
if [ -z "$bun" ]; then
  echo "bun is not installed: run 'npm ci' (bun is a devDependency)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

mapfile -t files < <(find dist/test -name '*.test.js' | sort | sed 's|^|./|')
# The Bun run must include a real sync against Dovecot.
if ! printf '%s\n' "${files[@]}" | grep -qx './dist/test/integration/sync.test.js'; then
  echo "dist/test/integration/sync.test.js is missing: the Bun run would include no sync against Dovecot" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

dovecot_started=0
if ! bash test/servers/dovecot.sh status >/dev/null 2>&1; then
  if bash test/servers/dovecot.sh start; then
    dovecot_started=1
  else
    echo "could not start the test Dovecot: integration tests will fail" >&2
  fi
fi
log=$(mktemp)
cleanup() {
  rm -f "$log"
  if [ "$dovecot_started" = 1 ]; then bash test/servers/dovecot.sh stop >/dev/null 2>&1; fi
}
trap cleanup EXIT

echo "bun $("$bun" --version): ${#files[@]} test files" >&2
# Per-test timeout 120 s (the slowest test, store-kill-sync, takes ~25 s on an idle machine and
# reached 60 s at load average 12); the whole run is bounded
# too, by PRX_BUN_TIMEOUT_SECONDS (default 600: the run takes ~270 s on an idle 2-core machine).
timeout --kill-after=10 "${PRX_BUN_TIMEOUT_SECONDS:-600}" "$bun" test --timeout 120000 "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

summary() { sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "^ *[0-9]+ $1\$" | tail -1 | awk '{print $1}'; }
passed=$(summary pass)
failed=$(summary fail)
errors=$(summary 'errors?')
if [ -z "$passed" ] || [ -z "$failed" ]; then
  # No summary: bun crashed or was stopped by the timeout.
  [ "$rc" = 0 ] && rc=1
  echo "${passed:-0} passed, $(( ${failed:-0} + ${errors:-0} + 1 )) failed"
  exit "$rc"
fi
failed=$(( failed + ${errors:-0} ))
if [ "$rc" = 0 ] && { [ "$failed" -gt 0 ] || [ "$passed" = 0 ]; }; then rc=1; fi
echo "$passed passed, $failed failed"
exit "$rc"
