/**
 * A connection cut while the MIME worker is still starting, with parses queued on it: the sync
 * fails, the plugin closes its worker pool, and every promise settles. Node can lose the 'exit'
 * of a worker terminated while it loads its script when nothing else keeps the event loop alive
 * (this replay has no sockets and no timers); the pool must not wait on it forever. Found by
 * transcript-faults on CI: "Promise resolution is still pending but the event loop has already
 * resolved".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { replayScenario } from '../support/replay/run-scenario.js';
import { loadScenarioTranscripts, scenarios, type Scenario } from '../support/replay/scenarios.js';

// Right after the third message of the initial sync's second round ("* 6 FETCH (... BODY[]
// {...} ...)"; newest first, the first round stored UIDs 12-19): parses are queued.
const CUT_AFTER_SERVER_BYTES = 7712;

test('a replayed sync cut with parses queued on a starting worker settles, twenty times over', async () => {
  const scenario = scenarios.find((s) => s.name === 'dovecot-sync') as Scenario;
  const transcripts = loadScenarioTranscripts(scenario);
  const initial = { ...scenario, phases: scenario.phases.slice(0, 1) };
  for (let attempt = 0; attempt < 20; attempt++) {
    const store = await openStore(':memory:');
    const run = await replayScenario(initial, transcripts.slice(0, 1), () => ({ cutAfterServerBytes: CUT_AFTER_SERVER_BYTES }), store);
    // The phase reports the cut as a typed network error, and the rows before it are kept.
    assert.deepEqual(run.results[0], [{ new: 8, updated: 0, deleted: 0, cursor: 19, remaining: 11, uidvalidityChanged: false }, { error: 'NETWORK', retryAfterMs: null }]);
    await store.close();
  }
});
