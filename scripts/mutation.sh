#!/usr/bin/env bash
# Mutation testing with StrykerJS, one area after another (scripts/mutation-areas.mjs; default
# redaction, sync, store; or the areas given as arguments, e.g. `npm run mutation -- sync-core`).
# Slow (each mutant runs the area's tests): not part of `npm test`. Reports per area in
# reports/mutation/<area>.html and .json; incremental results in reports/mutation/.
# PRX_MUTATION_CONCURRENCY (default 2) and PRX_MUTATION_PROPERTY_RUNS (default 50) tune a run.
set -uo pipefail
cd "$(dirname "$0")/.."
areas=("$@")
if [ ${#areas[@]} = 0 ]; then areas=(redaction sync store); fi
rc=0
for area in "${areas[@]}"; do
  echo "== mutation testing: $area"
  PRX_MUTATION_AREA=$area npx stryker run || rc=1
done
exit "$rc"
