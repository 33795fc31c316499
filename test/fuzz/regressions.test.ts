/**
 * Fuzz findings, kept: every input in fixtures/fuzz-regressions/ (parser streams as .bin,
 * mutated scenario transcripts as .txt, structure-aware generator inputs as .json
 * {target, generator, seed, scale, chunkSizes}) runs through its target again and must pass,
 * generator inputs within their wall-clock budget. Plus a fixed-seed slice of the fuzzer (same
 * inputs on every run), so the targets stay exercised whatever the time-boxed run draws.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTranscript, sideBytes } from '../../src/imap/transcript/index.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { createRandom, mutateBytes, mutateTranscript } from './mutate.js';
import { regressionsDir } from './regressions-dir.js';
import { MIME_GENERATORS, SERVER_GENERATORS } from './generators.js';
import { GENERATOR_BUDGET_MS, runMimeGenerator, runServerGenerator } from './hostile-targets.js';
import { runParserTarget, runSessionTarget } from './targets.js';

const files = existsSync(regressionsDir) ? readdirSync(regressionsDir).sort() : [];

test(`fuzz regressions: ${files.length} saved findings pass their target`, async () => {
  for (const file of files) {
    const path = join(regressionsDir, file);
    if (file.endsWith('.bin')) {
      for (const chunks of [[1], [7], [4096]]) {
        const verdict = runParserTarget(readFileSync(path), chunks);
        assert.ok(verdict.ok, `${file}: ${verdict.ok ? '' : verdict.reason}`);
      }
    } else if (file.endsWith('.txt')) {
      const mutated = parseTranscript(readFileSync(path, 'utf8'));
      const scenario = scenarios.find((s) => s.name === mutated.meta.scenario);
      assert.ok(scenario, `${file}: unknown scenario ${mutated.meta.scenario}`);
      const phase = Number(mutated.meta.phase);
      const verdict = await runSessionTarget(scenario, loadScenarioTranscripts(scenario), phase, mutated);
      assert.ok(verdict.ok, `${file}: ${verdict.ok ? '' : verdict.reason}`);
    } else if (file.endsWith('.json')) {
      const input = JSON.parse(readFileSync(path, 'utf8')) as { target: 'server' | 'mime'; generator: string; seed: number; scale: number; chunkSizes: number[] };
      const verdict =
        input.target === 'server'
          ? await runServerGenerator(input.generator, createRandom(input.seed), input.scale, input.chunkSizes, GENERATOR_BUDGET_MS)
          : await runMimeGenerator(input.generator, createRandom(input.seed), input.scale, GENERATOR_BUDGET_MS);
      assert.ok(verdict.ok, `${file}: ${verdict.ok ? '' : verdict.reason}`);
    }
  }
});

test('fuzz oracle controls: every unmutated stream parses without an error event, every unmutated phase succeeds', async () => {
  for (const scenario of scenarios) {
    const transcripts = loadScenarioTranscripts(scenario);
    for (const [phaseIndex, transcript] of transcripts.entries()) {
      for (const chunks of [[1], [4096]]) {
        const parsed = runParserTarget(sideBytes(transcript, 'S'), chunks);
        assert.ok(parsed.ok && parsed.errors === 0 && parsed.events > 0, `${scenario.name} phase ${phaseIndex + 1}: ${JSON.stringify(parsed)}`);
      }
      const verdict = await runSessionTarget(scenario, transcripts, phaseIndex, transcript);
      assert.ok(verdict.ok && verdict.outcome === 'ok', `${scenario.name} phase ${phaseIndex + 1}: ${JSON.stringify(verdict)}`);
    }
  }
});

test('fuzz, fixed seed: 3000 parser inputs and 60 whole-stack inputs', async () => {
  const random = createRandom(20261125);
  const all = scenarios.map((scenario) => ({ scenario, transcripts: loadScenarioTranscripts(scenario) }));
  const streams = all.flatMap(({ transcripts }) => transcripts.map((t) => sideBytes(t, 'S')));
  let events = 0;
  for (let i = 0; i < 3000; i++) {
    let stream = streams[Math.floor(random() * streams.length)] as Uint8Array;
    for (let edit = 0; edit < 4; edit++) stream = mutateBytes(random, stream, streams);
    const verdict = runParserTarget(stream, [1 + Math.floor(random() * 300)]);
    assert.ok(verdict.ok, verdict.ok ? '' : verdict.reason);
    events += verdict.events;
  }
  assert.ok(events > 3000, 'the mutated streams still parse into events');
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    const { scenario, transcripts } = all[i % all.length] as (typeof all)[number];
    const phaseIndex = i % scenario.phases.length;
    const verdict = await runSessionTarget(scenario, transcripts, phaseIndex, mutateTranscript(random, transcripts[phaseIndex] as (typeof transcripts)[number], streams));
    assert.ok(verdict.ok, verdict.ok ? '' : verdict.reason);
    outcomes.set(verdict.outcome, (outcomes.get(verdict.outcome) ?? 0) + 1);
  }
  // A client that refused every input with a typed error would pass the per-input oracle: some
  // mutated inputs (those whose mutation the client can tolerate) must still succeed.
  console.log(`fuzz fixed seed, whole stack: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get('ok') ?? 0) >= 6, `too few mutated inputs handled successfully: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});

test('fuzz, fixed seed: every structure-aware generator, small scale, tiny and large chunks', async () => {
  const random = createRandom(20261202);
  for (const name of Object.keys(SERVER_GENERATORS)) {
    for (const chunkSizes of [[7], [65536]]) {
      const verdict = await runServerGenerator(name, createRandom(Math.floor(random() * 2 ** 31)), 0.02, chunkSizes, GENERATOR_BUDGET_MS);
      assert.ok(verdict.ok, verdict.ok ? '' : verdict.reason);
    }
  }
  for (const name of Object.keys(MIME_GENERATORS)) {
    const verdict = await runMimeGenerator(name, createRandom(Math.floor(random() * 2 ** 31)), 0.1, GENERATOR_BUDGET_MS);
    assert.ok(verdict.ok, verdict.ok ? '' : verdict.reason);
  }
});
