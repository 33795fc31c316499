/**
 * Time-boxed mutation fuzzing of recorded server streams (PRX_FUZZ_SECONDS, default 120; seed
 * PRX_FUZZ_SEED, default random and printed). A third of the budget goes to the parser, the rest
 * to the whole client stack (test/fuzz/targets.ts). Every finding is written to
 * fixtures/fuzz-regressions/ (replayed by regressions.test.ts once committed) and fails the run;
 * so do uncaught exceptions and unhandled rejections anywhere in the process. Prints inputs/s.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatTranscript, sideBytes } from '../../src/imap/transcript/index.js';
import { CORPUS_BYTES } from '../support/wire-corpus.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { createRandom, mutateBytes, mutateTranscript } from './mutate.js';
import { runParserTarget, runSessionTarget } from './targets.js';
import { regressionsDir } from './regressions-dir.js';

const BUDGET_MS = Number(process.env.PRX_FUZZ_SECONDS ?? 120) * 1000;
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
    // 1. Parser: a third of the budget.
    const random = createRandom(SEED);
    const parserEnd = Date.now() + BUDGET_MS / 3;
    let parserInputs = 0;
    let parserBytes = 0;
    let parserClean = 0;
    while (Date.now() < parserEnd) {
      for (let batch = 0; batch < 50; batch++) {
        let stream = streams[Math.floor(random() * streams.length)] as Uint8Array;
        const edits = 1 + Math.floor(random() * 8);
        for (let i = 0; i < edits; i++) stream = mutateBytes(random, stream, streams);
        const chunks = Array.from({ length: 1 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * (random() < 0.3 ? 8 : 4096)));
        const verdict = runParserTarget(stream, chunks);
        parserInputs++;
        parserBytes += stream.length;
        if (verdict.ok && verdict.errors === 0) parserClean++;
        if (!verdict.ok) findings.push(`${verdict.reason}\n  saved: ${save(`parser-${SEED}-${parserInputs}.bin`, stream)} (chunks ${chunks.join(',')})`);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const parserSeconds = BUDGET_MS / 3000;
    console.log(
      `fuzz parser: ${parserInputs} inputs (${(parserBytes / 1e6).toFixed(1)} MB) in ${parserSeconds.toFixed(0)} s = ${Math.round(parserInputs / parserSeconds)} inputs/s`,
    );

    // 2. The whole stack: the rest of the budget.
    const sessionStart = Date.now();
    const sessionEnd = sessionStart + (BUDGET_MS * 2) / 3;
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
      }
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
    // The oracle accepts typed errors, so it also checks that the targets are not rejecting
    // everything: some mutated streams parse without an error event, some phases succeed.
    console.log(`fuzz: ${parserClean}/${parserInputs} parser inputs without an error event; ${outcomes.succeeded}/${sessionInputs} session inputs succeeded`);
    if (parserInputs >= 100) assert.ok(parserClean > 0, 'no mutated stream parsed cleanly');
    if (sessionInputs >= 20) assert.ok(outcomes.succeeded > 0, 'no mutated session input succeeded');
  } finally {
    process.off('uncaughtException', onStray);
    process.off('unhandledRejection', onStray);
  }
  assert.deepEqual(stray, [], 'uncaught exceptions or unhandled rejections');
  assert.deepEqual(findings, []);
  assert.ok(peakRss < 1.5e9, `peak RSS ${peakRss} over 1.5 GB`);
});
