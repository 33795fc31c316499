/**
 * Faults over a recorded sync: the replayed connection is cut at every response boundary and at
 * random byte offsets of each phase of the dovecot-sync transcripts; then a fresh sync runs
 * against the real Dovecot, rebuilt to the very state the transcript was recorded from. The store
 * must end equal to the uncut run (no message lost, none duplicated), and right after the cut
 * the covered range [coveredFrom, cursor] must hold only stored rows.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { propertyRuns, randomSeed } from '../support/property-config.js';
import type { Transcript } from '../../src/imap/transcript/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { caPem, makeOAuthToken, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';
import { responseBoundaries } from '../support/replay/replay-peer.js';
import { replayScenario } from '../support/replay/run-scenario.js';
import { loadScenarioTranscripts, scenarios, type Scenario, type ScenarioServer } from '../support/replay/scenarios.js';
import { dumpStore } from '../support/replay/store-dump.js';

const RANDOM_CUTS = propertyRuns(0.01, 5);
/** The random offsets' seed: printed, so a failing (or hanging) run can be repeated with PRX_PROPERTY_SEED. */
const SEED = randomSeed();

let env: DovecotEnv;
let server: ScenarioServer;

before(() => {
  env = startDovecot();
  server = {
    host: env.host,
    implicitPort: env.implicitPort,
    starttlsPort: env.starttlsPort,
    ca: caPem(env),
    password: (user) => env.users[user] ?? '',
    token: (user) => makeOAuthToken(env, { sub: user }),
  };
});

const scenario = scenarios.find((s) => s.name === 'dovecot-sync') as Scenario;
const transcripts = loadScenarioTranscripts(scenario);

/** The store after replaying phases [0, upTo) uncut. */
async function storeBefore(upTo: number): Promise<Store> {
  const store = await openStore(':memory:');
  const earlier = { ...scenario, phases: scenario.phases.slice(0, upTo) };
  await replayScenario(earlier, transcripts.slice(0, upTo), () => ({}), store);
  return store;
}

function serverStreamLength(transcript: Transcript): number {
  return transcript.records.filter((r) => r.from === 'S').reduce((sum, r) => sum + r.bytes.length, 0);
}

/** The server's live UIDs per UIDVALIDITY, as the uncut runs before and after the phase saw them. */
async function liveUidsByUidValidity(stores: Store[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  for (const store of stores) {
    if ((await store.getFolder(1, 'INBOX')) === null) continue;
    const state = await store.loadFolderState(1, 'INBOX');
    if (state.uidValidity !== null) map.set(state.uidValidity, (await store.listLocations(state.folderId, state.uidValidity)).map((l) => l.uid));
  }
  return map;
}

/** Every server UID in the covered range [coveredFrom, cursor] (in the store's UIDVALIDITY) is
 * stored live. */
async function assertCursorNotAhead(store: Store, liveServerUids: Map<number, number[]>): Promise<void> {
  if ((await store.getFolder(1, 'INBOX')) === null) return;
  const state = await store.loadFolderState(1, 'INBOX');
  if (state.uidValidity === null) return;
  const stored = new Set((await store.listLocations(state.folderId, state.uidValidity)).map((l) => l.uid));
  for (const uid of liveServerUids.get(state.uidValidity) ?? []) {
    if (uid >= state.coveredFrom && uid <= state.cursor) {
      assert.ok(stored.has(uid), `UID ${uid} in [${state.coveredFrom}, ${state.cursor}] is not stored`);
    }
  }
}

describe('cut connections over the recorded dovecot-sync transcripts, then a real resync', () => {
  for (const [phaseIndex, phase] of scenario.phases.entries()) {
    test(`phase ${phaseIndex + 1} (${phase.name}): every response boundary and ${RANDOM_CUTS} random offsets (seed ${SEED})`, { timeout: 10 * 60_000 }, async () => {
      // The server as it was when this phase was recorded.
      for (const earlier of scenario.phases.slice(0, phaseIndex + 1)) earlier.prepare?.(env);
      const transcript = transcripts[phaseIndex] as Transcript;
      const uncut = await storeBefore(phaseIndex + 1);
      const expected = await dumpStore(uncut);
      const previous = await storeBefore(phaseIndex);
      const liveServerUids = await liveUidsByUidValidity([previous, uncut]);
      await previous.close();
      await uncut.close();

      const length = serverStreamLength(transcript);
      let cases = 0;
      const cutAndResume = async (offset: number): Promise<void> => {
        cases++;
        const store = await storeBefore(phaseIndex);
        const only = { ...scenario, phases: [phase] };
        await replayScenario(only, [transcript], () => ({ cutAfterServerBytes: offset }), store).catch(() => undefined);
        await assertCursorNotAhead(store, liveServerUids);
        await phase.run({ server, session: {}, store });
        assert.deepEqual((await dumpStore(store)), expected, `cut after ${offset} of ${length} server bytes`);
        await store.close();
      };

      for (const boundary of responseBoundaries(transcript)) await cutAndResume(boundary);
      await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: length - 1 }), cutAndResume), { numRuns: RANDOM_CUTS, seed: SEED });
      console.log(`phase ${phase.name}: ${cases} cuts of a ${length}-byte server stream, each resumed against Dovecot`);
    });
  }
});

