// The test command Stryker runs for every mutant (stryker.config.mjs): imports the compiled test
// files of one mutation area (scripts/mutation-areas.mjs) into this one process, so a run costs
// one node start-up and one sql.js load instead of one per file. node:test sets a non-zero exit
// code when a test fails (the mutant is killed). Property runs are cut to
// PRX_MUTATION_PROPERTY_RUNS (default 50). Usage: node scripts/mutation-tests.mjs <area>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { areas } from './mutation-areas.mjs';

const area = areas[process.argv[2] ?? ''];
if (!area) {
  console.error(`usage: node scripts/mutation-tests.mjs <${Object.keys(areas).join('|')}>`);
  process.exit(2);
}
process.env.PRX_PROPERTY_RUNS = process.env.PRX_MUTATION_PROPERTY_RUNS ?? '50';
for (const test of area.tests) {
  const file = join(process.cwd(), 'dist/test', `${test}.test.js`);
  if (!existsSync(file)) {
    console.error(`missing ${file} (build first)`);
    process.exit(2);
  }
  await import(pathToFileURL(file).href);
}
