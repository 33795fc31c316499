/**
 * Property: whatever happens on the server (appends, flag changes, expunges, UIDVALIDITY resets)
 * and however syncs are cut (connection lost at any call or after any message, crash before a
 * commit, small maxMessages, newest-first backfill bounded by a random `since` over messages whose
 * INTERNALDATEs are not in UID order), a final clean sync leaves the store equal to the server:
 * every live message once, with its flags, none lost, none duplicated; and after every step the
 * covered range [coveredFrom, cursor] holds only stored messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { syncFolder } from '../../src/sync/folder-sync.js';
import {
  appendMessage,
  createFakeSession,
  createModelFolder,
  expungeMessage,
  modelMessageIds,
  resetUidValidity,
  setFlags,
} from '../support/fake-folder-session.js';
import { openStore } from '../../src/store/index.js';
import type { SyncStore } from '../../src/sync/ports.js';
import { createSyncStore } from '../../src/sync/store-adapter.js';
import { createMemorySyncStore } from '../support/memory-sync-store.js';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

type Step =
  | { kind: 'append'; count: number; withId: boolean; ageDays: number[] }
  | { kind: 'flag'; pick: number; seen: boolean }
  | { kind: 'expunge'; pick: number }
  | { kind: 'reset'; rotate: number; reverse: boolean }
  | { kind: 'sync'; maxMessages: number; batch: number; fault: Fault; /** Backfill bound, in days before the model's "today". */ sinceDays: number | null };

/** At most one fault per sync, and half of the syncs run clean, so incremental and no-change
 * syncs are exercised between the faults (not only by the final clean sync). */
type Fault = { kind: 'none' } | { kind: 'cut-at-call'; call: number } | { kind: 'cut-after-messages'; messages: number } | { kind: 'crash-commit' };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-at-call' as const), call: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut-after-messages' as const), messages: fc.integer({ min: 0, max: 10 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash-commit' as const }) },
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      count: fc.integer({ min: 1, max: 8 }),
      withId: fc.boolean(),
      // Mostly recent mail, sometimes old mail arriving late (a moved or imported message).
      ageDays: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 })), { minLength: 8, maxLength: 8 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flag' as const), pick: fc.nat(), seen: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expunge' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), rotate: fc.nat(), reverse: fc.boolean() }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      maxMessages: fc.integer({ min: 1, max: 20 }),
      batch: fc.integer({ min: 1, max: 6 }),
      fault: faultArb,
      sinceDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
    }),
  },
);

const modeArb = fc.constantFrom(
  { condstore: true, qresync: true },
  { condstore: true, qresync: false },
  { condstore: false, qresync: false },
);

let nextBodyId = 0;
const DAY = 86_400_000;
/** The model's "today" (00:00 UTC). */
const TODAY = 1_767_225_600_000;

/** A store under test plus a switch that makes its next commit fail (crash before commit). */
interface StoreUnderTest {
  store: SyncStore;
  /** Makes the next commit fail (true) or clears that (false). */
  failNextApply(on: boolean): void;
  dispose(): void;
}

function crashable(store: SyncStore, dispose: () => void): StoreUnderTest {
  let fail = false;
  return {
    store: {
      ...store,
      applyBatch: async (batch) => {
        if (fail) {
          fail = false;
          throw new Error('simulated crash before commit');
        }
        return store.applyBatch(batch);
      },
    },
    failNextApply: (on) => {
      fail = on;
    },
    dispose,
  };
}

async function checkConvergence(name: string, makeStore: () => Promise<StoreUnderTest>, numRuns: number): Promise<void> {
  let runs = 0;
  let syncs = 0;
  let cleanSyncs = 0;
  await fc.assert(
    fc.asyncProperty(modeArb, fc.array(stepArb, { minLength: 1, maxLength: 25, size: 'max' }), async (mode, steps) => {
      runs++;
      const folder = createModelFolder(1);
      const seenUidValidities = new Set<number>([folder.uidValidity]);
      const harness = await makeStore();
      const store = harness.store;
      const options = { accountId: 1, folder: 'INBOX', nowTs: 1 };
      for (const step of steps) {
        if (step.kind === 'append') {
          for (let i = 0; i < step.count; i++) {
            appendMessage(folder, makeRaw(nextBodyId++, undefined, step.withId), [], TODAY - (step.ageDays[i] ?? 0) * DAY);
          }
        } else if (step.kind === 'flag' && folder.messages.length > 0) {
          const m = folder.messages[step.pick % folder.messages.length];
          if (m) setFlags(folder, m.uid, step.seen ? ['\\Seen'] : ['\\Flagged']);
        } else if (step.kind === 'expunge' && folder.messages.length > 0) {
          const m = folder.messages[step.pick % folder.messages.length];
          if (m) expungeMessage(folder, m.uid);
        } else if (step.kind === 'reset') {
          // The server renumbers, possibly in another order (same-size messages then differ
          // only by Message-ID).
          const n = folder.messages.length;
          const order = Array.from({ length: n }, (_, i) => (step.rotate + i) % Math.max(1, n));
          if (step.reverse) order.reverse();
          resetUidValidity(folder, order);
          seenUidValidities.add(folder.uidValidity);
        } else if (step.kind === 'sync') {
          const { fault } = step;
          const session = createFakeSession(folder, {
            ...mode,
            ...(fault.kind === 'cut-at-call' ? { failAtCall: fault.call } : {}),
            ...(fault.kind === 'cut-after-messages' ? { failAfterMessages: fault.messages } : {}),
          });
          harness.failNextApply(fault.kind === 'crash-commit');
          syncs++;
          if (fault.kind === 'none') cleanSyncs++;
          const outcome = await syncFolder(session, store, simpleParse, {
            ...options,
            maxMessages: step.maxMessages,
            batchMessages: step.batch,
            ...(step.sinceDays === null ? {} : { since: TODAY - step.sinceDays * DAY }),
          }).then(
            () => null,
            (error: Error) => error,
          );
          // A sync without an injected fault must succeed.
          if (fault.kind === 'none') assert.equal(outcome, null, `a clean sync failed: ${String(outcome)}`);
          harness.failNextApply(false);
          // Range invariant: every server message with a UID in [coveredFrom, cursor] is stored
          // (when the store's UIDVALIDITY is the server's).
          const state = await store.loadFolderState(1, 'INBOX');
          assert.ok(state.coveredFrom >= 1 && state.coveredFrom <= state.cursor + 1, `range [${state.coveredFrom}, ${state.cursor}]`);
          if (state.uidValidity === folder.uidValidity) {
            const stored = new Set((await store.listLocations(state.folderId, state.uidValidity)).map((l) => l.uid));
            for (const m of folder.messages) {
              if (m.uid >= state.coveredFrom && m.uid <= state.cursor) {
                assert.ok(stored.has(m.uid), `uid ${m.uid} in [${state.coveredFrom}, ${state.cursor}] not stored`);
              }
            }
          }
        }
      }
      // Final clean syncs until nothing remains.
      for (let i = 0; i < 3; i++) {
        const result = await syncFolder(createFakeSession(folder, mode), store, simpleParse, { ...options, maxMessages: 10_000 });
        if (result.remaining === 0) break;
      }
      const { folderId } = await store.loadFolderState(1, 'INBOX');
      const live = (await store.listLocations(folderId, folder.uidValidity)).sort((a, b) => a.uid - b.uid);
      assert.deepEqual(
        live.map((l) => l.uid),
        folder.messages.map((m) => m.uid),
      );
      for (const [index, m] of folder.messages.entries()) {
        assert.deepEqual([...(live[index]?.flags ?? [])].sort(), [...m.flags].sort(), `flags of uid ${m.uid}`);
      }
      // Each UID holds the server's message (after re-matches too).
      const serverIds = modelMessageIds(folder);
      for (const l of live) {
        const expected = serverIds.get(l.uid);
        if (expected) assert.equal(l.messageId, expected, `uid ${l.uid} holds the server's message`);
      }
      const ids = live.map((l) => l.messageId);
      assert.equal(new Set(ids).size, ids.length, 'no location duplicated');
      for (const uidValidity of seenUidValidities) {
        if (uidValidity === folder.uidValidity) continue;
        const stale = await store.listLocations(folderId, uidValidity);
        assert.equal(stale.length, 0, 'no location of an old UIDVALIDITY stays live');
      }
      harness.dispose();
    }),
    propertyParameters(numRuns),
  );
  // Half of the syncs are drawn fault-free; with enough of them, well over a quarter must be.
  if (syncs >= 200) assert.ok(cleanSyncs > syncs / 4, `clean intermediate syncs: ${cleanSyncs} of ${syncs}`);
  console.log(`sync convergence property (${name}): ${runs} runs, ${syncs} intermediate syncs of which ${cleanSyncs} without a fault`);
}

const runs = propertyRuns();

test('sync converges to the server state under faults (in-memory model store)', async () => {
  await checkConvergence('memory store', async () => crashable(createMemorySyncStore(), () => undefined), runs);
});

test('sync converges to the server state under faults (sql.js store)', async () => {
  await checkConvergence(
    'sql.js store',
    async () => {
      const sqlStore = await openStore(':memory:');
      await sqlStore.upsertAccount({ email: 'a@example.test', provider: null, settings: {} }, 1);
      return crashable(createSyncStore(sqlStore), () => sqlStore.close());
    },
    Math.ceil(runs / 4),
  );
});
