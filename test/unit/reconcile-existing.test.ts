/**
 * Flags and deletions of stored messages (src/sync/reconcile-existing.ts), driven directly with
 * a scripted server: which method each server/state combination uses (QRESYNC data, CHANGEDSINCE,
 * all flags), flag and label comparison (case-insensitive, as sets), deletions confirmed by
 * counting without a SEARCH only when every server UID up to the cursor is held and the listing
 * above it is known, and the one transaction that records them (cursor untouched, new modseq
 * recorded even when nothing else changed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reconcileExisting, type ReconcileInput } from '../../src/sync/reconcile-existing.js';
import type { FlagState, FolderSession, FolderSnapshot, FolderSyncState, KnownLocation, SyncBatch, SyncStore } from '../../src/sync/ports.js';

interface ServerMessage {
  uid: number;
  flags: string[];
  modseq: bigint;
  labels?: string[];
}

function scriptedServer(messages: ServerMessage[], capabilities: { condstore: boolean; qresync: boolean }): FolderSession & { calls: string[] } {
  const calls: string[] = [];
  const unexpected = (name: string) => async (): Promise<never> => {
    throw new Error(`unexpected ${name}`);
  };
  return {
    calls,
    ...capabilities,
    open: unexpected('open'),
    listUids: unexpected('listUids'),
    listUidRange: unexpected('listUidRange'),
    highestUidBefore: unexpected('highestUidBefore'),
    fetchMessages: unexpected('fetchMessages'),
    fetchIdentities: unexpected('fetchIdentities'),
    async searchUids(upTo) {
      calls.push(`searchUids(${upTo})`);
      return messages.filter((m) => m.uid <= upTo).map((m) => m.uid);
    },
    async fetchFlags(upTo, changedSince) {
      calls.push(`fetchFlags(${upTo},${changedSince})`);
      return messages
        .filter((m) => m.uid <= upTo && (changedSince === null || m.modseq > changedSince))
        .map((m): FlagState => ({ uid: m.uid, flags: [...m.flags], modseq: m.modseq, ...(m.labels ? { labels: m.labels } : {}) }));
    },
  };
}

function recordingStore(): SyncStore & { batches: SyncBatch[] } {
  const batches: SyncBatch[] = [];
  const unexpected = async (): Promise<never> => {
    throw new Error('unexpected store call');
  };
  return {
    batches,
    findFolderState: unexpected,
    loadFolderState: unexpected,
    listLocations: unexpected,
    remapUidValidity: unexpected,
    recordFailure: unexpected,
    async applyBatch(batch) {
      batches.push(batch);
      return 1;
    },
  };
}

const location = (uid: number, flags: string[] = [], labels?: string[] | null): KnownLocation => ({
  uid,
  flags,
  modseq: 1n,
  messageId: `<m${uid}@example.test>`,
  size: 100,
  ...(labels !== undefined ? { labels } : {}),
});
const server = (uid: number, flags: string[] = [], modseq = 1n, labels?: string[]): ServerMessage => ({ uid, flags, modseq, ...(labels ? { labels } : {}) });

const STATE: FolderSyncState = { folderId: 1, cursor: 5, coveredFrom: 1, uidValidity: 1, uidNext: 6, highestModseq: 10n, liveCount: 5 };
const SNAPSHOT: FolderSnapshot = { uidValidity: 1, uidNext: 6, highestModseq: 10n, exists: 5, vanished: [], changed: [], qresync: false };

async function reconcile(
  session: FolderSession & { calls: string[] },
  input: { state?: Partial<FolderSyncState>; snapshot?: Partial<FolderSnapshot> } & Partial<Omit<ReconcileInput, 'state' | 'snapshot'>>,
) {
  const store = recordingStore();
  const known = input.known ?? [1, 2, 3, 4, 5].map((uid) => location(uid));
  const outcome = await reconcileExisting(session, store, {
    accountId: 1,
    known,
    knownUpTo: input.knownUpTo ?? 5,
    serverUidsAboveCursor: input.serverUidsAboveCursor === undefined ? new Set() : input.serverUidsAboveCursor,
    nowTs: 1000,
    state: { ...STATE, ...input.state },
    snapshot: { ...SNAPSHOT, ...input.snapshot },
  });
  return {
    outcome,
    calls: session.calls,
    batches: store.batches,
    updated: (store.batches[0]?.flagUpdates ?? []).map((f) => f.uid),
    expunged: store.batches[0]?.expungedUids ?? [],
  };
}

const plain = { condstore: false, qresync: false };
const condstore = { condstore: true, qresync: false };
const qresync = { condstore: true, qresync: true };
const noModseq = { state: { highestModseq: null }, snapshot: { highestModseq: null } };

describe('reconcile existing messages', () => {
  test('flags compare as case-insensitive sets: a removed, added or changed flag is an update, case alone is not', async () => {
    const known = [
      location(1, ['\\Seen', '\\Flagged']),
      location(2, ['\\Seen']),
      location(3, ['\\Answered', '$Label']),
      location(4, []),
      location(5, ['\\Seen']),
    ];
    const session = scriptedServer(
      [server(1, ['\\Seen']), server(2, ['\\SEEN']), server(3, ['$label', '\\Answered']), server(4, []), server(5, ['\\Seen', '\\Draft'])],
      plain,
    );
    const { outcome, calls, updated, expunged } = await reconcile(session, { ...noModseq, known, serverUidsAboveCursor: null });
    assert.deepEqual(outcome, { updated: 2, deleted: 0 });
    assert.deepEqual(updated, [1, 5]);
    assert.deepEqual(expunged, []);
    assert.deepEqual(calls, ['fetchFlags(5,null)'], 'all flags listed: deletions need no SEARCH');
  });

  test('without a usable modseq every flag is compared and the listing itself says what is gone', async () => {
    const known = [1, 2, 3, 4, 5].map((uid) => location(uid));
    const messages = [server(1), server(2, ['\\Flagged']), server(4), server(5)];
    // No modseq held (after a UIDVALIDITY re-match), although the server sent QRESYNC data.
    {
      const session = scriptedServer(messages, qresync);
      const { outcome, calls, updated, expunged } = await reconcile(session, {
        known,
        state: { highestModseq: null },
        snapshot: { highestModseq: 7n, qresync: true, changed: [], vanished: [{ start: 1, end: 1 }] },
        serverUidsAboveCursor: null,
      });
      assert.deepEqual(calls, ['fetchFlags(5,null)']);
      assert.deepEqual([outcome, updated, expunged], [{ updated: 1, deleted: 1 }, [2], [3]]);
    }
    // No modseq held, the server has CONDSTORE.
    {
      const session = scriptedServer(messages, condstore);
      const { calls, expunged } = await reconcile(session, { known, state: { highestModseq: null }, snapshot: { highestModseq: 7n }, serverUidsAboveCursor: null });
      assert.deepEqual(calls, ['fetchFlags(5,null)']);
      assert.deepEqual(expunged, [3]);
    }
    // A modseq held, but the server answered NOMODSEQ this time.
    {
      const session = scriptedServer(messages, condstore);
      const { calls, expunged } = await reconcile(session, { known, state: { highestModseq: 5n }, snapshot: { highestModseq: null }, serverUidsAboveCursor: null });
      assert.deepEqual(calls, ['fetchFlags(5,null)']);
      assert.deepEqual(expunged, [3]);
    }
  });

  test('Gmail labels change like flags: compared as sets, case-insensitively, only when the server reports them', async () => {
    const known = [
      location(1, [], ['\\Inbox']),
      location(2, [], null),
      location(3, []),
      location(4, [], ['Work']),
      location(5, [], ['Work']),
    ];
    const session = scriptedServer(
      [server(1, [], 1n, ['\\Inbox', 'Travel']), server(2, [], 1n, []), server(3), server(4, [], 1n, ['work']), server(5)],
      plain,
    );
    const { updated } = await reconcile(session, { ...noModseq, known });
    assert.deepEqual(updated, [1]);
  });

  test('nothing held and no UID passed: no FETCH, no SEARCH, no transaction', async () => {
    for (const capabilities of [plain, condstore]) {
      const session = scriptedServer([], capabilities);
      const { outcome, calls, batches } = await reconcile(session, {
        ...(capabilities.condstore ? {} : noModseq),
        known: [],
        knownUpTo: 0,
        state: { cursor: 0, ...(capabilities.condstore ? {} : { highestModseq: null }) },
        snapshot: { exists: 0, ...(capabilities.condstore ? {} : { highestModseq: null }) },
        serverUidsAboveCursor: null,
      });
      assert.deepEqual([outcome, calls, batches.length], [{ updated: 0, deleted: 0 }, [], 0]);
    }
  });

  test('QRESYNC: the VANISHED and FETCH data of EXAMINE, deletions confirmed by counting, no round trip', async () => {
    const session = scriptedServer([server(1, ['\\Seen'], 12n), server(4), server(5)], qresync);
    const { outcome, calls, updated, expunged, batches } = await reconcile(session, {
      snapshot: {
        highestModseq: 12n,
        qresync: true,
        exists: 3,
        changed: [{ uid: 1, flags: ['\\Seen'], modseq: 12n }, { uid: 9, flags: ['\\Seen'], modseq: 11n }],
        vanished: [{ start: 2, end: 3 }, { start: 9, end: 9 }],
      },
    });
    assert.deepEqual(calls, []);
    assert.deepEqual([outcome, updated, expunged], [{ updated: 1, deleted: 2 }, [1], [2, 3]]);
    assert.deepEqual(batches[0]?.state, { cursor: 5, uidValidity: 1, uidNext: 6, highestModseq: 12n, lastSyncAt: 1000 });
  });

  test('CONDSTORE: flags CHANGEDSINCE only when the modseq moved; a moved modseq alone is still recorded', async () => {
    const messages = [server(1, [], 11n), server(2), server(3), server(4), server(5)];
    {
      const session = scriptedServer(messages, condstore);
      const { calls, batches } = await reconcile(session, {});
      assert.deepEqual([calls, batches.length], [[], 0]);
    }
    {
      const session = scriptedServer(messages, condstore);
      const { calls, outcome, batches } = await reconcile(session, { snapshot: { highestModseq: 11n } });
      assert.deepEqual(calls, ['fetchFlags(5,10)']);
      assert.deepEqual(outcome, { updated: 0, deleted: 0 });
      assert.equal(batches.length, 1);
      assert.deepEqual(
        [batches[0]?.flagUpdates, batches[0]?.expungedUids, batches[0]?.messages, batches[0]?.state],
        [[], [], [], { cursor: 5, uidValidity: 1, uidNext: 6, highestModseq: 11n, lastSyncAt: 1000 }],
      );
    }
  });

  test('deletions: SEARCH when the listing above the cursor is unknown or a backfill is under way', async () => {
    // Listing unknown (an explicit cursor skipped ahead): SEARCH, whatever the counts.
    {
      const session = scriptedServer([server(1), server(2), server(4), server(5)], condstore);
      const { calls, expunged } = await reconcile(session, { snapshot: { exists: 4 }, serverUidsAboveCursor: null });
      assert.deepEqual([calls, expunged], [['searchUids(5)'], [3]]);
    }
    // Backfill under way (range 3..5): the server's older UIDs make the counts agree although 4 is gone.
    {
      const session = scriptedServer([server(1), server(3), server(5)], condstore);
      const { calls, expunged } = await reconcile(session, {
        known: [3, 4, 5].map((uid) => location(uid)),
        state: { coveredFrom: 3 },
        snapshot: { exists: 3 },
      });
      assert.deepEqual([calls, expunged], [['searchUids(5)'], [4]]);
    }
  });

  test('held UIDs above the cursor are checked against the listing; those at or below it are counted', async () => {
    const known = [1, 2, 3, 5].map((uid) => location(uid));
    const input = { known, knownUpTo: 5, state: { cursor: 3 } };
    // 5 is gone (not in the listing above the cursor): found without a SEARCH.
    {
      const session = scriptedServer([server(1), server(2), server(3)], condstore);
      const { calls, expunged } = await reconcile(session, { ...input, snapshot: { exists: 3 }, serverUidsAboveCursor: new Set() });
      assert.deepEqual([calls, expunged], [[], [5]]);
    }
    // 5 is still there.
    {
      const session = scriptedServer([server(1), server(2), server(3), server(5)], condstore);
      const { calls, outcome } = await reconcile(session, { ...input, snapshot: { exists: 4 }, serverUidsAboveCursor: new Set([5]) });
      assert.deepEqual([calls, outcome.deleted], [[], 0]);
    }
  });
});
