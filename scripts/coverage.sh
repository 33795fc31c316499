#!/usr/bin/env bash
# Line/branch/function coverage of src/ (c8 over node's test runner, mapped back to the
# TypeScript through the source maps), with a table per module. Not part of `npm test`.
#
# Runs the tests that need no server: unit, property, replay and the fixed-seed fuzz slice, with
# PRX_PROPERTY_RUNS defaulting to 50 (coverage needs the paths, not the volume). With
# PRX_COVERAGE_INTEGRATION=1 it also starts the project's Dovecot and adds the integration tests.
# Reports: coverage/index.html (per file), coverage/coverage-summary.json, and the per-module
# table printed at the end (scripts/coverage-modules.mjs).
set -uo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json || exit 1
export PRX_PROPERTY_RUNS=${PRX_PROPERTY_RUNS:-50}
files=(dist/test/unit dist/test/property dist/test/replay dist/test/fuzz/regressions.test.js)
started=0
if [ "${PRX_COVERAGE_INTEGRATION:-0}" = 1 ]; then
  if ! bash test/servers/dovecot.sh status >/dev/null 2>&1; then
    bash test/servers/dovecot.sh start && started=1
  fi
  files+=(dist/test/integration)
fi
rm -rf coverage
npx c8 --all --src src --include 'dist/src/**' --include 'src/**' --exclude-after-remap \
  --reporter text --reporter html --reporter json-summary --reports-dir coverage \
  node --test --test-reporter=dot "${files[@]}"
rc=$?
if [ "$started" = 1 ]; then bash test/servers/dovecot.sh stop >/dev/null 2>&1; fi
node scripts/coverage-modules.mjs coverage/coverage-summary.json
exit "$rc"
