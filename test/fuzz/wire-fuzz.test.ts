/**
 * Time-boxed fuzzing (PRX_FUZZ_SECONDS, default 120; seed PRX_FUZZ_SEED, default random and
 * printed). Half of the budget goes to the parser on mutated recorded streams, 15 % to the
 * structure-aware generators (generators.ts: huge lists, literal-size lies, deep nesting, STARTTLS
 * injection against the whole client; pathological MIME against the parser of messages), each
 * input under a wall-clock budget, and the rest to the whole client stack on mutated scenario
 * transcripts (test/fuzz/targets.ts). Every finding is written to fixtures/fuzz-regressions/
 * (replayed by regressions.test.ts once committed) and fails the run; so do uncaught exceptions
 * and unhandled rejections anywhere in the process. Prints inputs/s.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatTranscript, sideBytes } from '../../src/imap/transcript/index.js';
import { CORPUS_BYTES } from '../support/wire-corpus.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { createRandom, mutateBytes, mutateTranscript } from './mutate.js';
import { MIME_GENERATORS, SERVER_GENERATORS } from './generators.js';
import { GENERATOR_BUDGET_MS, runMimeGenerator, runServerGenerator } from './hostile-targets.js';
import { runParserTarget, runSessionTarget } from './targets.js';
import { regressionsDir } from './regressions-dir.js';

const BUDGET_MS = Number(process.env.PRX_FUZZ_SECONDS ?? 120) * 1000;
/** Wall-clock budget of one mutated parser input (they are a few KiB: milliseconds each). */
const PARSER_INPUT_BUDGET_MS = 500;
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
    // 1. Parser: half of the budget.
    const random = createRandom(SEED);
    const parserStart = Date.now();
    const parserEnd = parserStart + BUDGET_MS / 2;
    let parserInputs = 0;
    let parserBytes = 0;
    while (Date.now() < parserEnd) {
      for (let batch = 0; batch < 200; batch++) {
        let stream = streams[Math.floor(random() * streams.length)] as Uint8Array;
        const edits = 1 + Math.floor(random() * 8);
        for (let i = 0; i < edits; i++) stream = mutateBytes(random, stream, streams);
        const chunks = Array.from({ length: 1 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * (random() < 0.3 ? 8 : 4096)));
        const inputStarted = performance.now();
        const verdict = runParserTarget(stream, chunks);
        const inputMs = performance.now() - inputStarted;
        if (verdict.ok && inputMs > PARSER_INPUT_BUDGET_MS) {
          findings.push(`parser: ${inputMs.toFixed(0)} ms for ${stream.length} bytes, over the budget of ${PARSER_INPUT_BUDGET_MS} ms\n  saved: ${save(`parser-slow-${SEED}-${parserInputs}.bin`, stream)} (chunks ${chunks.join(',')})`);
        }
        parserInputs++;
        parserBytes += stream.length;
        if (!verdict.ok) findings.push(`${verdict.reason}\n  saved: ${save(`parser-${SEED}-${parserInputs}.bin`, stream)} (chunks ${chunks.join(',')})`);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const parserSeconds = (Date.now() - parserStart) / 1000;
    console.log(
      `fuzz parser: ${parserInputs} inputs (${(parserBytes / 1e6).toFixed(1)} MB) in ${parserSeconds.toFixed(0)} s = ${Math.round(parserInputs / parserSeconds)} inputs/s`,
    );

    // 2. Structure-aware generators: 15 % of the budget, round robin, at least one input each.
    const generatorStart = Date.now();
    const generatorEnd = generatorStart + BUDGET_MS * 0.15;
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
            ? await runServerGenerator(name, createRandom(seed), 1, chunkSizes, GENERATOR_BUDGET_MS)
            : await runMimeGenerator(name, createRandom(seed), 1, GENERATOR_BUDGET_MS);
        counts[name] = (counts[name] ?? 0) + 1;
        if (!verdict.ok) {
          const file = save(`gen-${name}-${seed}.json`, `${JSON.stringify({ target, generator: name, seed, scale: 1, chunkSizes })}\n`);
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
    const sessionEnd = sessionStart + BUDGET_MS * 0.35;
    mkdirSync(regressionsDir, { recursive: true });
    const inFlight = join(regressionsDir, `session-crashed-process-${SEED}.txt`);
    let sessionInputs = 0;
    const outcomes = { settled: 0 };
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
      if (verdict.ok) outcomes.settled++;
      else {
        const file = save(`session-${scenario.name}-${phaseIndex + 1}-${SEED}-${sessionInputs}.txt`, formatted);
        findings.push(`${verdict.reason}\n  saved: ${file}`);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    rmSync(inFlight, { force: true });
    const sessionSeconds = (Date.now() - sessionStart) / 1000;
    console.log(`fuzz session: ${sessionInputs} inputs in ${sessionSeconds.toFixed(0)} s = ${(sessionInputs / sessionSeconds).toFixed(1)} inputs/s`);
    console.log(`fuzz: peak RSS ${Math.round(peakRss / 1e6)} MB; ${findings.length} findings; ${stray.length} stray exceptions`);
  } finally {
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
  }
  assert.deepEqual(stray, [], 'uncaught exceptions or unhandled rejections');
  assert.deepEqual(findings, []);
  assert.ok(peakRss < 1.5e9, `peak RSS ${peakRss} over 1.5 GB`);
});
