// StrykerJS mutation testing (`npm run mutation`, never part of `npm test`). One area at a time
// (PRX_MUTATION_AREA; scripts/mutation-areas.mjs lists what each area mutates and which compiled
// test files may kill its mutants). Sources are instrumented once (mutation switching) and
// compiled once by `buildCommand`; the tap runner then runs each test file as its own node process
// (`node --test-reporter=tap -r <stryker hook> <file>`). The dry run records which test files
// reach which mutants (coverage per test file), so a mutant runs only the files that execute it,
// stopping at the first failure. Property runs are cut to PRX_MUTATION_PROPERTY_RUNS (default 50).
// PRX_MUTATION_INCREMENTAL=1 reuses the results of unchanged code and tests from
// reports/mutation/<area>-incremental.json. See docs/testing.md.
import { areas } from './scripts/mutation-areas.mjs';

const name = process.env.PRX_MUTATION_AREA ?? 'sync';
const area = areas[name];
if (!area) throw new Error(`PRX_MUTATION_AREA must be one of ${Object.keys(areas).join(', ')}`);
// Inherited by every test process Stryker starts.
process.env.PRX_PROPERTY_RUNS = process.env.PRX_MUTATION_PROPERTY_RUNS ?? '50';

export default {
  packageManager: 'npm',
  testRunner: 'tap',
  tap: {
    testFiles: area.tests.map((test) => `dist/test/${test}.test.js`),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  plugins: ['@stryker-mutator/tap-runner'],
  buildCommand: 'npx tsc -p tsconfig.json',
  coverageAnalysis: 'perTest',
  mutate: area.mutate,
  ignorePatterns: ['.dovecot', '.dovecot-bench', '.postgres', 'bench/results', 'reports', 'dist', 'coverage', '/*.db'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  incremental: process.env.PRX_MUTATION_INCREMENTAL === '1',
  incrementalFile: `reports/mutation/${name}-incremental.json`,
  concurrency: Number(process.env.PRX_MUTATION_CONCURRENCY ?? 2),
  // A mutant is a timeout after its tests' own time × timeoutFactor + timeoutMS.
  timeoutMS: Number(process.env.PRX_MUTATION_TIMEOUT_MS ?? 30000),
  timeoutFactor: 2,
  thresholds: { high: 80, low: 70, break: null },
  tempDirName: `.stryker-tmp-${name}`,
  cleanTempDir: true,
};
