/**
 * What one sync call fetches, in which batches, and the covered UID range each batch's
 * transaction records. Pure.
 *
 * The covered range [coveredFrom, cursor] is the engine's invariant: every server message whose
 * UID lies in it is stored. A call spends its `maxMessages` on
 *  1. new mail above the range, oldest first, so the top of the range grows contiguously;
 *  2. then backfill below it, newest first, so the bottom grows down contiguously, stopping at
 *     `floor` (the highest UID older than `since`, or 0).
 * A folder never synced has an empty range placed at the top (cursor = the highest UID,
 * coveredFrom = cursor + 1), so its first call is all backfill: the newest mail first.
 * Every batch's state keeps the invariant, so a cut or a crash between batches loses nothing.
 */

import type { ServerUid } from './ports.js';

export interface CoveredRange {
  cursor: number;
  coveredFrom: number;
}

export interface PlannedBatch {
  /** The batch's UIDs, ascending. */
  uids: ServerUid[];
  /** The range its transaction records. */
  after: CoveredRange;
  backfill: boolean;
}

export interface FetchPlanInput {
  /** The range as stored (cursor possibly raised to an explicit start cursor). */
  range: CoveredRange;
  /** True when the folder holds no range yet: everything listed is backfill from the top. */
  firstSync: boolean;
  /** Server UIDs above the start cursor, ascending (the listing of new mail). */
  above: ServerUid[];
  /** The server's UIDs in [floor + 1, coveredFrom - 1] (the backfill listing), or null when no
   * backfill is done in this call. On a first sync only `floor` is used. */
  below: { floor: number; uids: ServerUid[] } | null;
  /** UIDs already stored in this UID space (never fetched again; the range may cross them). */
  stored: ReadonlySet<number>;
  maxMessages: number;
  batchMessages: number;
  batchBytes: number;
}

export interface FetchPlan {
  batches: PlannedBatch[];
  /** The range once every batch is stored. */
  final: CoveredRange;
  /** Messages left for later calls. */
  remaining: number;
  /** Nothing left and the range reaches UID 1: the folder is fully stored. */
  complete: boolean;
}

export function splitIntoBatches(uids: ServerUid[], maxMessages: number, maxBytes: number): ServerUid[][] {
  const batches: ServerUid[][] = [];
  let current: ServerUid[] = [];
  let bytes = 0;
  for (const entry of uids) {
    if (current.length > 0 && (current.length >= maxMessages || bytes + entry.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const ascending = (a: ServerUid, b: ServerUid): number => a.uid - b.uid;

export function planFetch(input: FetchPlanInput): FetchPlan {
  let budget = Math.max(0, input.maxMessages);
  const highestListed = input.above.length > 0 ? (input.above[input.above.length - 1] as ServerUid).uid : 0;
  let { cursor, coveredFrom } = input.range;
  const batches: PlannedBatch[] = [];

  // 1. New mail above the range.
  let newPending: ServerUid[] = [];
  let backCandidates: ServerUid[];
  let floor: number | null;
  if (input.firstSync) {
    cursor = Math.max(cursor, highestListed);
    coveredFrom = cursor + 1;
    floor = input.below?.floor ?? 0;
    const lowest = floor;
    backCandidates = input.above.filter((entry) => entry.uid > lowest);
  } else {
    newPending = input.above.filter((entry) => !input.stored.has(entry.uid));
    backCandidates = input.below?.uids ?? [];
    floor = input.below?.floor ?? null;
  }
  const selectedNew = newPending.slice(0, budget);
  budget -= selectedNew.length;
  const newRemaining = newPending.length - selectedNew.length;
  const newBatches = splitIntoBatches(selectedNew, input.batchMessages, input.batchBytes);
  newBatches.forEach((uids, index) => {
    // UIDs of a batch the server does not return were expunged meanwhile: the tagged OK of UID
    // FETCH means the rest was delivered, so the cursor may pass them.
    cursor = Math.max(cursor, (uids[uids.length - 1] as ServerUid).uid);
    if (index === newBatches.length - 1 && newRemaining === 0) cursor = Math.max(cursor, highestListed);
    batches.push({ uids, after: { cursor, coveredFrom }, backfill: false });
  });
  // Nothing new left to fetch: every listed UID above the cursor is stored (re-matched ones count).
  if (newRemaining === 0) cursor = Math.max(cursor, highestListed);

  // 2. Backfill below the range, newest first (only with budget left after new mail).
  const backPending = backCandidates
    .filter((entry) => !input.stored.has(entry.uid) && entry.uid < coveredFrom && (floor === null || entry.uid > floor))
    .sort((a, b) => b.uid - a.uid);
  const selectedBack = newRemaining > 0 ? [] : backPending.slice(0, budget);
  const backRemaining = backPending.length - selectedBack.length;
  const backBatches = splitIntoBatches(selectedBack, input.batchMessages, input.batchBytes);
  backBatches.forEach((uids, index) => {
    coveredFrom = Math.min(coveredFrom, (uids[uids.length - 1] as ServerUid).uid);
    if (index === backBatches.length - 1 && backRemaining === 0 && floor !== null) coveredFrom = Math.min(coveredFrom, floor + 1);
    batches.push({ uids: [...uids].sort(ascending), after: { cursor, coveredFrom }, backfill: true });
  });
  if (backRemaining === 0 && floor !== null && newRemaining === 0) coveredFrom = Math.min(coveredFrom, floor + 1);

  const remaining = newRemaining + backRemaining;
  return { batches, final: { cursor, coveredFrom }, remaining, complete: remaining === 0 && coveredFrom <= 1 };
}
