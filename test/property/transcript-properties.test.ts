/**
 * Properties over every recorded transcript (fast-check):
 *  - chunking: the server's bytes cut into arbitrary pieces give the same results and the same
 *    store as the plain replay;
 *  - unsolicited data (keepalives, ALERTs, warnings) injected at response boundaries changes
 *    nothing either: no crash, same results, same store.
 * Cuts followed by a resumed sync against the real server: test/integration/transcript-faults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { normalizeResult, replayScenario, type ReplayRun } from '../support/replay/run-scenario.js';
import { responseBoundaries } from '../support/replay/replay-peer.js';
import { loadScenarioTranscripts, scenarios } from '../support/replay/scenarios.js';
import { dumpStore } from '../support/replay/store-dump.js';

// A twentieth of PRX_PROPERTY_RUNS per scenario and property (100 by default): 20 scenarios x 2
// properties of whole replays are most of the suite's time.
const RUNS = propertyRuns(0.05, 5);

function assertClean(run: ReplayRun): void {
  for (const connections of run.connections) {
    for (const connection of connections) {
      assert.equal(connection.peer.mismatch, null);
      assert.ok(connection.peer.finished, `stopped early; next: ${connection.peer.expecting()}`);
    }
  }
}

const UNSOLICITED = [
  '* OK Still here\r\n',
  '* OK [ALERT] Maintenance tonight at 23:00 UTC\r\n',
  '* NO [ALERT] Mailbox is at 95% of its quota\r\n',
  '* OK [UNAVAILABLE] Background indexing\r\n',
  '* OK\r\n',
].map((line) => new TextEncoder().encode(line));

for (const scenario of scenarios) {
  const transcripts = loadScenarioTranscripts(scenario);

  test(`chunking: ${scenario.name} gives the same results and store for any split of the server bytes`, async () => {
    const baseline = await replayScenario(scenario, transcripts);
    assertClean(baseline);
    const expectedResults = normalizeResult(baseline.results);
    const expectedStore = await dumpStore(baseline.store);
    await baseline.store.close();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 12, size: 'max' }), async (chunkSizes) => {
        runs++;
        const run = await replayScenario(scenario, transcripts, () => ({ chunkSizes }));
        try {
          assertClean(run);
          assert.deepEqual(normalizeResult(run.results), expectedResults);
          assert.deepEqual((await dumpStore(run.store)), expectedStore);
        } finally {
          await run.store.close();
        }
      }),
      propertyParameters(RUNS),
    );
    console.log(`chunking ${scenario.name}: ${runs} runs`);
  });

  test(`unsolicited data: ${scenario.name} ignores keepalives, ALERTs and warnings between any responses`, async () => {
    const baseline = await replayScenario(scenario, transcripts);
    const expectedResults = normalizeResult(baseline.results);
    const expectedStore = await dumpStore(baseline.store);
    await baseline.store.close();
    // Legal points: after the greeting, between complete responses (never inside a literal).
    const points = transcripts.map((transcript) => responseBoundaries(transcript).slice(0, -1));
    const phaseInjections = fc.tuple(
      ...points.map((boundaries) =>
        fc.array(fc.record({ at: fc.constantFrom(...boundaries), line: fc.constantFrom(...UNSOLICITED) }), { maxLength: 6, size: 'max' }),
      ),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(phaseInjections, async (injections) => {
        runs++;
        const run = await replayScenario(scenario, transcripts, (phase) => ({
          inject: (injections[phase] ?? []).map(({ at, line }) => ({ atServerOffset: at, bytes: line })),
        }));
        try {
          assertClean(run);
          assert.deepEqual(normalizeResult(run.results), expectedResults);
          assert.deepEqual((await dumpStore(run.store)), expectedStore);
        } finally {
          await run.store.close();
        }
      }),
      propertyParameters(RUNS),
    );
    console.log(`unsolicited ${scenario.name}: ${runs} runs`);
  });
}
