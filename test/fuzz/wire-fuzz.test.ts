/**
 * Time-boxed fuzzing (PRX_FUZZ_SECONDS, default 120; seed PRX_FUZZ_SEED, default random and
 * printed). The parser runs on mutated recorded streams for the whole budget in a worker thread
 * (parser-fuzz.ts); meanwhile this thread spends 30 % of the budget on the structure-aware
 * generators (generators.ts: huge lists, literal-size lies, deep nesting, STARTTLS injection
 * against the whole client; pathological MIME against the parser of messages) and the rest on
 * the whole client stack with mutated scenario transcripts (test/fuzz/targets.ts). Every input
 * has a wall-clock budget. Every finding is written to fixtures/fuzz-regressions/
 * (replayed by regressions.test.ts once committed) and fails the run; so do uncaught exceptions
 * and unhandled rejections anywhere in the process. Prints inputs/s.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { formatTranscript, sideBytes } from '../../src/imap/transcript/index.js';
import { CORPUS_BYTES } from '../support/wire-corpus.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { createRandom, mutateTranscript } from './mutate.js';
import { MIME_GENERATORS, SERVER_GENERATORS } from './generators.js';
import { GENERATOR_BUDGET_MS, runMimeGenerator, runServerGenerator } from './hostile-targets.js';
import { type ParserFuzzReport } from './parser-fuzz.js';
import { runSessionTarget } from './targets.js';
import { regressionsDir } from './regressions-dir.js';

const BUDGET_MS = Number(process.env.PRX_FUZZ_SECONDS ?? 120) * 1000;
/** Full-size generator inputs (10^5-10^6 elements, up to 2 MiB of mail) take seconds each: short
 * runs (Bun's 20 s) use a fifth of the size so that every generator still gets its turn. */
const GENERATOR_SCALE = BUDGET_MS >= 60_000 ? 1 : 0.2;
const SEED = Number(process.env.PRX_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const all = scenarios.map((scenario) => ({ scenario, transcripts: loadScenarioTranscripts(scenario) }));
const streams = [...all.flatMap(({ transcripts }) => transcripts.map((t) => sideBytes(t, 'S'))), ...CORPUS_BYTES];

const stray: string[] = [];
const onStray = (error: unknown): void => {
  stray.push((error as Error)?.stack ?? String(error));
};

function save(name: string, content: string | Uint8Array): string {
  mkdirSync(regressionsDir, { recursive: true });
  const file = join(regressionsDir, name);
  writeFileSync(file, content);
  return file;
}

test(`fuzz: parser and session on mutated recorded streams (seed ${SEED}, ${BUDGET_MS / 1000} s)`, async () => {
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  const findings: string[] = [];
  let peakRss = process.memoryUsage().rss;
  try {
    // 1. Parser: in a worker thread, for the whole budget, while this thread runs 2 and 3.
    const random = createRandom(SEED);
    const parserWorker = new Worker(new URL('./parser-fuzz-worker.js', import.meta.url), { workerData: { seed: SEED, budgetMs: BUDGET_MS } });
    const parserReport = new Promise<ParserFuzzReport>((resolve, reject) => {
      parserWorker.once('message', resolve);
      parserWorker.once('error', reject);
      parserWorker.once('exit', (code) => reject(new Error(`parser fuzz worker exited with code ${code} before reporting`)));
    });
    parserReport.catch(() => undefined);

    // 2. Structure-aware generators: 30 % of the budget, round robin, at least one input each.
    const generatorStart = Date.now();
    const generatorEnd = generatorStart + BUDGET_MS * 0.3;
    const counts: Record<string, number> = {};
    const generators = [
      ...Object.keys(SERVER_GENERATORS).map((name) => ({ target: 'server' as const, name })),
      ...Object.keys(MIME_GENERATORS).map((name) => ({ target: 'mime' as const, name })),
    ];
    for (let round = 0; round === 0 || Date.now() < generatorEnd; round++) {
      for (const { target, name } of generators) {
        if (round > 0 && Date.now() >= generatorEnd) break;
        const seed = Math.floor(random() * 2 ** 31);
        const chunkSizes = [1 + Math.floor(random() * (random() < 0.2 ? 16 : 65536))];
        const verdict =
          target === 'server'
            ? await runServerGenerator(name, createRandom(seed), GENERATOR_SCALE, chunkSizes, GENERATOR_BUDGET_MS)
            : await runMimeGenerator(name, createRandom(seed), GENERATOR_SCALE, GENERATOR_BUDGET_MS);
        counts[name] = (counts[name] ?? 0) + 1;
        if (!verdict.ok) {
          const file = save(`gen-${name}-${seed}.json`, `${JSON.stringify({ target, generator: name, seed, scale: GENERATOR_SCALE, chunkSizes })}\n`);
          findings.push(`${verdict.reason}\n  saved: ${file}`);
        }
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    const generatorInputs = Object.values(counts).reduce((sum, n) => sum + n, 0);
    console.log(
      `fuzz generators: ${generatorInputs} inputs in ${((Date.now() - generatorStart) / 1000).toFixed(0)} s (${Object.entries(counts).map(([name, n]) => `${name} ${n}`).join(', ')})`,
    );

    // 3. The whole stack on mutated transcripts: the rest of the budget.
    const sessionStart = Date.now();
    const sessionEnd = Math.max(sessionStart + BUDGET_MS * 0.15, generatorStart + BUDGET_MS);
    mkdirSync(regressionsDir, { recursive: true });
    const inFlight = join(regressionsDir, `session-crashed-process-${SEED}.txt`);
    let sessionInputs = 0;
    const outcomes = { settled: 0, succeeded: 0 };
    while (Date.now() < sessionEnd) {
      const { scenario, transcripts } = all[Math.floor(random() * all.length)] as (typeof all)[number];
      const phaseIndex = Math.floor(random() * scenario.phases.length);
      const mutated = mutateTranscript(random, transcripts[phaseIndex] as (typeof transcripts)[number], streams);
      // Written before the run: if the process dies (a V8 fatal error cannot be caught), the input
      // that killed it stays here and the regression test picks it up.
      const formatted = formatTranscript({ meta: { ...mutated.meta, scenario: scenario.name, phase: String(phaseIndex) }, records: mutated.records });
      writeFileSync(inFlight, formatted);
      const verdict = await runSessionTarget(scenario, transcripts, phaseIndex, mutated);
      sessionInputs++;
      if (verdict.ok) {
        outcomes.settled++;
        if (verdict.outcome === 'ok') outcomes.succeeded++;
      } else {
        const file = save(`session-${scenario.name}-${phaseIndex + 1}-${SEED}-${sessionInputs}.txt`, formatted);
        findings.push(`${verdict.reason}\n  saved: ${file}`);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    rmSync(inFlight, { force: true });
    const parser = await parserReport;
    findings.push(...parser.findings);
    peakRss = Math.max(peakRss, parser.peakRss);
    console.log(
      `fuzz parser: ${parser.inputs} inputs (${(parser.bytes / 1e6).toFixed(1)} MB) in ${parser.seconds.toFixed(0)} s = ${Math.round(parser.inputs / parser.seconds)} inputs/s`,
    );
    const sessionSeconds = (Date.now() - sessionStart) / 1000;
    console.log(`fuzz session: ${sessionInputs} inputs in ${sessionSeconds.toFixed(0)} s = ${(sessionInputs / sessionSeconds).toFixed(1)} inputs/s`);
    console.log(`fuzz: peak RSS ${Math.round(peakRss / 1e6)} MB; ${findings.length} findings; ${stray.length} stray exceptions`);
    // The oracle accepts typed errors, so it also checks that the targets are not rejecting
    // everything: some mutated streams parse without an error event, some phases succeed.
    console.log(`fuzz: ${parser.clean}/${parser.inputs} parser inputs without an error event; ${outcomes.succeeded}/${sessionInputs} session inputs succeeded`);
    if (parser.inputs >= 100) assert.ok(parser.clean > 0, 'no mutated stream parsed cleanly');
    if (sessionInputs >= 20) assert.ok(outcomes.succeeded > 0, 'no mutated session input succeeded');
  } finally {
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
  }
  assert.deepEqual(stray, [], 'uncaught exceptions or unhandled rejections');
  assert.deepEqual(findings, []);
  assert.ok(peakRss < 1.5e9, `peak RSS ${peakRss} over 1.5 GB`);
});
