// StrykerJS mutation testing (`npm run mutation`, never part of `npm test`). One area at a time
// (PRX_MUTATION_AREA: redaction | sync | store; scripts/mutation-areas.mjs): its TypeScript
// sources are instrumented once (mutation switching), compiled once by `buildCommand`, and the
// command runner runs the area's fast unit/property tests once per mutant, Stryker choosing the
// active mutant through its environment variable. PRX_MUTATION_INCREMENTAL=1 reuses the results
// of unchanged code from reports/mutation/<area>-incremental.json; off by default, because the
// command runner cannot tell Stryker which tests changed (a changed test file would be ignored).
// See docs/testing.md.
import { areas } from './scripts/mutation-areas.mjs';

const name = process.env.PRX_MUTATION_AREA ?? 'sync';
const area = areas[name];
if (!area) throw new Error(`PRX_MUTATION_AREA must be one of ${Object.keys(areas).join(', ')}`);

export default {
  packageManager: 'npm',
  testRunner: 'command',
  commandRunner: { command: `node scripts/mutation-tests.mjs ${name}` },
  buildCommand: 'npx tsc -p tsconfig.json',
  coverageAnalysis: 'off',
  mutate: area.mutate,
  ignorePatterns: ['.dovecot', '.dovecot-bench', 'bench/results', 'reports', 'dist', 'coverage', '*.db'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  incremental: process.env.PRX_MUTATION_INCREMENTAL === '1',
  incrementalFile: `reports/mutation/${name}-incremental.json`,
  concurrency: Number(process.env.PRX_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 30000,
  timeoutFactor: 2,
  thresholds: { high: 80, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
