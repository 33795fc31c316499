/**
 * The parser half of the time-boxed fuzz run: mutated recorded server streams (and the wire
 * corpus) pushed in random chunks through the response parser until the budget is spent, each
 * input under a wall-clock budget. Runs in a worker thread of the fuzz test
 * (parser-fuzz-worker.ts) so that it has a core to itself while the main thread fuzzes the
 * whole client; findings are saved to fixtures/fuzz-regressions/ and returned. Test-only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sideBytes } from '../../src/imap/transcript/index.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { CORPUS_BYTES } from '../support/wire-corpus.js';
import { createRandom, mutateBytes } from './mutate.js';
import { regressionsDir } from './regressions-dir.js';
import { runParserTarget } from './targets.js';

/** Wall-clock budget of one mutated parser input (a few KiB: milliseconds each; generous for a
 * loaded machine's GC pauses). */
export const PARSER_INPUT_BUDGET_MS = 1_000;

export interface ParserFuzzReport {
  inputs: number;
  bytes: number;
  seconds: number;
  /** Inputs that parsed without an error event (the oracle is not rejecting everything). */
  clean: number;
  findings: string[];
  peakRss: number;
}

export function fuzzParser(seed: number, budgetMs: number): ParserFuzzReport {
  const streams = [...scenarios.flatMap((scenario) => loadScenarioTranscripts(scenario).map((t) => sideBytes(t, 'S'))), ...CORPUS_BYTES];
  const random = createRandom(seed);
  const findings: string[] = [];
  const save = (name: string, content: Uint8Array): string => {
    mkdirSync(regressionsDir, { recursive: true });
    const file = join(regressionsDir, name);
    writeFileSync(file, content);
    return file;
  };
  const started = Date.now();
  const end = started + budgetMs;
  let inputs = 0;
  let bytes = 0;
  let clean = 0;
  let peakRss = process.memoryUsage().rss;
  while (Date.now() < end) {
    for (let batch = 0; batch < 200; batch++) {
      let stream = streams[Math.floor(random() * streams.length)] as Uint8Array;
      const edits = 1 + Math.floor(random() * 8);
      for (let i = 0; i < edits; i++) stream = mutateBytes(random, stream, streams);
      const chunks = Array.from({ length: 1 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * (random() < 0.3 ? 8 : 4096)));
      const inputStarted = performance.now();
      const verdict = runParserTarget(stream, chunks);
      const inputMs = performance.now() - inputStarted;
      inputs++;
      bytes += stream.length;
      if (verdict.ok && verdict.errors === 0) clean++;
      if (!verdict.ok) findings.push(`${verdict.reason}\n  saved: ${save(`parser-${seed}-${inputs}.bin`, stream)} (chunks ${chunks.join(',')})`);
      else if (inputMs > PARSER_INPUT_BUDGET_MS) {
        findings.push(`parser: ${inputMs.toFixed(0)} ms for ${stream.length} bytes, over the budget of ${PARSER_INPUT_BUDGET_MS} ms\n  saved: ${save(`parser-slow-${seed}-${inputs}.bin`, stream)} (chunks ${chunks.join(',')})`);
      }
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  return { inputs, bytes, clean, seconds: (Date.now() - started) / 1000, findings, peakRss };
}
