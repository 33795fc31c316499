/**
 * Flags and deletions of messages the store already holds (UID ≤ cursor), with the cheapest
 * method the server allows:
 *  - QRESYNC: the VANISHED and FETCH data that came with EXAMINE;
 *  - CONDSTORE: `UID FETCH 1:cursor (FLAGS) (CHANGEDSINCE stored-modseq)`;
 *  - neither: all flags of 1:cursor, diffed against the store.
 * Deletions are then checked by counting: UIDs never get reused and new mail always lands above
 * the cursor, so when the server holds as many UIDs ≤ cursor as the store has live locations,
 * the two sets are equal; otherwise `UID SEARCH UID 1:cursor` says which ones went away.
 * Everything found is applied in one transaction; the cursor does not move here.
 */

import type { FlagState, FolderSession, FolderSnapshot, FolderSyncState, KnownLocation, SyncStore } from './ports.js';

export interface ReconcileInput {
  accountId: number;
  state: FolderSyncState;
  snapshot: FolderSnapshot;
  /** How many server UIDs lie above `state.cursor`, or null when not known. */
  serverUidsAboveCursor: number | null;
  /** Ignore modseq shortcuts and compare every flag (after a UIDVALIDITY re-match). */
  forceFullFlags: boolean;
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
  const { state, snapshot, signal } = input;
  const all = await store.listLocations(state.folderId, snapshot.uidValidity);
  // Normally only UIDs ≤ cursor are stored; right after a UIDVALIDITY re-match, re-matched
  // messages may lie above the cursor and all of them need their current flags.
  const upTo = input.forceFullFlags ? all.reduce((max, location) => Math.max(max, location.uid), state.cursor) : state.cursor;
  const known = all.filter((location) => location.uid <= upTo);
  const knownByUid = new Map<number, KnownLocation>(known.map((location) => [location.uid, location]));

  let reported: FlagState[] = [];
  let vanished: number[] = [];
  let everyUidListed = false;
  const modseqUsable =
    !input.forceFullFlags && state.highestModseq !== null && snapshot.highestModseq !== null;
  if (modseqUsable && snapshot.qresync) {
    reported = snapshot.changed;
    vanished = snapshot.vanished;
  } else if (modseqUsable && session.condstore) {
    if (snapshot.highestModseq !== state.highestModseq) {
      reported = await session.fetchFlags(state.cursor, state.highestModseq, signal);
    }
  } else {
    reported = upTo > 0 ? await session.fetchFlags(upTo, null, signal) : [];
    const present = new Set(reported.map((entry) => entry.uid));
    vanished = known.filter((location) => !present.has(location.uid)).map((location) => location.uid);
    everyUidListed = true;
  }

  vanished = vanished.filter((uid) => knownByUid.has(uid));
  if (!everyUidListed) {
    const liveAfterVanished = known.length - vanished.length;
    const serverAtOrBelowCursor =
      input.serverUidsAboveCursor === null ? -1 : snapshot.exists - input.serverUidsAboveCursor;
    if (serverAtOrBelowCursor !== liveAfterVanished) {
      const present = new Set(state.cursor > 0 ? await session.searchUids(state.cursor, signal) : []);
      vanished = known.filter((location) => !present.has(location.uid)).map((location) => location.uid);
    }
  }

  const gone = new Set(vanished);
  const flagUpdates = reported.filter((entry) => {
    const location = knownByUid.get(entry.uid);
    return location !== undefined && !gone.has(entry.uid) && !sameFlags(location.flags, entry.flags);
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
