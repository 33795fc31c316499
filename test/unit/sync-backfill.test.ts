/**
 * Newest first, then backfill: a first sync stores the newest mail; each later call takes new mail
 * above the covered range first and spends the rest of maxMessages on backfill below it, newest to
 * oldest; `since` bounds the backfill even when INTERNALDATEs are not in UID order; nothing below
 * the range is hidden by the "nothing changed" shortcut; the planner's ranges are contiguous.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planFetch } from '../../src/sync/fetch-plan.js';
import { syncFolder } from '../../src/sync/folder-sync.js';
import { imapDate } from '../../src/sync/session-adapter.js';
import { appendMessage, createFakeSession, createModelFolder, expungeMessage, type ModelFolder } from '../support/fake-folder-session.js';
import { createMemorySyncStore, type MemorySyncStore } from '../support/memory-sync-store.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

const DAY = 86_400_000;
const DAY0 = Date.UTC(2026, 0, 1);
const base = { accountId: 1, folder: 'INBOX', nowTs: 1000, maxMessages: 1000 };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function fill(folder: ModelFolder, count: number, dayOf: (uid: number) => number = (uid) => uid): void {
  for (let i = 0; i < count; i++) {
    const uid = folder.uidNext;
    appendMessage(folder, makeRaw(7000 + uid), [], DAY0 + dayOf(uid) * DAY);
  }
}

function liveUids(store: MemorySyncStore): number[] {
  return store.locations.filter((l) => l.deletedAt === null).map((l) => l.uid).sort((a, b) => a - b);
}

describe('newest first, then backfill', () => {
  test('a first sync with a small maxMessages stores the newest mail and records the covered range', async () => {
    const folder = createModelFolder();
    fill(folder, 50);
    const store = createMemorySyncStore();
    const session = createFakeSession(folder);
    const result = await syncFolder(session, store, simpleParse, { ...base, maxMessages: 10 });
    assert.deepEqual(liveUids(store), range(41, 50));
    assert.deepEqual([result.coveredFrom, result.cursor, result.remaining, result.new, result.backfilled], [41, 50, 40, 10, 10]);
    const state = await store.loadFolderState(1, 'INBOX');
    assert.deepEqual([state.coveredFrom, state.cursor, state.uidNext], [41, 50, null]);
  });

  test('new mail above the range comes first, the rest of maxMessages backfills below it, newest to oldest', async () => {
    const folder = createModelFolder();
    fill(folder, 30);
    const store = createMemorySyncStore();
    await syncFolder(createFakeSession(folder), store, simpleParse, { ...base, maxMessages: 10 }); // 21..30
    fill(folder, 5); // 31..35
    const session = createFakeSession(folder);
    const result = await syncFolder(session, store, simpleParse, { ...base, maxMessages: 8, batchMessages: 2 });
    assert.deepEqual(session.log.fetchedUids, [31, 32, 33, 34, 35, 19, 20, 18]);
    assert.deepEqual([result.new, result.backfilled, result.coveredFrom, result.cursor, result.remaining], [8, 3, 18, 35, 17]);
    // Without new mail, the whole budget backfills.
    const next = createFakeSession(folder);
    await syncFolder(next, store, simpleParse, { ...base, maxMessages: 5 });
    assert.deepEqual(next.log.fetchedUids, range(13, 17));
    // And a final call completes the folder; only then does the "nothing changed" shortcut apply.
    const last = await syncFolder(createFakeSession(folder), store, simpleParse, base);
    assert.deepEqual([last.coveredFrom, last.remaining, last.unchanged], [1, 0, false]);
    assert.deepEqual(liveUids(store), range(1, 35));
    const idle = createFakeSession(folder);
    assert.equal((await syncFolder(idle, store, simpleParse, base)).unchanged, true);
    assert.deepEqual(idle.log.calls, ['open']);
  });

  test('while the backfill is incomplete the shortcut never hides it, and deletions inside the range are found', async () => {
    const folder = createModelFolder();
    fill(folder, 20);
    const store = createMemorySyncStore();
    await syncFolder(createFakeSession(folder), store, simpleParse, { ...base, maxMessages: 5 }); // 16..20
    expungeMessage(folder, 18);
    const session = createFakeSession(folder, { condstore: true, qresync: false });
    const result = await syncFolder(session, store, simpleParse, { ...base, maxMessages: 0 });
    assert.equal(result.unchanged, false);
    assert.equal(result.deleted, 1);
    // Counting cannot prove deletions while older UIDs are not held: the engine searched.
    assert.ok(session.log.calls.includes('searchUids'), session.log.calls.join(','));
    assert.deepEqual(liveUids(store), [16, 17, 19, 20]);
    assert.equal(result.remaining, 15);
  });

  test('since bounds the backfill at the newest message older than that day, even out of UID order', async () => {
    const folder = createModelFolder();
    // UID n is from day n, except UID 7: an old message moved in (day -100).
    fill(folder, 12, (uid) => (uid === 7 ? -100 : uid));
    const store = createMemorySyncStore();
    const since = DAY0 + 5 * DAY;
    const first = await syncFolder(createFakeSession(folder), store, simpleParse, { ...base, since });
    // UIDs 8..12 are stored; UID 7 is older than since, so the backfill stops above it (UIDs 5 and 6,
    // of days 5 and 6, lie below it and wait for a wider since).
    assert.deepEqual(liveUids(store), range(8, 12));
    assert.deepEqual([first.coveredFrom, first.remaining], [8, 0]);
    // Not complete: the next call (nothing changed on the server) still looks below the range.
    const again = createFakeSession(folder);
    const second = await syncFolder(again, store, simpleParse, { ...base, since });
    assert.equal(second.unchanged, false);
    assert.deepEqual(again.log.fetchedUids, []);
    // Without since the backfill goes on to UID 1.
    const all = createFakeSession(folder);
    const third = await syncFolder(all, store, simpleParse, base);
    assert.deepEqual(all.log.fetchedUids, range(1, 7));
    assert.deepEqual([third.coveredFrom, third.backfilled], [1, 7]);
  });

  test('a folder emptied during a backfill completes without listing below the range', async () => {
    const folder = createModelFolder();
    fill(folder, 10);
    const store = createMemorySyncStore();
    await syncFolder(createFakeSession(folder), store, simpleParse, { ...base, maxMessages: 3 }); // 8..10
    for (let uid = 1; uid <= 10; uid++) expungeMessage(folder, uid);
    const session = createFakeSession(folder);
    const result = await syncFolder(session, store, simpleParse, base);
    assert.deepEqual([result.deleted, result.coveredFrom, result.remaining], [3, 1, 0]);
    assert.ok(!session.log.calls.includes('listUidRange'), session.log.calls.join(','));
    assert.deepEqual(liveUids(store), []);
  });

  test('an IMAP date for SEARCH BEFORE is the UTC day', () => {
    assert.equal(imapDate(Date.UTC(2026, 0, 5, 23, 59)), '5-Jan-2026');
    assert.equal(imapDate(Date.UTC(2025, 11, 31)), '31-Dec-2025');
  });
});

describe('the fetch planner', () => {
  const uids = (list: number[]) => list.map((uid) => ({ uid, size: 10 }));
  test('every batch leaves a contiguous covered range; stored UIDs are crossed, not fetched', () => {
    const plan = planFetch({
      range: { cursor: 20, coveredFrom: 11 },
      firstSync: false,
      above: uids([21, 22, 23]),
      below: { floor: 2, uids: uids([3, 4, 6, 7, 8, 9, 10]) },
      stored: new Set([8]),
      maxMessages: 6,
      batchMessages: 2,
      batchBytes: 1 << 20,
    });
    assert.deepEqual(
      plan.batches.map((b) => [b.uids.map((u) => u.uid), b.after.coveredFrom, b.after.cursor, b.backfill]),
      [
        [[21, 22], 11, 22, false],
        [[23], 11, 23, false],
        [[9, 10], 9, 23, true],
        [[7], 7, 23, true], // 8 is stored: crossed; 6, 4 and 3 remain for the next call
      ],
    );
    assert.deepEqual(plan.final, { cursor: 23, coveredFrom: 7 });
    assert.equal(plan.remaining, 3);
    assert.equal(plan.complete, false);
  });

  test('a first sync places an empty range at the top and backfills from there; the floor ends it', () => {
    const plan = planFetch({
      range: { cursor: 0, coveredFrom: 1 },
      firstSync: true,
      above: uids([1, 2, 3, 4, 5]),
      below: { floor: 2, uids: [] },
      stored: new Set(),
      maxMessages: 10,
      batchMessages: 10,
      batchBytes: 1 << 20,
    });
    assert.deepEqual(plan.batches.map((b) => b.uids.map((u) => u.uid)), [[3, 4, 5]]);
    assert.deepEqual(plan.final, { cursor: 5, coveredFrom: 3 });
    assert.equal(plan.complete, false);
    const empty = planFetch({ range: { cursor: 0, coveredFrom: 1 }, firstSync: true, above: [], below: { floor: 0, uids: [] }, stored: new Set(), maxMessages: 10, batchMessages: 10, batchBytes: 1 << 20 });
    assert.deepEqual([empty.final, empty.complete], [{ cursor: 0, coveredFrom: 1 }, true]);
  });
});
