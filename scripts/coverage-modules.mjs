// Prints coverage per module (src/imap/wire, src/imap/session, src/sync, ...) from c8's
// json-summary report: lines, branches and functions covered, summed over the module's files.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

const summary = JSON.parse(readFileSync(process.argv[2] ?? 'coverage/coverage-summary.json', 'utf8'));
const modules = new Map();
for (const [file, data] of Object.entries(summary)) {
  if (file === 'total') continue;
  const parts = relative(process.cwd(), file).split(sep);
  // src/x.ts -> "src (top level)", src/sync/a.ts -> src/sync, src/imap/wire/grammar/b.ts -> src/imap/wire
  const depth = parts[1] === 'imap' && parts.length > 3 ? 3 : 2;
  const module = parts.length > 2 ? parts.slice(0, depth).join('/') : 'src (top level)';
  const entry = modules.get(module) ?? { lines: [0, 0], branches: [0, 0], functions: [0, 0] };
  for (const kind of ['lines', 'branches', 'functions']) {
    entry[kind][0] += data[kind].covered;
    entry[kind][1] += data[kind].total;
  }
  modules.set(module, entry);
}
const pct = ([covered, total]) => (total === 0 ? '  n/a' : `${((100 * covered) / total).toFixed(1).padStart(5)}%`);
console.log(`\n${'module'.padEnd(22)} ${'lines'.padStart(7)} ${'branches'.padStart(9)} ${'functions'.padStart(10)}`);
for (const [module, entry] of [...modules].sort()) {
  console.log(`${module.padEnd(22)} ${pct(entry.lines).padStart(7)} ${pct(entry.branches).padStart(9)} ${pct(entry.functions).padStart(10)}`);
}
const total = summary.total;
console.log(`${'all of src'.padEnd(22)} ${pct([total.lines.covered, total.lines.total]).padStart(7)} ${pct([total.branches.covered, total.branches.total]).padStart(9)} ${pct([total.functions.covered, total.functions.total]).padStart(10)}`);
