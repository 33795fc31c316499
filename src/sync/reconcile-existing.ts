/**
 * Flags and deletions of messages the store already holds (UID ≤ N, N = the cursor or the highest
 * UID held, whichever is higher), with the cheapest method the server allows:
 *  - QRESYNC: the VANISHED and FETCH data that came with EXAMINE;
 *  - CONDSTORE: `UID FETCH 1:N (FLAGS) (CHANGEDSINCE stored-modseq)`;
 *  - neither (or no stored modseq, as after a UIDVALIDITY re-match): all flags of 1:N, diffed
 *    against the store.
 * Deletions are then checked by counting: UIDs never get reused and, once the covered range
 * reaches UID 1, every UID ≤ cursor is held, so when the server holds as many UIDs ≤ N as the
 * store has live locations, the two sets are equal; otherwise (or while a backfill is under way)
 * `UID SEARCH UID 1:N` says which ones went away.
 * Everything found is applied in one transaction; the cursor does not move here.
 */

import { rangeMembership } from '../imap/wire/sequence-set.js';
import type { FlagState, FolderSession, FolderSnapshot, FolderSyncState, KnownLocation, SyncStore } from './ports.js';

export interface ReconcileInput {
  accountId: number;
  state: FolderSyncState;
  snapshot: FolderSnapshot;
  /** Every live stored location of this UIDVALIDITY. */
  known: readonly KnownLocation[];
  /** The highest UID we hold or have passed: max(cursor, highest known UID). */
  knownUpTo: number;
  /** The server's UIDs above `state.cursor` (from the listing of new mail), or null when not known. */
  serverUidsAboveCursor: ReadonlySet<number> | null;
  nowTs: number;
  signal?: AbortSignal;
}

export interface ReconcileOutcome {
  updated: number;
  deleted: number;
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a.map((flag) => flag.toLowerCase()));
  return b.every((flag) => set.has(flag.toLowerCase()));
}

export async function reconcileExisting(
  session: FolderSession,
  store: SyncStore,
  input: ReconcileInput,
): Promise<ReconcileOutcome> {
  const { state, snapshot, known, knownUpTo: upTo, signal } = input;
  const knownByUid = new Map<number, KnownLocation>(known.map((location) => [location.uid, location]));

  // Stryker disable next-line ArrayDeclaration: equivalent — kept only on the CHANGEDSINCE path without a modseq change; read only through held UIDs
  let reported: FlagState[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent — kept only on the CHANGEDSINCE path, where the held-UID filter below drops anything else
  let vanished: number[] = [];
  let everyUidListed = false;
  // After a UIDVALIDITY re-match the state has no modseq: every flag is compared.
  const modseqUsable = state.highestModseq !== null && snapshot.highestModseq !== null;
  if (modseqUsable && snapshot.qresync) {
    reported = snapshot.changed;
    const isVanished = rangeMembership(snapshot.vanished);
    vanished = known.filter((location) => isVanished(location.uid)).map((location) => location.uid);
  } else if (modseqUsable && session.condstore) {
    if (snapshot.highestModseq !== state.highestModseq) {
      reported = await session.fetchFlags(upTo, state.highestModseq, signal);
    }
  } else {
    // Stryker disable next-line ArrayDeclaration: equivalent — upTo 0 means nothing is held, and `reported` is read only through held UIDs
    reported = upTo > 0 ? await session.fetchFlags(upTo, null, signal) : [];
    const present = new Set(reported.map((entry) => entry.uid));
    vanished = known.filter((location) => !present.has(location.uid)).map((location) => location.uid);
    everyUidListed = true;
  }

  // Stryker disable next-line MethodExpression: equivalent — every path above takes `vanished` from `known` (or leaves it empty)
  vanished = vanished.filter((uid) => knownByUid.has(uid));
  if (!everyUidListed) vanished = await confirmDeletions(session, input, vanished);

  const gone = new Set(vanished);
  const flagUpdates = reported.filter((entry) => {
    const location = knownByUid.get(entry.uid);
    if (location === undefined || gone.has(entry.uid)) return false;
    // Gmail labels change like flags (and bump MODSEQ the same way).
    const labelsChanged = entry.labels !== undefined && !sameFlags(location.labels ?? [], entry.labels);
    return labelsChanged || !sameFlags(location.flags, entry.flags);
  });

  if (flagUpdates.length > 0 || vanished.length > 0 || snapshot.highestModseq !== state.highestModseq) {
    await store.applyBatch({
      accountId: input.accountId,
      folderId: state.folderId,
      uidValidity: snapshot.uidValidity,
      messages: [],
      flagUpdates,
      expungedUids: vanished,
      state: {
        cursor: state.cursor,
        uidValidity: snapshot.uidValidity,
        uidNext: state.uidNext,
        highestModseq: snapshot.highestModseq,
        lastSyncAt: input.nowTs,
      },
    });
  }
  return { updated: flagUpdates.length, deleted: vanished.length };
}

/**
 * Completes the list of deletions without a search when counting allows it. Held UIDs above the
 * cursor are checked against the listing directly; below it, every server UID is held, so equal
 * counts mean equal sets. Otherwise `UID SEARCH UID 1:N` says which ones went away.
 */
async function confirmDeletions(session: FolderSession, input: ReconcileInput, vanished: number[]): Promise<number[]> {
  const { state, snapshot, known, serverUidsAboveCursor: above, signal } = input;
  // Counting needs every server UID ≤ cursor held: the covered range must reach UID 1 (during a
  // backfill the server holds older UIDs we do not have yet).
  if (above !== null && state.coveredFrom <= 1) {
    const gone = new Set(vanished);
    let heldAtOrBelowCursor = 0;
    for (const location of known) {
      if (location.uid > state.cursor) {
        if (!above.has(location.uid)) gone.add(location.uid);
      } else if (!gone.has(location.uid)) {
        heldAtOrBelowCursor++;
      }
    }
    if (snapshot.exists - above.size === heldAtOrBelowCursor) return [...gone];
  }
  // Stryker disable next-line ArrayDeclaration: equivalent — knownUpTo 0 means nothing is held (it is at least every held UID), so no location is looked up
  const present = new Set(input.knownUpTo > 0 ? await session.searchUids(input.knownUpTo, signal) : []);
  return known.filter((location) => !present.has(location.uid)).map((location) => location.uid);
}
