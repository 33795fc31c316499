#!/usr/bin/env bash
# Mutation testing with StrykerJS, one area after another (scripts/mutation-areas.mjs; default
# redaction, sync-engine, sync-runner, sync-service, store-engine, store-repositories; or the areas
# given as arguments, e.g. `npm run mutation -- sync-core`).
# Slow (each mutant runs the area's tests): not part of `npm test`. Reports per area in
# reports/mutation/<area>.html and .json; incremental results in reports/mutation/; at the end
# scripts/mutation-summary.mjs sums the reports up (reports/mutation/summary.md).
# PRX_MUTATION_CONCURRENCY (default 2), PRX_MUTATION_PROPERTY_RUNS (default 50) and
# PRX_MUTATION_TIMEOUT_MS (default 30000) tune a run.
set -uo pipefail
cd "$(dirname "$0")/.."
areas=("$@")
if [ ${#areas[@]} = 0 ]; then areas=(redaction sync-engine sync-runner sync-service store-engine store-repositories); fi
rc=0
for area in "${areas[@]}"; do
  echo "== mutation testing: $area"
  PRX_MUTATION_AREA=$area npx stryker run || rc=1
done
node scripts/mutation-summary.mjs "${areas[@]}" || rc=1
exit "$rc"
