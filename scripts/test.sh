#!/usr/bin/env bash
# The whole test suite: build (tsconfig.json covers src, test, bench and scripts, so this also
# type-checks the tests and benchmarks), lint (ESLint, type-aware: `npm run lint`), build the API
# reference (TypeDoc with warnings as errors: `npm run docs`, so an undocumented export or a
# broken doc comment fails), start the project's Dovecot and PostgreSQL (installing them when
# missing), run every test file under dist/test with node's built-in runner, then again under Bun
# (scripts/test-bun.sh, with a smaller fuzz budget and fewer property runs: PRX_BUN_FUZZ_SECONDS,
# default 20, and PRX_BUN_PROPERTY_RUNS, default 200), stop both servers, and end with the line
# "N passed, N failed" summed over both runs and the two static checks (each check counts as one
# test). Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

npx tsc -p tsconfig.json || { echo "0 passed, 1 failed"; exit 1; }

# The static checks, side by side (each is single-threaded): each is one passed or failed test in
# the summary; a failing one prints its findings, and the suite runs either way.
checks_passed=0
checks_failed=0
checks_dir=$(mktemp -d)
checks_started=$SECONDS
npm run --silent lint >"$checks_dir/lint" 2>&1 &
lint_pid=$!
npm run --silent docs >"$checks_dir/docs" 2>&1 &
docs_pid=$!
for check in lint docs; do
  pid_var="${check}_pid"
  if wait "${!pid_var}"; then
    checks_passed=$((checks_passed + 1))
    echo "$check: ok"
  else
    checks_failed=$((checks_failed + 1))
    cat "$checks_dir/$check"
    echo "$check: FAILED (npm run $check)"
  fi
done
echo "static checks (lint, docs) took $((SECONDS - checks_started)) s"
rm -rf "$checks_dir"

dovecot_started=0
if [ -f test/servers/dovecot.sh ]; then
  if bash test/servers/dovecot.sh start; then
    dovecot_started=1
  else
    echo "could not start the test Dovecot: integration tests will fail" >&2
  fi
fi

# The project's PostgreSQL (installed when missing): the store conformance suite and the
# distributed-runner tests run on it; they skip, saying why, only when it cannot be started.
postgres_started=0
if [ -f test/servers/postgres.sh ]; then
  if bash test/servers/postgres.sh start; then
    postgres_started=1
    export PRX_TEST_POSTGRES_URL=$(bash test/servers/postgres.sh env)
  else
    echo "could not start the test PostgreSQL: PostgreSQL tests will be skipped" >&2
    export PRX_TEST_POSTGRES_UNAVAILABLE="test/servers/postgres.sh start failed (see above)"
  fi
fi

log=$(mktemp)
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

passed=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
failed=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
# A cancelled test (a hang, a file that died) did not pass: it counts as failed.
cancelled=$(grep -E '^ℹ cancelled [0-9]+' "$log" | tail -1 | awk '{print $3}')
if [ -z "$failed" ]; then failed=1; fi
passed=${passed:-0}
failed=$((failed + ${cancelled:-0}))
echo "node: ${passed} passed, ${failed} failed"

# The same suite under Bun (it reuses the Dovecot started above).
PRX_FUZZ_SECONDS=${PRX_BUN_FUZZ_SECONDS:-20} PRX_PROPERTY_RUNS=${PRX_BUN_PROPERTY_RUNS:-200} \
  bash scripts/test-bun.sh 2>&1 | tee "$log"
bun_rc=${PIPESTATUS[0]}
bun_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
bun_passed=$(echo "$bun_line" | awk '{print $1}')
bun_failed=$(echo "$bun_line" | awk '{print $3}')
if [ -z "$bun_line" ]; then bun_passed=0; bun_failed=1; fi
echo "bun: ${bun_passed} passed, ${bun_failed} failed"
if [ "$rc" = 0 ] && [ "$bun_rc" != 0 ]; then rc=$bun_rc; fi
if [ "$rc" = 0 ] && [ $((failed + bun_failed + checks_failed)) -gt 0 ]; then rc=1; fi

if [ "$dovecot_started" = 1 ]; then bash test/servers/dovecot.sh stop >/dev/null 2>&1; fi
if [ "$postgres_started" = 1 ]; then bash test/servers/postgres.sh stop >/dev/null 2>&1; fi
rm -f "$log"
echo "checks (lint, docs): ${checks_passed} passed, ${checks_failed} failed"
echo "$((passed + bun_passed + checks_passed)) passed, $((failed + bun_failed + checks_failed)) failed"
exit "$rc"
