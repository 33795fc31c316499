// Sums up the mutation reports (reports/mutation/<area>.json, StrykerJS's mutation-testing-report
// schema) of the areas given as arguments (default: the disjoint areas redaction, sync-engine,
// sync-runner, sync-service, store-engine, store-repositories): the score per area, per source
// directory (src/sync, src/store, src/imap/session) and over all the modules run, and every
// surviving or uncovered mutant with its place. A mutant that two reports hold (overlapping areas)
// is counted once, from the report named first. Writes reports/mutation/summary.md and prints it.
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker counts it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DEFAULT_AREAS = ['redaction', 'sync-engine', 'sync-runner', 'sync-service', 'store-engine', 'store-repositories'];
const areas = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_AREAS;

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** @returns {{ detected: number, undetected: number }} */
const tally = () => ({ detected: 0, undetected: 0 });
const add = (t, status) => {
  if (DETECTED.has(status)) t.detected++;
  else if (UNDETECTED.has(status)) t.undetected++;
};
const score = (t) => (t.detected + t.undetected === 0 ? 'n/a' : `${((100 * t.detected) / (t.detected + t.undetected)).toFixed(1)} %`);
const directoryOf = (file) => (file.startsWith('src/imap/session') ? 'src/imap/session' : file.split('/').slice(0, 2).join('/'));

const seen = new Set();
const byArea = new Map();
const byDirectory = new Map();
const overall = tally();
const statusCounts = new Map();
const missing = [];
const undetected = [];

for (const area of areas) {
  const path = `reports/mutation/${area}.json`;
  if (!existsSync(path)) {
    missing.push(area);
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const areaTally = tally();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const relative = file.replace(/^.*?(?=src\/)/, '');
    for (const mutant of mutants) {
      const { line, column } = mutant.location.start;
      const key = `${relative}:${line}:${column}:${mutant.mutatorName}:${mutant.replacement ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      statusCounts.set(mutant.status, (statusCounts.get(mutant.status) ?? 0) + 1);
      add(areaTally, mutant.status);
      add(overall, mutant.status);
      const directory = directoryOf(relative);
      if (!byDirectory.has(directory)) byDirectory.set(directory, tally());
      add(byDirectory.get(directory), mutant.status);
      if (UNDETECTED.has(mutant.status)) {
        undetected.push({ area, file: relative, line, mutator: mutant.mutatorName, status: mutant.status, replacement: (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80) });
      }
    }
  }
  byArea.set(area, areaTally);
}

const lines = ['# Mutation score', '', `Areas: ${[...byArea.keys()].join(', ') || 'none'}${missing.length ? ` (no report: ${missing.join(', ')})` : ''}`, ''];
lines.push('| area | detected | undetected | score |', '|---|---|---|---|');
for (const [area, t] of byArea) lines.push(`| ${area} | ${t.detected} | ${t.undetected} | ${score(t)} |`);
lines.push('', '| directory | detected | undetected | score |', '|---|---|---|---|');
for (const [directory, t] of [...byDirectory].sort()) lines.push(`| ${directory} | ${t.detected} | ${t.undetected} | ${score(t)} |`);
lines.push(`| **all modules run** | ${overall.detected} | ${overall.undetected} | **${score(overall)}** |`);
lines.push('', `Statuses: ${[...statusCounts].map(([status, n]) => `${status} ${n}`).join(', ')}`);
lines.push('', `## Undetected mutants (${undetected.length})`, '', '| file:line | mutator | status | replacement |', '|---|---|---|---|');
for (const u of undetected.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
  lines.push(`| ${u.file}:${u.line} | ${u.mutator} | ${u.status} | \`${u.replacement.replace(/\|/g, '\\|').replace(/`/g, "'")}\` |`);
}
const text = `${lines.join('\n')}\n`;
writeFileSync('reports/mutation/summary.md', text);
process.stdout.write(text);
