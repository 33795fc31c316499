/**
 * One folder, one call: the incremental sync rules of prx-email, its options and its result.
 *
 * Order of work in `syncFolder`:
 *  1. EXAMINE (read-only; QRESYNC parameters when we have a modseq and the server can).
 *  2. UIDVALIDITY changed → re-match stored messages by Message-ID + size in the new UID space
 *     (`uidvalidity-recovery.ts`), tombstone the rest, and continue as a resync.
 *  3. Nothing changed (same UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, message count) → return without
 *     a SEARCH or FETCH.
 *  4. Flags and deletions of stored messages (`reconcile-existing.ts`), applied in their own
 *     transaction before new mail.
 *  5. New mail above the covered range, then backfill below it, newest first (`fetch-plan.ts`),
 *     at most `maxMessages` together, down to `since` if given; fetched in pipelined batches
 *     with BODY.PEEK[] (never sets \Seen), parsed as they arrive, each batch stored in one
 *     transaction together with the range it covers (`fetch-pipeline.ts`).
 *
 * Invariant kept by every transaction: every server message with a UID in the covered range
 * [coveredFrom, cursor] is stored. A folder's row is created only once EXAMINE succeeded: by the
 * first batch of its first sync, in that batch's transaction (so a first sync commits once), or,
 * when that sync fails before its first batch, to record the failure.
 */

import type { MessageRecord } from '../mime/types.js';
import type { FolderSession, FolderSnapshot, FolderSyncState, ServerUid, SyncStore } from './ports.js';
import { planFetch } from './fetch-plan.js';
import { fetchAndStore } from './fetch-pipeline.js';
import { reconcileExisting } from './reconcile-existing.js';
import { recoverUidValidity } from './uidvalidity-recovery.js';

export type ParseMessage = (raw: Uint8Array, options: { headersOnly: boolean }) => Promise<MessageRecord>;

export interface FolderSyncOptions {
  accountId: number;
  folder: string;
  /** The folder's decoded name, recorded when this call creates its row (default: `folder`). */
  displayName?: string;
  /** Start after this UID instead of the stored cursor (undefined: resume from the store). */
  cursor?: number;
  /** The caller's clock, Unix seconds. */
  nowTs: number;
  /** At most this many messages stored in this call, new mail first, then backfill (the rest
   * stays for the next call). */
  maxMessages: number;
  /** Backfill no further down than the newest message older than this day (Unix ms of 00:00
   * UTC; IMAP compares INTERNALDATE by day). Undefined: backfill to the first message. */
  since?: number;
  /** Messages larger than this are stored with headers only (`truncated`). */
  maxMessageBytes?: number;
  /** Messages per FETCH command (default 100) and bytes per FETCH command (default 8 MiB). */
  batchMessages?: number;
  batchBytes?: number;
  /** Batches whose FETCH is issued while an earlier one is parsed and stored (default 4; beyond
   * the next batch, only while the batches in flight total at most 16 MiB). */
  fetchAhead?: number;
  signal?: AbortSignal;
  /** Progress callback after each stored batch. */
  onProgress?: (progress: { stored: number; total: number; bytes: number }) => void;
  /** The whole backlog above the cursor (messages and bytes from the UID listing), before fetching. */
  onBacklog?: (backlog: { messages: number; bytes: number }) => void;
}

/** What one sync call did to one folder. Counts are messages; the covered range is the UID interval [coveredFrom, cursor] all of whose server messages are stored. */
export interface FolderSyncResult {
  /** The folder, as the server names it. */
  folder: string;
  /** Messages newly stored (new mail and backfill). */
  new: number;
  /** Stored messages whose flags changed on the server. */
  updated: number;
  /** Stored messages tombstoned because they are gone from the server (or their folder is). */
  deleted: number;
  /** Of the new messages, those whose MIME parsing failed; they are stored raw with the parse error. */
  failed: number;
  /** Top of the covered range: every server UID in [coveredFrom, cursor] is stored. */
  cursor: number;
  /** Bottom of the covered range (UID); 1 once the whole folder is stored. */
  coveredFrom: number;
  /** The folder's UIDVALIDITY (RFC 3501); UIDs are only meaningful together with it. */
  uidValidity: number;
  /** True when UIDVALIDITY changed since the last sync: stored messages were re-matched by Message-ID and size, the rest tombstoned. */
  uidvalidityChanged: boolean;
  /** Messages still waiting on the server (new or backfill) beyond maxMessages. */
  remaining: number;
  /** How many of `new` were backfill (below the range) rather than new mail above it. */
  backfilled: number;
  /** Bytes of raw message data fetched. */
  bytes: number;
  /** Wall-clock time of the call, in milliseconds. */
  durationMs: number;
  /** True when step 3 found nothing to do. */
  unchanged: boolean;
  /** Set by the plugin when the folder was deleted on the server: its locations were
   * tombstoned (`deleted`) and its state marked 'deleted'. */
  folderDeleted?: boolean;
}

export { DEFAULT_MAX_MESSAGE_BYTES } from './fetch-pipeline.js';
const DEFAULT_BATCH_MESSAGES = 100;
const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;

export async function syncFolder(
  session: FolderSession,
  store: SyncStore,
  parseMessage: ParseMessage,
  options: FolderSyncOptions,
): Promise<FolderSyncResult> {
  const started = Date.now();
  const { accountId, folder, nowTs } = options;
  // The folder row is created only once the server has opened the folder: a name the server
  // does not know leaves nothing behind.
  const known = await store.findFolderState(accountId, folder);
  let folderId = known?.folderId ?? null;
  let opened = false;
  try {
    return await runSync(session, store, parseMessage, options, known, started, {
      opened: () => {
        opened = true;
      },
      row: (id) => {
        folderId = id;
      },
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    await (async () => {
      // A folder opened for the first time whose sync failed before its first batch: its row
      // is created now, to hold the failure.
      if (folderId === null && opened) folderId = (await store.loadFolderState(accountId, folder, options.displayName)).folderId;
      if (folderId !== null) await store.recordFailure(accountId, folderId, text, nowTs);
    })().catch(() => undefined);
    throw error;
  }
}

/** A folder the store has no row for yet: nothing stored, nothing covered. */
type FolderState = FolderSyncState | (Omit<FolderSyncState, 'folderId'> & { folderId: null });
const NO_ROW: FolderState = { folderId: null, cursor: 0, coveredFrom: 1, uidValidity: null, uidNext: null, highestModseq: null, liveCount: 0 };

async function runSync(
  session: FolderSession,
  store: SyncStore,
  parseMessage: ParseMessage,
  options: FolderSyncOptions,
  knownState: FolderSyncState | null,
  started: number,
  on: { opened: () => void; row: (folderId: number) => void },
): Promise<FolderSyncResult> {
  const { accountId, folder, nowTs, signal } = options;
  const canQresync =
    session.qresync &&
    knownState !== null &&
    knownState.uidValidity !== null &&
    knownState.highestModseq !== null &&
    knownState.cursor > 0;
  const snapshot = await session.open(
    folder,
    canQresync ? { uidValidity: knownState.uidValidity as number, modseq: knownState.highestModseq as bigint } : null,
    signal,
  );
  on.opened();
  // A new folder's row is created by its first batch (fetch-pipeline.ts), not here: one commit.
  let state: FolderState = knownState ?? NO_ROW;

  const result: FolderSyncResult = {
    folder,
    new: 0,
    updated: 0,
    deleted: 0,
    failed: 0,
    cursor: state.cursor,
    coveredFrom: state.coveredFrom,
    uidValidity: snapshot.uidValidity,
    uidvalidityChanged: false,
    remaining: 0,
    backfilled: 0,
    bytes: 0,
    durationMs: 0,
    unchanged: false,
  };

  // 2. UIDVALIDITY changed: stale UIDs are never reused.
  if (state.folderId !== null && state.uidValidity !== null && state.uidValidity !== snapshot.uidValidity) {
    const recovery = await recoverUidValidity(session, store, {
      accountId,
      folderId: state.folderId,
      oldUidValidity: state.uidValidity,
      newUidValidity: snapshot.uidValidity,
      nowTs,
      signal,
    });
    result.uidvalidityChanged = true;
    result.deleted += recovery.tombstoned;
    // The re-match left the state without a modseq, so step 3 cannot skip and step 4 compares
    // every flag.
    state = await store.loadFolderState(accountId, folder, options.displayName);
  }

  const startCursor = options.cursor ?? state.cursor;

  // 3. Nothing changed.
  if (isUnchanged(state, snapshot, startCursor)) {
    result.unchanged = true;
    result.durationMs = Date.now() - started;
    return result;
  }

  // What we hold in this UID space. Usually every UID is ≤ cursor, but messages re-matched after
  // a UIDVALIDITY change (and, with `options.cursor`, messages above a rewound cursor) may lie
  // above it: they are reconciled like the rest and never fetched again.
  const known = state.folderId !== null && state.uidValidity === snapshot.uidValidity ? await store.listLocations(state.folderId, snapshot.uidValidity) : [];
  const knownUpTo = known.reduce((max, location) => Math.max(max, location.uid), state.cursor);
  const alreadyStored = new Set(known.map((location) => location.uid));

  // 5a. List what is new (also tells how many server UIDs lie above what we hold).
  // Stryker disable next-line ArrayDeclaration: equivalent — the listing is read only through UID comparisons, which an entry without a UID fails
  const listed = snapshot.exists === 0 ? [] : await session.listUids(startCursor + 1, signal);
  const newUids = listed.filter((entry) => entry.uid > startCursor).sort((a, b) => a.uid - b.uid);

  // 4. Flags and deletions of what we already hold.
  if (state.folderId !== null && (known.length > 0 || state.cursor > 0)) {
    const reconciled = await reconcileExisting(session, store, {
      accountId,
      state,
      snapshot,
      known,
      knownUpTo,
      serverUidsAboveCursor:
        startCursor <= state.cursor ? new Set(listed.filter((entry) => entry.uid > state.cursor).map((entry) => entry.uid)) : null,
      nowTs,
      signal,
    });
    result.updated += reconciled.updated;
    result.deleted += reconciled.deleted;
  }

  // 5b. Plan: new mail above the covered range first, then backfill below it, newest first.
  const explicitCursor = options.cursor !== undefined;
  const firstSync = !explicitCursor && state.cursor === 0;
  const range = {
    cursor: Math.max(state.cursor, startCursor),
    // Skipping ahead with an explicit cursor leaves what lies below it to the backfill.
    coveredFrom: startCursor > state.cursor ? startCursor + 1 : state.coveredFrom,
  };
  const since = options.since ?? null;
  let below: { floor: number; uids: ServerUid[] } | null = null;
  if (firstSync) {
    const top = newUids.length > 0 ? (newUids[newUids.length - 1] as ServerUid).uid : 0;
    below = { floor: since !== null && top > 0 ? await session.highestUidBefore(top + 1, since, signal) : 0, uids: [] };
  } else if (!explicitCursor && range.coveredFrom > 1 && snapshot.exists === 0) {
    below = { floor: 0, uids: [] }; // an empty folder has nothing below the range either
  } else if (!explicitCursor && range.coveredFrom > 1) {
    const floor = since !== null ? await session.highestUidBefore(range.coveredFrom, since, signal) : 0;
    // Stryker disable next-line ArrayDeclaration: equivalent — the filter below keeps only entries with a UID in (floor, coveredFrom)
    const uids = floor + 1 <= range.coveredFrom - 1 ? await session.listUidRange(floor + 1, range.coveredFrom - 1, signal) : [];
    below = { floor, uids: uids.filter((entry) => entry.uid > floor && entry.uid < range.coveredFrom) };
  }
  const plan = planFetch({
    range,
    firstSync,
    above: newUids,
    below,
    stored: alreadyStored,
    maxMessages: options.maxMessages,
    batchMessages: options.batchMessages ?? DEFAULT_BATCH_MESSAGES,
    batchBytes: options.batchBytes ?? DEFAULT_BATCH_BYTES,
  });
  result.remaining = plan.remaining;
  if (options.onBacklog) {
    // The folder's whole backlog as listed (above and below the range, not stored yet), for progress.
    const floor = below?.floor ?? 0;
    const backlog = [...newUids.filter((entry) => !firstSync || entry.uid > floor), ...(below?.uids ?? [])].filter((entry) => !alreadyStored.has(entry.uid));
    options.onBacklog({ messages: backlog.length, bytes: backlog.reduce((sum, entry) => sum + entry.size, 0) });
  }
  const fetched = await fetchAndStore(session, store, parseMessage, options, { state, snapshot, plan, onFolderRow: on.row });
  result.new += fetched.stored;
  result.backfilled += fetched.backfilled;
  result.failed += fetched.failed;
  result.bytes += fetched.bytes;
  result.cursor = plan.final.cursor;
  result.coveredFrom = plan.final.coveredFrom;
  result.durationMs = Date.now() - started;
  return result;
}

function isUnchanged(state: FolderState, snapshot: FolderSnapshot, startCursor: number): boolean {
  return (
    state.cursor > 0 &&
    state.coveredFrom <= 1 &&
    startCursor === state.cursor &&
    state.uidValidity === snapshot.uidValidity &&
    state.uidNext !== null &&
    state.uidNext === snapshot.uidNext &&
    state.highestModseq !== null &&
    state.highestModseq === snapshot.highestModseq &&
    state.liveCount === snapshot.exists &&
    snapshot.vanished.length === 0 &&
    snapshot.changed.length === 0
  );
}
