/**
 * The sync engine's headline guarantees, each checked so that breaking it fails a test, on the
 * in-memory model store and on sql.js:
 * - after a UIDVALIDITY change, every stored UID holds the message the server has at that UID
 *   (re-matching by Message-ID and size, not by size alone);
 * - a cut sync keeps exactly the batches committed before the cut (no deferred commits);
 * - at every commit the cursor never runs ahead of the stored rows, whichever `applyBatch`
 *   crashes (property).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { openStore } from '../../src/store/index.js';
import { syncFolder } from '../../src/sync/folder-sync.js';
import type { SyncBatch, SyncStore } from '../../src/sync/ports.js';
import { createSyncStore } from '../../src/sync/store-adapter.js';
import {
  appendMessage,
  createFakeSession,
  createModelFolder,
  expungeMessage,
  modelMessageIds,
  resetUidValidity,
  setFlags,
  type ModelFolder,
} from '../support/fake-folder-session.js';
import { createMemorySyncStore } from '../support/memory-sync-store.js';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

interface Harness {
  store: SyncStore;
  dispose(): Promise<void>;
}

const stores: Array<{ name: string; open(): Promise<Harness> }> = [
  { name: 'memory', open: async () => ({ store: createMemorySyncStore(), dispose: async () => undefined }) },
  {
    name: 'sql.js',
    open: async () => {
      const sql = await openStore(':memory:');
      await sql.upsertAccount({ email: 'a@example.test', provider: null, settings: {} }, 1);
      return { store: createSyncStore(sql), dispose: async () => sql.close() };
    },
  },
];

const base = { accountId: 1, folder: 'INBOX', nowTs: 1000, maxMessages: 10_000 };

async function liveUids(store: SyncStore, uidValidity: number): Promise<number[]> {
  const { folderId } = await store.loadFolderState(1, 'INBOX');
  return (await store.listLocations(folderId, uidValidity)).map((l) => l.uid).sort((a, b) => a - b);
}

/** Every stored location of the server's UIDVALIDITY holds the server's message at that UID. */
async function assertSameMessagesAsServer(store: SyncStore, folder: ModelFolder): Promise<void> {
  const { folderId } = await store.loadFolderState(1, 'INBOX');
  const server = modelMessageIds(folder);
  const live = await store.listLocations(folderId, folder.uidValidity);
  assert.deepEqual(
    live.map((l) => l.uid).sort((a, b) => a - b),
    [...server.keys()].sort((a, b) => a - b),
    'the stored UIDs are the server UIDs',
  );
  for (const location of live) {
    const expected = server.get(location.uid);
    if (expected !== null && expected !== undefined) {
      assert.equal(location.messageId, expected, `uid ${location.uid} holds the server's message`);
    }
  }
}

/** The cursor invariant: every server message with a UID in the covered range [coveredFrom,
 * cursor] is stored (newest first: the range grows downwards as older mail is backfilled). */
async function assertCursorNotAhead(store: SyncStore, folder: ModelFolder, where: string): Promise<void> {
  const state = await store.loadFolderState(1, 'INBOX');
  if (state.uidValidity !== folder.uidValidity) return;
  const stored = new Set((await store.listLocations(state.folderId, state.uidValidity)).map((l) => l.uid));
  for (const m of folder.messages) {
    if (m.uid >= state.coveredFrom && m.uid <= state.cursor) {
      assert.ok(stored.has(m.uid), `${where}: uid ${m.uid} in [${state.coveredFrom}, ${state.cursor}] is not stored`);
    }
  }
}

for (const kind of stores) {
  describe(`sync guarantees (${kind.name} store)`, () => {
    for (const order of ['reversed', 'rotated'] as const) {
      test(`after a UIDVALIDITY change every UID holds the server's message (same sizes, renumbered ${order})`, async () => {
        const folder = createModelFolder(5);
        // Ten messages of identical size: only the Message-ID tells them apart.
        for (let i = 10; i < 20; i++) appendMessage(folder, makeRaw(i));
        const sizes = new Set(folder.messages.map((m) => m.raw.byteLength));
        assert.equal(sizes.size, 1, 'the messages all have the same size');
        const { store, dispose } = await kind.open();
        await syncFolder(createFakeSession(folder), store, simpleParse, base);
        expungeMessage(folder, 4);
        const n = folder.messages.length;
        const permutation = Array.from({ length: n }, (_, i) => (order === 'reversed' ? n - 1 - i : (i + 3) % n));
        resetUidValidity(folder, permutation);
        appendMessage(folder, makeRaw(20));
        const session = createFakeSession(folder);
        const result = await syncFolder(session, store, simpleParse, base);
        assert.equal(result.uidvalidityChanged, true);
        await assertSameMessagesAsServer(store, folder);
        assert.deepEqual(session.log.fetchedUids, [10], 'only the new message is fetched');
        assert.deepEqual(await liveUids(store, 5), [], 'nothing of the old UIDVALIDITY stays live');
        await dispose();
      });
    }

    test('UIDVALIDITY recovery: duplicates re-match one to one, unsorted server answers are ordered, the cursor restarts at the matched prefix', async () => {
      const folder = createModelFolder(9);
      for (let i = 30; i < 35; i++) appendMessage(folder, makeRaw(i));
      // The same message twice (a copy): two locations with one Message-ID and size.
      appendMessage(folder, makeRaw(30));
      const { store: inner, dispose } = await kind.open();
      await syncFolder(createFakeSession(folder), inner, simpleParse, base);
      resetUidValidity(folder, [5, 0, 1, 2, 3, 4]);
      appendMessage(folder, makeRaw(40));
      const remaps: number[] = [];
      let matches: Array<{ oldUid: number; newUid: number }> = [];
      const store: SyncStore = {
        ...inner,
        // The port promises no order: a store may list its locations in any order.
        listLocations: async (folderId, uidValidity) => (await inner.listLocations(folderId, uidValidity)).reverse(),
        remapUidValidity: async (change) => {
          remaps.push(change.cursor);
          matches = change.matches;
          return inner.remapUidValidity(change);
        },
      };
      // A server that answers the identity FETCH in descending UID order.
      const session = createFakeSession(folder);
      const fetchIdentities = session.fetchIdentities.bind(session);
      session.fetchIdentities = async (signal) => (await fetchIdentities(signal)).reverse();
      const result = await syncFolder(session, store, simpleParse, base);
      assert.equal(result.uidvalidityChanged, true);
      assert.deepEqual(remaps, [6], 'the six held messages are the matched prefix 1..6');
      assert.deepEqual(session.log.fetchedUids, [7], 'both copies re-matched; only the new message is fetched');
      // The two copies (old UIDs 1 and 6) pair in UID order: the lower old UID takes the lower new one.
      const copies = matches.filter((m) => m.oldUid === 1 || m.oldUid === 6).sort((a, b) => a.oldUid - b.oldUid);
      assert.deepEqual(copies.map((m) => m.newUid), [1, 2], JSON.stringify(matches));
      await assertSameMessagesAsServer(inner, folder);
      await dispose();
    });

    test('UIDVALIDITY change with nothing held: no identity FETCH, everything fetched', async () => {
      const folder = createModelFolder(4);
      const { store, dispose } = await kind.open();
      await syncFolder(createFakeSession(folder), store, simpleParse, base);
      resetUidValidity(folder);
      for (let i = 50; i < 53; i++) appendMessage(folder, makeRaw(i));
      const session = createFakeSession(folder);
      const result = await syncFolder(session, store, simpleParse, base);
      assert.equal(result.uidvalidityChanged, true);
      assert.ok(!session.log.calls.includes('fetchIdentities'), session.log.calls.join(','));
      assert.deepEqual(session.log.fetchedUids, [1, 2, 3]);
      await dispose();
    });

    test('the result and the progress callback count what was stored, batch by batch', async () => {
      const folder = createModelFolder();
      for (let i = 0; i < 12; i++) appendMessage(folder, makeRaw(i));
      const { store, dispose } = await kind.open();
      const progress: Array<{ stored: number; total: number; bytes: number }> = [];
      const result = await syncFolder(createFakeSession(folder), store, simpleParse, { ...base, batchMessages: 5, onProgress: (p) => progress.push(p) });
      const bytes = folder.messages.reduce((sum, m) => sum + m.raw.byteLength, 0);
      assert.deepEqual(
        progress.map((p) => [p.stored, p.total]),
        [
          [5, 12],
          [10, 12],
          [12, 12],
        ],
      );
      assert.equal(progress[2]?.bytes, bytes);
      assert.equal(result.new, 12);
      assert.equal(result.failed, 0);
      assert.equal(result.bytes, bytes);
      assert.equal(result.cursor, 12);
      await dispose();
    });

    for (const { batch, cutAfter, fetchAhead } of [
      { batch: 10, cutAfter: 25, fetchAhead: 4 },
      { batch: 7, cutAfter: 7, fetchAhead: 1 },
      { batch: 4, cutAfter: 13, fetchAhead: 2 },
      { batch: 3, cutAfter: 0, fetchAhead: 4 },
    ]) {
      test(`a cut after ${cutAfter} messages (batches of ${batch}) keeps exactly the batches committed before it`, async () => {
        const folder = createModelFolder();
        for (let i = 0; i < 40; i++) appendMessage(folder, makeRaw(i));
        const { store, dispose } = await kind.open();
        await assert.rejects(
          syncFolder(createFakeSession(folder, { failAfterMessages: cutAfter }), store, simpleParse, { ...base, batchMessages: batch, fetchAhead }),
          { code: 'NETWORK' },
        );
        // Newest first: the committed batches are the newest `committed` messages, 40 down.
        const committed = Math.floor(cutAfter / batch) * batch;
        const state = await store.loadFolderState(1, 'INBOX');
        assert.equal(state.cursor, committed > 0 ? 40 : 0, 'the range ends at the newest committed message');
        if (committed > 0) assert.equal(state.coveredFrom, 41 - committed, 'the range starts at the last committed batch');
        assert.deepEqual(await liveUids(store, 1), Array.from({ length: committed }, (_, i) => 41 - committed + i));
        const session = createFakeSession(folder);
        await syncFolder(session, store, simpleParse, { ...base, batchMessages: batch });
        assert.deepEqual(
          [...session.log.fetchedUids].sort((a, b) => a - b),
          Array.from({ length: 40 - committed }, (_, i) => i + 1),
          'the next sync fetches only the rest',
        );
        await dispose();
      });
    }
  });
}

type Step =
  | { kind: 'append'; count: number; withId: boolean }
  | { kind: 'flag'; pick: number }
  | { kind: 'expunge'; pick: number }
  | { kind: 'reset'; rotate: number; reverse: boolean }
  | { kind: 'sync'; maxMessages: number; batch: number; crashAt: number | null; fetchAhead: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 12 }), withId: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flag' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('expunge' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), rotate: fc.nat(), reverse: fc.boolean() }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      maxMessages: fc.integer({ min: 1, max: 30 }),
      batch: fc.integer({ min: 1, max: 5 }),
      crashAt: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null, freq: 2 }),
      fetchAhead: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

let nextBody = 1000;

describe('cursor never ahead of the rows (property)', () => {
  for (const kind of stores) {
    test(`crash at a random k-th applyBatch; every commit keeps the cursor invariant (${kind.name} store)`, async () => {
      let commitsChecked = 0;
      let crashes = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 30, size: 'max' }), async (steps) => {
          const folder = createModelFolder(1);
          const { store: inner, dispose } = await kind.open();
          let applies = 0;
          let crashAt: number | null = null;
          const store: SyncStore = {
            ...inner,
            applyBatch: async (batch: SyncBatch) => {
              applies++;
              if (crashAt !== null && applies === crashAt) {
                crashes++;
                throw new Error(`simulated crash at applyBatch #${applies}`);
              }
              const folderId = await inner.applyBatch(batch);
              commitsChecked++;
              await assertCursorNotAhead(inner, folder, `after commit #${applies}`);
              return folderId;
            },
          };
          for (const step of steps) {
            if (step.kind === 'append') {
              for (let i = 0; i < step.count; i++) appendMessage(folder, makeRaw(nextBody++, undefined, step.withId));
            } else if (step.kind === 'flag' && folder.messages.length > 0) {
              const m = folder.messages[step.pick % folder.messages.length];
              if (m) setFlags(folder, m.uid, ['\\Seen']);
            } else if (step.kind === 'expunge' && folder.messages.length > 0) {
              const m = folder.messages[step.pick % folder.messages.length];
              if (m) expungeMessage(folder, m.uid);
            } else if (step.kind === 'reset') {
              const n = folder.messages.length;
              const order = Array.from({ length: n }, (_, i) => (step.rotate + i) % Math.max(1, n));
              if (step.reverse) order.reverse();
              resetUidValidity(folder, order);
            } else if (step.kind === 'sync') {
              applies = 0;
              crashAt = step.crashAt;
              await syncFolder(createFakeSession(folder), store, simpleParse, {
                ...base,
                maxMessages: step.maxMessages,
                batchMessages: step.batch,
                fetchAhead: step.fetchAhead,
              }).catch((error: Error) => {
                if (!/simulated crash/.test(error.message)) throw error;
              });
              crashAt = null;
              await assertCursorNotAhead(inner, folder, 'after the sync');
            }
          }
          for (let i = 0; i < 3; i++) {
            const result = await syncFolder(createFakeSession(folder), store, simpleParse, base);
            if (result.remaining === 0) break;
          }
          await assertSameMessagesAsServer(inner, folder);
          await dispose();
        }),
        propertyParameters(propertyRuns(kind.name === 'memory' ? 0.25 : 0.05, 20)),
      );
      assert.ok(commitsChecked > 0 && crashes > 0, 'commits were checked and crashes injected');
      console.log(`cursor-at-every-commit property (${kind.name}): ${commitsChecked} commits checked, ${crashes} crashes`);
    });
  }
});
