/**
 * Child process of process-survival.test.ts: runs every saved structure-aware server input
 * (fixtures/fuzz-regressions/gen-*.json with target "server") plus one input of each server
 * generator through the real client, with NO uncaughtException handler — an exception that
 * escapes to the event loop ends this process with a non-zero code. Prints one line per input
 * and "survived N" at the end. Test-only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_GENERATORS } from './generators.js';
import { GENERATOR_BUDGET_MS, runServerGenerator } from './hostile-targets.js';
import { createRandom } from './mutate.js';
import { regressionsDir } from './regressions-dir.js';

const inputs: Array<{ generator: string; seed: number; scale: number; chunkSizes: number[] }> = [];
for (const file of readdirSync(regressionsDir).sort()) {
  if (!file.startsWith('gen-') || !file.endsWith('.json')) continue;
  const input = JSON.parse(readFileSync(join(regressionsDir, file), 'utf8')) as { target: string; generator: string; seed: number; scale: number; chunkSizes: number[] };
  if (input.target === 'server') inputs.push(input);
}
for (const [index, generator] of Object.keys(SERVER_GENERATORS).entries()) inputs.push({ generator, seed: 7000 + index, scale: 0.5, chunkSizes: [4093] });

let count = 0;
for (const input of inputs) {
  const verdict = await runServerGenerator(input.generator, createRandom(input.seed), input.scale, input.chunkSizes, GENERATOR_BUDGET_MS * 3);
  count++;
  process.stdout.write(`${input.generator} ${input.seed}: ${verdict.ok ? 'ok' : verdict.reason}\n`);
}
process.stdout.write(`survived ${count}\n`);
