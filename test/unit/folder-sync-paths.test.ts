/**
 * The paths of one folder's sync (src/sync/folder-sync.ts and its fetch pipeline), asserted by the
 * round trips and store transactions they make, not only by what ends up stored:
 * - QRESYNC parameters are sent only with a stored UIDVALIDITY, modseq and cursor;
 * - a failed sync records its failure on the right row, creating one only for a folder opened
 *   for the first time, and never reads the store more than it must;
 * - the "nothing changed" shortcut needs every one of its conditions;
 * - explicit cursors (skip ahead, rewind), the n:* quirk, listings out of order or beyond the
 *   asked range, `since` floors and the backfill listing keep the covered range exact;
 * - deletions are confirmed by counting (no SEARCH) only when the listing above the cursor is
 *   complete;
 * - the backlog reported before fetching, the batches' folder (new row, then its id), sizes at
 *   the cap, delivery order, Gmail attributes, over-cap deliveries and parse failures;
 * - FETCHes issued ahead stay within the in-flight byte budget (announced sizes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fetchAndStore } from '../../src/sync/fetch-pipeline.js';
import { syncFolder, type FolderSyncOptions, type ParseMessage } from '../../src/sync/folder-sync.js';
import type { FetchPlan } from '../../src/sync/fetch-plan.js';
import type { FolderSnapshot, FolderSyncState, ServerUid } from '../../src/sync/ports.js';
import {
  appendMessage,
  createFakeSession,
  createModelFolder,
  expungeMessage,
  setFlags,
  type FakeSessionOptions,
  type ModelFolder,
} from '../support/fake-folder-session.js';
import { createMemorySyncStore, type MemorySyncStore } from '../support/memory-sync-store.js';
import { recordSession, recordStore, type SessionTweaks } from '../support/recording-ports.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

const DAY = 86_400_000;
const DAY0 = Date.UTC(2026, 0, 1);
const base = { accountId: 1, folder: 'INBOX', nowTs: 1000, maxMessages: 1000 };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Appends `count` messages; message with UID u is dated day u after DAY0. */
function fill(folder: ModelFolder, count: number): void {
  for (let i = 0; i < count; i++) appendMessage(folder, makeRaw(5000 + folder.uidNext), [], DAY0 + folder.uidNext * DAY);
}

function sizeOf(folder: ModelFolder, uids: number[]): number {
  return folder.messages.filter((m) => uids.includes(m.uid)).reduce((sum, m) => sum + m.raw.byteLength, 0);
}

function liveUids(store: MemorySyncStore): number[] {
  return store.locations.filter((l) => l.deletedAt === null).map((l) => l.uid).sort((a, b) => a - b);
}

async function sync(
  folder: ModelFolder,
  inner: MemorySyncStore,
  options: Partial<FolderSyncOptions> = {},
  session: FakeSessionOptions = {},
  tweaks: SessionTweaks = {},
  state?: (state: FolderSyncState) => FolderSyncState,
) {
  const fake = createFakeSession(folder, session);
  const port = recordSession(fake, tweaks);
  const store = recordStore(inner, state);
  const result = await syncFolder(port, store, simpleParse, { ...base, ...options });
  return { result, calls: port.calls, storeCalls: store.calls, batches: store.batches, fetched: fake.log.fetchedUids };
}

describe('folder sync paths', () => {
  test('QRESYNC parameters go with EXAMINE only when the store holds a UIDVALIDITY, a modseq and a cursor', async () => {
    const qresync = { condstore: true, qresync: true };
    // A synced folder: its UIDVALIDITY and HIGHESTMODSEQ.
    const folder = createModelFolder(5);
    fill(folder, 3);
    const store = createMemorySyncStore();
    assert.deepEqual((await sync(folder, store, {}, qresync)).calls.slice(0, 1), ['open(INBOX,null)']);
    const modseq = folder.highestModseq;
    setFlags(folder, 2, ['\\Seen']);
    const second = await sync(folder, store, {}, qresync);
    assert.deepEqual(second.calls, [`open(INBOX,5/${modseq})`, 'listUids(4)']);
    assert.equal(second.result.updated, 1);

    // A folder synced while empty holds a UIDVALIDITY and a modseq but no cursor: no QRESYNC.
    const empty = createModelFolder(6);
    const emptyStore = createMemorySyncStore();
    await sync(empty, emptyStore, {}, qresync);
    const emptyState = await emptyStore.loadFolderState(1, 'INBOX');
    assert.deepEqual([emptyState.cursor, emptyState.uidValidity, emptyState.highestModseq], [0, 6, 1n]);
    fill(empty, 1);
    assert.deepEqual((await sync(empty, emptyStore, {}, qresync)).calls[0], 'open(INBOX,null)');

    // A server without CONDSTORE left no modseq: no QRESYNC either.
    const plain = createModelFolder(7);
    fill(plain, 2);
    const plainStore = createMemorySyncStore();
    await sync(plain, plainStore, {}, { condstore: false, qresync: true });
    setFlags(plain, 1, ['\\Seen']);
    assert.deepEqual((await sync(plain, plainStore, {}, { condstore: false, qresync: true })).calls[0], 'open(INBOX,null)');

    // A row without UIDVALIDITY (whatever else it holds) sends none.
    const odd = await sync(folder, store, {}, qresync, {}, (state) => ({ ...state, uidValidity: null }));
    assert.deepEqual(odd.calls[0], 'open(INBOX,null)');
  });

  test("a failure is recorded on the folder's row: the one known, the one its first batch created, none when EXAMINE failed", async () => {
    const folder = createModelFolder();
    fill(folder, 4);

    // A new folder whose EXAMINE fails: nothing created, nothing recorded.
    const fresh = recordStore(createMemorySyncStore());
    await assert.rejects(syncFolder(createFakeSession(folder, { failAtCall: 0 }), fresh, simpleParse, base), { code: 'NETWORK' });
    assert.deepEqual(fresh.calls, ['findFolderState']);

    // A new folder cut in its second batch: the first batch created the row; the failure goes there.
    const cut = recordStore(createMemorySyncStore());
    await assert.rejects(
      syncFolder(createFakeSession(folder, { failAfterMessages: 2 }), cut, simpleParse, { ...base, batchMessages: 2 }),
      { code: 'NETWORK' },
    );
    assert.deepEqual(cut.calls, ['findFolderState', 'applyBatch(new INBOX)', 'recordFailure(1,connection lost during FETCH)']);

    // A known folder failing after EXAMINE: recorded on its row, without creating or reloading it.
    const known = createMemorySyncStore();
    await syncFolder(createFakeSession(folder), known, simpleParse, base);
    fill(folder, 1);
    const again = recordStore(known);
    await assert.rejects(syncFolder(createFakeSession(folder, { failAtCall: 1 }), again, simpleParse, base), { code: 'NETWORK' });
    assert.deepEqual(again.calls, ['findFolderState', 'listLocations(1,1)', 'recordFailure(1,connection lost before listUids)']);
  });

  test('durationMs is the wall-clock time of the call, on the shortcut and on a full sync', async () => {
    const folder = createModelFolder();
    fill(folder, 3);
    const store = createMemorySyncStore();
    for (const expectUnchanged of [false, true]) {
      const before = Date.now();
      const { result } = await sync(folder, store);
      const elapsed = Date.now() - before;
      assert.equal(result.unchanged, expectUnchanged);
      assert.ok(result.durationMs >= 0 && result.durationMs <= elapsed, `${result.durationMs} within [0, ${elapsed}]`);
    }
  });

  test('locations are listed only for a row holding the UIDVALIDITY just seen', async () => {
    const folder = createModelFolder(3);
    fill(folder, 2);
    const store = createMemorySyncStore();
    // A first sync reads no locations: one batch creates the row.
    const first = await sync(folder, store);
    assert.deepEqual(first.storeCalls, ['findFolderState', 'applyBatch(new INBOX)']);
    // A row that holds no UIDVALIDITY yet has no locations to list either.
    fill(folder, 1);
    const rowOnly = await sync(folder, store, {}, {}, {}, (state) => ({ ...state, uidValidity: null }));
    assert.ok(!rowOnly.storeCalls.some((call) => call.startsWith('listLocations')), rowOnly.storeCalls.join(' '));
    // The row as stored: its locations are listed.
    fill(folder, 1);
    const normal = await sync(folder, store);
    assert.deepEqual(normal.storeCalls.slice(0, 2), ['findFolderState', 'listLocations(1,3)']);
  });

  test("a listing out of UID order still takes new mail from the lowest UID up, so the cursor never skips one", async () => {
    const folder = createModelFolder();
    fill(folder, 2);
    const store = createMemorySyncStore();
    await sync(folder, store);
    fill(folder, 3); // 3, 4, 5
    const reversed = { listUids: (entries: ServerUid[]) => [...entries].reverse() };
    const { result, fetched } = await sync(folder, store, { maxMessages: 1 }, {}, reversed);
    assert.deepEqual(fetched, [3]);
    assert.deepEqual([result.cursor, result.coveredFrom, result.remaining], [3, 1, 2]);
    const rest = await sync(folder, store, {}, {}, reversed);
    assert.deepEqual(rest.fetched, [4, 5]);
    assert.deepEqual(liveUids(store), range(1, 5));
  });

  test('the n:* quirk with an explicit cursor at the top fetches nothing', async () => {
    const folder = createModelFolder();
    fill(folder, 3);
    const store = createMemorySyncStore();
    const { result, calls, fetched } = await sync(folder, store, { cursor: 3 });
    assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(4)']); // answered with UID 3
    assert.deepEqual(fetched, []);
    assert.deepEqual([result.new, result.cursor, result.coveredFrom], [0, 3, 4]);
  });

  test('flags and deletions are reconciled only for a row that holds something (or has passed UIDs)', async () => {
    // Synced while empty (cursor 0, nothing held): new mail needs no flag reconciliation.
    const folder = createModelFolder();
    const store = createMemorySyncStore();
    await sync(folder, store);
    fill(folder, 1);
    const { calls, batches } = await sync(folder, store);
    assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(1)', 'fetchMessages(1)']);
    assert.equal(batches.length, 1);
  });

  test('deletions are confirmed by counting only when the listing covers every UID above the cursor', async () => {
    const folder = createModelFolder();
    fill(folder, 4);
    const store = createMemorySyncStore();
    await sync(folder, store);
    // A flag change and two new messages, nothing deleted: counting suffices, no SEARCH.
    setFlags(folder, 1, ['\\Flagged']);
    fill(folder, 2);
    const counted = await sync(folder, store);
    assert.deepEqual(counted.calls, ['open(INBOX,null)', 'listUids(5)', 'fetchFlags(4,5)', 'fetchMessages(5,6)']);
    assert.deepEqual([counted.result.updated, counted.result.deleted, counted.result.new], [1, 0, 2]);
    // A flag change, nothing new (the n:* answer is the UID at the cursor): still no SEARCH.
    setFlags(folder, 2, ['\\Flagged']);
    const quirk = await sync(folder, store);
    assert.deepEqual(quirk.calls, ['open(INBOX,null)', 'listUids(7)', 'fetchFlags(6,8)']);
    assert.deepEqual([quirk.result.updated, quirk.result.deleted], [1, 0]);

    // Skipping ahead with an explicit cursor: the listing misses the UIDs skipped, so the
    // deletion below is found by SEARCH even where the counts happen to agree.
    const other = createModelFolder();
    fill(other, 3);
    const otherStore = createMemorySyncStore();
    await sync(other, otherStore);
    fill(other, 3); // 4, 5, 6
    expungeMessage(other, 3);
    expungeMessage(other, 5); // the server holds 1, 2, 4, 6
    const skipped = await sync(other, otherStore, { cursor: 5 });
    assert.ok(skipped.calls.includes('searchUids(3)'), skipped.calls.join(' '));
    assert.deepEqual([skipped.result.deleted, skipped.result.new], [1, 1]);
    assert.deepEqual(liveUids(otherStore), [1, 2, 6]);
  });

  test('explicit cursors: skipping ahead leaves the gap to the backfill, rewinding keeps the range, equal changes nothing', async () => {
    const setup = async () => {
      const folder = createModelFolder();
      fill(folder, 3);
      const store = createMemorySyncStore();
      await sync(folder, store);
      return { folder, store };
    };
    {
      const { folder, store } = await setup();
      fill(folder, 4); // 4..7
      const { result, fetched, calls } = await sync(folder, store, { cursor: 5 });
      assert.deepEqual(fetched, [6, 7]);
      assert.deepEqual([result.cursor, result.coveredFrom], [7, 6]);
      assert.ok(!calls.some((call) => call.startsWith('listUidRange')), 'no backfill with an explicit cursor');
      const state = await store.loadFolderState(1, 'INBOX');
      assert.deepEqual([state.cursor, state.coveredFrom], [7, 6]);
    }
    {
      const { folder, store } = await setup();
      fill(folder, 2); // 4, 5
      const { result, fetched } = await sync(folder, store, { cursor: 5 });
      assert.deepEqual(fetched, []);
      assert.deepEqual([result.cursor, result.coveredFrom], [5, 6]);
    }
    {
      const { folder, store } = await setup();
      fill(folder, 2);
      await sync(folder, store); // 1..5, complete
      const { result, fetched } = await sync(folder, store, { cursor: 1 });
      assert.deepEqual(fetched, []);
      assert.deepEqual([result.cursor, result.coveredFrom, result.unchanged], [5, 1, false]);
    }
    {
      const { folder, store } = await setup();
      fill(folder, 2); // 4, 5
      const { result, fetched, calls } = await sync(folder, store, { cursor: 3 });
      assert.deepEqual(fetched, [4, 5]);
      assert.deepEqual([result.cursor, result.coveredFrom], [5, 1]);
      assert.ok(!calls.some((call) => call.startsWith('listUidRange')));
    }
    {
      // On a folder never synced, an explicit cursor is new mail from there, oldest first.
      const folder = createModelFolder();
      fill(folder, 5);
      const store = createMemorySyncStore();
      const { result, fetched } = await sync(folder, store, { cursor: 2, batchMessages: 1 });
      assert.deepEqual(fetched, [3, 4, 5]);
      assert.deepEqual([result.new, result.backfilled, result.cursor, result.coveredFrom], [3, 0, 5, 3]);
    }
    {
      // Skipping ahead in an empty folder: the range starts above the cursor all the same.
      const folder = createModelFolder();
      fill(folder, 6);
      for (let uid = 1; uid <= 6; uid++) expungeMessage(folder, uid);
      const store = createMemorySyncStore();
      const { result, calls } = await sync(folder, store, { cursor: 4 });
      assert.deepEqual(calls, ['open(INBOX,null)']);
      assert.deepEqual([result.cursor, result.coveredFrom], [4, 5]);
    }
  });

  test('a first sync with since: the floor is asked below the highest UID; nothing asked for an empty folder', async () => {
    const folder = createModelFolder();
    fill(folder, 5);
    const store = createMemorySyncStore();
    // Every message is older than since: nothing to fetch, the range sits above the top.
    const { result, calls, fetched } = await sync(folder, store, { since: DAY0 + 10 * DAY });
    assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(1)', 'highestUidBefore(6)']);
    assert.deepEqual(fetched, []);
    assert.deepEqual([result.cursor, result.coveredFrom], [5, 6]);

    const empty = await sync(createModelFolder(), createMemorySyncStore(), { since: DAY0 });
    assert.deepEqual(empty.calls, ['open(INBOX,null)']);
  });

  test('the backfill listing: a floor only with since, the range below the covered one only while it is not empty', async () => {
    // Complete folder, since older than everything, new mail: no floor asked, nothing listed below.
    {
      const folder = createModelFolder();
      fill(folder, 3);
      const store = createMemorySyncStore();
      await sync(folder, store, { since: DAY0 });
      assert.equal((await store.loadFolderState(1, 'INBOX')).coveredFrom, 1);
      fill(folder, 1);
      const { calls } = await sync(folder, store, { since: DAY0 });
      assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(4)', 'fetchFlags(3,4)', 'fetchMessages(4)']);
    }
    // Backfill without since: listed from UID 1, no floor asked.
    {
      const folder = createModelFolder();
      fill(folder, 5);
      const store = createMemorySyncStore();
      await sync(folder, store, { maxMessages: 2 }); // 4, 5
      const { calls, fetched } = await sync(folder, store);
      assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(6)', 'searchUids(5)', 'listUidRange(1,3)', 'fetchMessages(1,2,3)']);
      assert.deepEqual(fetched, [1, 2, 3]);
    }
    // Backfill with since, floor 3 (UIDs 1-3 are older): listed between floor and range; once the
    // range reaches the floor nothing is listed below it any more.
    {
      const folder = createModelFolder();
      fill(folder, 8);
      const store = createMemorySyncStore();
      const since = DAY0 + 4 * DAY;
      await sync(folder, store, { since, maxMessages: 2 }); // 7, 8
      const { calls, result } = await sync(folder, store, { since });
      assert.deepEqual(calls, ['open(INBOX,null)', 'listUids(9)', 'searchUids(8)', 'highestUidBefore(7)', 'listUidRange(4,6)', 'fetchMessages(4,5,6)']);
      assert.deepEqual([result.coveredFrom, result.cursor], [4, 8]);
      fill(folder, 1); // 9
      const next = await sync(folder, store, { since });
      assert.deepEqual(next.calls, ['open(INBOX,null)', 'listUids(9)', 'fetchFlags(8,9)', 'searchUids(8)', 'highestUidBefore(4)', 'fetchMessages(9)']);
      assert.deepEqual([next.result.coveredFrom, next.result.cursor], [4, 9]);
    }
  });

  test('the backlog reported before fetching: above and below the range, not stored, not below the floor', async () => {
    const backlogOf = async (folder: ModelFolder, store: MemorySyncStore, options: Partial<FolderSyncOptions>, tweaks: SessionTweaks = {}) => {
      const seen: Array<{ messages: number; bytes: number }> = [];
      await sync(folder, store, { ...options, onBacklog: (backlog) => seen.push(backlog) }, {}, tweaks);
      assert.equal(seen.length, 1);
      return seen[0];
    };
    // First sync with since: UIDs 1, 2 are older than the day of UID 3.
    {
      const folder = createModelFolder();
      fill(folder, 6);
      const backlog = await backlogOf(folder, createMemorySyncStore(), { since: DAY0 + 3 * DAY, maxMessages: 1 });
      assert.deepEqual(backlog, { messages: 4, bytes: sizeOf(folder, [3, 4, 5, 6]) });
    }
    // New mail and backfill, with a server whose range listing answers the whole folder: only
    // what lies between the floor and the covered range counts, and new mail only once.
    {
      const folder = createModelFolder();
      fill(folder, 10);
      const store = createMemorySyncStore();
      const since = DAY0 + 4 * DAY; // floor 3
      await sync(folder, store, { since, maxMessages: 2 }); // 9, 10
      fill(folder, 1); // 11
      const whole = { listUidRange: () => folder.messages.map((m) => ({ uid: m.uid, size: m.raw.byteLength })) };
      const backlog = await backlogOf(folder, store, { since, maxMessages: 0 }, whole);
      assert.deepEqual(backlog, { messages: 6, bytes: sizeOf(folder, [4, 5, 6, 7, 8, 11]) });
    }
    // An explicit cursor: no backfill, stored UIDs above it do not count.
    {
      const folder = createModelFolder();
      fill(folder, 4);
      const store = createMemorySyncStore();
      await sync(folder, store);
      fill(folder, 1); // 5
      const backlog = await backlogOf(folder, store, { cursor: 2 });
      assert.deepEqual(backlog, { messages: 1, bytes: sizeOf(folder, [5]) });
    }
    // A folder emptied during its backfill: nothing left.
    {
      const folder = createModelFolder();
      fill(folder, 4);
      const store = createMemorySyncStore();
      await sync(folder, store, { maxMessages: 1 });
      for (let uid = 1; uid <= 4; uid++) expungeMessage(folder, uid);
      assert.deepEqual(await backlogOf(folder, store, {}), { messages: 0, bytes: 0 });
    }
  });

  test('batchBytes bounds the bytes of one FETCH', async () => {
    const folder = createModelFolder();
    fill(folder, 3);
    const { calls, batches } = await sync(folder, createMemorySyncStore(), { batchBytes: 1 });
    assert.deepEqual(calls.filter((call) => call.startsWith('fetchMessages')), ['fetchMessages(3)', 'fetchMessages(2)', 'fetchMessages(1)']);
    assert.equal(batches.length, 3);
  });

  test('the "nothing changed" shortcut needs every one of its conditions', async () => {
    const setup = async (session: FakeSessionOptions = {}, tweaks: SessionTweaks = {}) => {
      const folder = createModelFolder();
      fill(folder, 3);
      const store = createMemorySyncStore();
      await sync(folder, store, {}, session, tweaks);
      return { folder, store };
    };
    {
      const { folder, store } = await setup();
      const { result, calls } = await sync(folder, store);
      assert.equal(result.unchanged, true, 'the shortcut itself');
      assert.deepEqual(calls, ['open(INBOX,null)']);
    }
    const notUnchanged = async (what: string, run: Promise<{ result: { unchanged: boolean } }>) => {
      assert.equal((await run).result.unchanged, false, what);
    };
    {
      // Synced while empty: no cursor yet, every other condition holds.
      const folder = createModelFolder();
      const store = createMemorySyncStore();
      await sync(folder, store);
      await notUnchanged('cursor 0', sync(folder, store));
    }
    {
      const { folder, store } = await setup();
      await notUnchanged('backfill pending', sync(folder, store, {}, {}, {}, (s) => ({ ...s, coveredFrom: 2 })));
      await notUnchanged('explicit cursor', sync(folder, store, { cursor: 2 }));
      await notUnchanged('no UIDVALIDITY held', sync(folder, store, {}, {}, {}, (s) => ({ ...s, uidValidity: null })));
      await notUnchanged('other UIDNEXT held', sync(folder, store, {}, {}, {}, (s) => ({ ...s, uidNext: 99 })));
      await notUnchanged('other live count', sync(folder, store, {}, {}, {}, (s) => ({ ...s, liveCount: 2 })));
      await notUnchanged('VANISHED reported', sync(folder, store, {}, {}, { open: (s) => ({ ...s, vanished: [{ start: 9, end: 9 }] }) }));
      await notUnchanged('flag changes reported', sync(folder, store, {}, {}, { open: (s) => ({ ...s, changed: [{ uid: 1, flags: ['\\Seen'], modseq: null }] }) }));
    }
    {
      // A server that sends no UIDNEXT.
      const noUidNext = { open: (s: FolderSnapshot) => ({ ...s, uidNext: null }) };
      const { folder, store } = await setup({}, noUidNext);
      await notUnchanged('no UIDNEXT', sync(folder, store, {}, {}, noUidNext));
    }
    {
      // A server without CONDSTORE: flags may have changed without a modseq to tell.
      const { folder, store } = await setup({ condstore: false });
      await notUnchanged('no modseq', sync(folder, store, {}, { condstore: false }));
    }
  });

  test('parse failures are counted in the result (stored raw with their error)', async () => {
    const folder = createModelFolder();
    fill(folder, 3);
    const store = createMemorySyncStore();
    const failing: ParseMessage = async (raw, options) => {
      const record = await simpleParse(raw, options);
      return record.subject === 'message 5002' ? { ...record, parseError: 'bad MIME' } : record;
    };
    const result = await syncFolder(createFakeSession(folder), store, failing, base);
    assert.deepEqual([result.new, result.failed], [3, 1]);
  });

  test("each batch names the folder: a new folder's first batch by name, every later one by the row it created", async () => {
    const folder = createModelFolder();
    fill(folder, 5);
    const store = createMemorySyncStore();
    const first = await sync(folder, store, { batchMessages: 2 });
    assert.deepEqual(first.storeCalls, ['findFolderState', 'applyBatch(new INBOX)', 'applyBatch(1)', 'applyBatch(1)']);
    assert.deepEqual(first.batches[0]?.newFolder, { name: 'INBOX' }, 'no display name given, none sent');
    fill(folder, 1);
    const next = await sync(folder, store);
    // The flag reconciliation records the new modseq in its own transaction, then the new mail.
    assert.deepEqual(next.storeCalls, ['findFolderState', 'listLocations(1,1)', 'applyBatch(1)', 'applyBatch(1)']);

    // fetchAndStore on its own: the row callback only for a row it created, and optional.
    const plan: FetchPlan = { batches: [], final: { cursor: 0, coveredFrom: 1 }, remaining: 0, complete: true };
    const snapshot: FolderSnapshot = { uidValidity: 1, uidNext: 1, highestModseq: null, exists: 0, vanished: [], changed: [], qresync: false };
    const state = { folderId: 1, cursor: 0, coveredFrom: 1, uidValidity: 1, uidNext: null, highestModseq: null, liveCount: 0 };
    const rows: number[] = [];
    await fetchAndStore(createFakeSession(folder), store, simpleParse, { ...base }, { state, snapshot, plan, onFolderRow: (id) => rows.push(id) });
    assert.deepEqual(rows, []);
    const other = createMemorySyncStore();
    await fetchAndStore(createFakeSession(folder), other, simpleParse, { ...base, folder: 'New' }, { state: { ...state, folderId: null }, snapshot, plan });
    assert.equal((await other.findFolderState(1, 'New'))?.folderId, 1);
  });

  test('the size cap: at the cap a message is fetched whole, above it headers only', async () => {
    const folder = createModelFolder();
    fill(folder, 2);
    const [one, two] = folder.messages.map((m) => m.raw.byteLength) as [number, number];
    assert.equal(one, two);
    const store = createMemorySyncStore();
    const { calls } = await sync(folder, store, { maxMessageBytes: one, batchMessages: 1 });
    assert.deepEqual(calls.filter((call) => call.startsWith('fetchMessages')), ['fetchMessages(2)', 'fetchMessages(1)']);
    appendMessage(folder, makeRaw(6000, 'a longer body than the others'), [], DAY0);
    const next = await sync(folder, store, { maxMessageBytes: one });
    assert.deepEqual(next.calls.filter((call) => call.startsWith('fetchMessages')), ['fetchMessages(3 headers:3)']);
  });

  test('messages delivered out of UID order are stored in UID order', async () => {
    const folder = createModelFolder();
    fill(folder, 4);
    const { batches } = await sync(folder, createMemorySyncStore(), {}, {}, { fetchMessages: (messages) => [messages[2], messages[0], messages[3], messages[1]].filter((m) => m !== undefined) });
    assert.deepEqual(batches[0]?.messages.map((m) => m.uid), [1, 2, 3, 4]);
  });

  test('Gmail attributes and an over-cap delivery reach the stored message', async () => {
    const folder = createModelFolder();
    fill(folder, 2);
    const gmail = { msgId: '1234', thrId: '99', labels: ['\\Inbox'] };
    const tweak = {
      fetchMessages: (messages: Parameters<NonNullable<SessionTweaks['fetchMessages']>>[0]) =>
        messages.map((m) => (m.uid === 1 ? { ...m, gmail } : { ...m, headersOnly: true, limitExceeded: 'literal above 10 bytes' })),
    };
    const store = createMemorySyncStore();
    const { result, batches } = await sync(folder, store, {}, {}, tweak);
    const [first, second] = batches[0]?.messages ?? [];
    assert.deepEqual(first?.gmail, gmail);
    assert.equal(second?.gmail, undefined);
    assert.deepEqual([second?.record.truncated, second?.record.parseError], [true, 'literal above 10 bytes']);
    assert.equal(first?.record.parseError, null);
    assert.equal(result.failed, 1);
  });

  test('FETCHes ahead stay within 16 MiB in flight (announced sizes); the next batch is always requested', async () => {
    const MiB = 1024 * 1024;
    // Announced sizes by UID (the messages themselves are small); one message per batch, newest first.
    const run = async (sizes: number[], releaseFirst: boolean) => {
      const folder = createModelFolder();
      fill(folder, sizes.length);
      const announce = (entries: ServerUid[]) => entries.map((e) => ({ uid: e.uid, size: sizes[e.uid - 1] as number }));
      const fake = createFakeSession(folder);
      const session = recordSession(fake, { listUids: announce, listUidRange: announce });
      const store = createMemorySyncStore();
      const top = sizes.length;
      let releaseTop!: () => void;
      let releaseAll!: () => void;
      const topGate = new Promise<void>((resolve) => (releaseTop = resolve));
      const allGate = new Promise<void>((resolve) => (releaseAll = resolve));
      const gated: ParseMessage = async (raw, options) => {
        const record = await simpleParse(raw, options);
        await (record.subject === `message ${5000 + top}` ? topGate : allGate);
        return record;
      };
      const settle = async () => {
        for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      };
      const syncing = syncFolder(session, store, gated, { ...base, batchMessages: 1, maxMessageBytes: 64 * MiB });
      await settle();
      const fetches = () => session.calls.filter((call) => call.startsWith('fetchMessages')).length;
      const atStart = fetches();
      let afterFirst = -1;
      if (releaseFirst) {
        releaseTop();
        while (store.batchesApplied < 1) await settle();
        await settle();
        afterFirst = fetches();
      }
      releaseTop();
      releaseAll();
      const result = await syncing;
      assert.equal(result.new, sizes.length);
      return { atStart, afterFirst };
    };
    // Batches (newest first) of 10 and 10 MiB: the next one is requested although over budget.
    assert.equal((await run([1, 10 * MiB, 10 * MiB], false)).atStart, 2);
    // 4 + 4 + 8 MiB is exactly the budget: all three in flight, not the fourth.
    assert.equal((await run([MiB, 8 * MiB, 4 * MiB, 4 * MiB], false)).atStart, 3);
    // 10 + 1 + 1 MiB in flight, 5 more would pass 16; once the 10 MiB batch is stored, the rest fits.
    const sizes = [MiB, MiB, 5 * MiB, MiB, MiB, 10 * MiB];
    assert.deepEqual(await run(sizes, true), { atStart: 3, afterFirst: 6 });
  });
});

