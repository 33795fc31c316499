/**
 * Step 5 of a folder sync: fetches the planned batches (fetch-plan.ts) and stores each one in
 * its own transaction together with the covered range it completes (on a folder's first sync,
 * the first of them also creates the folder's row). The FETCHes of the next batches are on the
 * wire while the current one is parsed and stored; messages are parsed as they arrive; messages
 * above the size cap are fetched headers-only.
 */

import type { FolderSyncOptions, ParseMessage } from './folder-sync.js';
import type { CoveredRange, FetchPlan, PlannedBatch } from './fetch-plan.js';
import type { FetchedMessage, FolderSession, FolderSnapshot, FolderSyncState, NewMessage, ServerUid, SyncBatchContent, SyncStore } from './ports.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
const DEFAULT_FETCH_AHEAD = 4;
const MAX_BYTES_AHEAD = 16 * 1024 * 1024;

interface FetchOutcome {
  stored: number;
  backfilled: number;
  failed: number;
  bytes: number;
}

interface ParsedBatch {
  messages: NewMessage[];
  failed: number;
  bytes: number;
}

/** Issues the FETCH for one batch and parses each message as soon as it arrives. */
function fetchBatch(
  session: FolderSession,
  parseMessage: ParseMessage,
  batch: ServerUid[],
  maxMessageBytes: number,
  signal: AbortSignal | undefined,
): Promise<ParsedBatch> {
  const headersOnly = new Set(batch.filter((entry) => entry.size > maxMessageBytes).map((entry) => entry.uid));
  const parses: Array<Promise<NewMessage>> = [];
  let bytes = 0;
  const onMessage = (message: FetchedMessage): void => {
    bytes += message.raw.byteLength;
    parses.push(parseOne(parseMessage, message));
  };
  return session
    .fetchMessages(
      batch.map((entry) => entry.uid),
      headersOnly,
      onMessage,
      signal,
    )
    .then(async () => {
      const messages = await Promise.all(parses);
      messages.sort((a, b) => a.uid - b.uid);
      return {
        messages,
        failed: messages.filter((message) => message.record.parseError !== null).length,
        bytes,
      };
    });
}

async function parseOne(parseMessage: ParseMessage, message: FetchedMessage): Promise<NewMessage> {
  const record = await parseMessage(message.raw, { headersOnly: message.headersOnly });
  return {
    record: message.headersOnly
      ? { ...record, truncated: true, size: message.size, ...(message.limitExceeded ? { parseError: message.limitExceeded } : {}) }
      : record,
    uid: message.uid,
    flags: message.flags,
    modseq: message.modseq,
    internalDate: message.internalDate,
    ...(message.gmail ? { gmail: message.gmail } : {}),
  };
}

export async function fetchAndStore(
  session: FolderSession,
  store: SyncStore,
  parseMessage: ParseMessage,
  options: FolderSyncOptions,
  input: {
    /** With `folderId` null the folder has no row yet: the first batch creates it (named by
     * `options.folder` / `displayName`) and `onFolderRow` learns its id. */
    state: Omit<FolderSyncState, 'folderId'> & { folderId: number | null };
    snapshot: FolderSnapshot;
    plan: FetchPlan;
    onFolderRow?: (folderId: number) => void;
  },
): Promise<FetchOutcome> {
  const { accountId, nowTs, signal } = options;
  const { state, snapshot, plan } = input;
  let folderId = state.folderId;
  const newFolder = { name: options.folder, ...(options.displayName !== undefined ? { displayName: options.displayName } : {}) };
  const apply = async (batch: Pick<SyncBatchContent, 'messages' | 'state'>): Promise<void> => {
    const id = await store.applyBatch({
      accountId,
      ...(folderId === null ? { folderId: null, newFolder } : { folderId }),
      uidValidity: snapshot.uidValidity,
      flagUpdates: [],
      expungedUids: [],
      ...batch,
    });
    if (folderId === null) {
      folderId = id;
      input.onFolderRow?.(id);
    }
  };
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const batches = plan.batches;
  const outcome: FetchOutcome = { stored: 0, backfilled: 0, failed: 0, bytes: 0 };
  const stateFor = (range: CoveredRange, last: boolean, remaining: number) => ({
    cursor: range.cursor,
    coveredFrom: range.coveredFrom,
    remaining,
    uidValidity: snapshot.uidValidity,
    // UIDNEXT is remembered only once the whole folder is stored, so that the "nothing changed"
    // shortcut can never hide messages that were left for a later call.
    uidNext: last && plan.complete ? snapshot.uidNext : null,
    highestModseq: snapshot.highestModseq,
    lastSyncAt: nowTs,
  });

  if (batches.length === 0) {
    await apply({ messages: [], state: stateFor(plan.final, true, plan.remaining) });
    return outcome;
  }

  // Pipelining: while batch i is parsed and stored, the FETCHes of batches i+1 .. i+fetchAhead
  // are on the wire, so the parse workers always have messages queued (one batch ahead left
  // them idle a fifth of the time). The next batch is always requested; later ones only while
  // the batches in flight stay within MAX_BYTES_AHEAD (announced sizes), so big messages do not
  // pile up in memory.
  const fetchAhead = Math.max(1, options.fetchAhead ?? DEFAULT_FETCH_AHEAD);
  const sizeOf = (batch: ServerUid[]): number => batch.reduce((sum, entry) => sum + Math.min(entry.size, maxMessageBytes), 0);
  const inFlight: Array<{ parsed: Promise<ParsedBatch>; bytes: number }> = []; // issued, not yet taken, in order
  let bytesInFlight = 0;
  let issued = 0;
  const total = batches.reduce((sum, batch) => sum + batch.uids.length, 0);
  // The backlog recorded with each batch: what this call has not stored yet plus what it leaves.
  let unstored = total + plan.remaining;
  for (let index = 0; index < batches.length; index++) {
    const batch = batches[index] as PlannedBatch;
    while (issued < batches.length && issued <= index + fetchAhead) {
      const next = (batches[issued] as PlannedBatch).uids;
      const bytes = sizeOf(next);
      if (issued > index + 1 && bytesInFlight + bytes > MAX_BYTES_AHEAD) break;
      const parsed = fetchBatch(session, parseMessage, next, maxMessageBytes, signal);
      // A failure of a later batch is handled when we await it; never leave it unobserved.
      parsed.catch(() => undefined);
      inFlight.push({ parsed, bytes });
      bytesInFlight += bytes;
      issued++;
    }
    const taken = inFlight.shift() as { parsed: Promise<ParsedBatch>; bytes: number };
    bytesInFlight -= taken.bytes;
    const parsed = await taken.parsed;
    const isLast = index === batches.length - 1;
    unstored -= batch.uids.length;
    // The batch's range was planned from the UIDs it asked for: UIDs the server did not return
    // were expunged meanwhile (the tagged OK of UID FETCH means the rest was delivered).
    await apply({ messages: parsed.messages, state: stateFor(isLast ? plan.final : batch.after, isLast, unstored) });
    outcome.stored += parsed.messages.length;
    if (batch.backfill) outcome.backfilled += parsed.messages.length;
    outcome.failed += parsed.failed;
    outcome.bytes += parsed.bytes;
    options.onProgress?.({ stored: outcome.stored, total, bytes: outcome.bytes });
  }
  return outcome;
}
