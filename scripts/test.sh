#!/usr/bin/env bash
# The whole test suite: build, start the project's Dovecot (installing it when missing), run every
# test file under dist/test with node's built-in runner, stop Dovecot, and end with the line
# "N passed, N failed". Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

dovecot_started=0
if [ -f test/servers/dovecot.sh ]; then
  if bash test/servers/dovecot.sh start; then
    dovecot_started=1
  else
    echo "could not start the test Dovecot: integration tests will fail" >&2
  fi
fi

log=$(mktemp)
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

if [ "$dovecot_started" = 1 ]; then bash test/servers/dovecot.sh stop >/dev/null 2>&1; fi

passed=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
failed=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
# A cancelled test (a hang, a file that died) did not pass: it counts as failed.
cancelled=$(grep -E '^ℹ cancelled [0-9]+' "$log" | tail -1 | awk '{print $3}')
rm -f "$log"
if [ -z "$failed" ]; then failed=1; fi
failed=$((failed + ${cancelled:-0}))
echo "${passed:-0} passed, ${failed} failed"
exit "$rc"
