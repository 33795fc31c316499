/**
 * The fetch plan on its own (pure): batches cut by count and bytes; new mail above the covered
 * range first, oldest first, then backfill below it, newest first, down to the floor; and the
 * covered range [coveredFrom, cursor] each batch's transaction records, which must never claim a
 * UID that is neither stored nor planned (the engine's invariant), nor fall short of what is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFetch, splitIntoBatches, type FetchPlanInput } from '../../src/sync/fetch-plan.js';
import type { ServerUid } from '../../src/sync/ports.js';

const uids = (...list: number[]): ServerUid[] => list.map((uid) => ({ uid, size: 100 }));
const sized = (...pairs: Array<[number, number]>): ServerUid[] => pairs.map(([uid, size]) => ({ uid, size }));
const ids = (batch: ServerUid[]): number[] => batch.map((entry) => entry.uid);

function plan(input: Partial<FetchPlanInput> & Pick<FetchPlanInput, 'range'>) {
  return planFetch({ firstSync: false, above: [], below: null, stored: new Set(), maxMessages: 100, batchMessages: 100, batchBytes: 1 << 20, ...input });
}

const shape = (result: ReturnType<typeof planFetch>) =>
  result.batches.map((batch) => [ids(batch.uids), batch.after.cursor, batch.after.coveredFrom, batch.backfill]);

test('batches: at most batchMessages each, and a new batch before the bytes would go above batchBytes', () => {
  assert.deepEqual(splitIntoBatches([], 2, 1000), []);
  assert.deepEqual(splitIntoBatches(uids(1, 2, 3, 4, 5), 2, 1 << 20).map(ids), [[1, 2], [3, 4], [5]]);
  // Bytes: 400 + 600 fills 1000 exactly (no cut at the limit); one more byte is a new batch.
  assert.deepEqual(splitIntoBatches(sized([1, 400], [2, 600], [3, 1], [4, 999], [5, 1]), 10, 1000).map(ids), [[1, 2], [3, 4], [5]]);
  // A message bigger than the limit travels alone, never in an empty batch.
  assert.deepEqual(splitIntoBatches(sized([1, 10], [2, 5000], [3, 10]), 10, 1000).map(ids), [[1], [2], [3]]);
  assert.deepEqual(splitIntoBatches(sized([7, 5000]), 10, 1000).map(ids), [[7]]);
  // Bytes count per batch, from zero again after each cut.
  assert.deepEqual(splitIntoBatches(sized([1, 600], [2, 600], [3, 300], [4, 200]), 10, 1000).map(ids), [[1], [2, 3], [4]]);
});

test('first sync: everything listed is backfill from the top, newest first, down to the floor', () => {
  const result = plan({ range: { cursor: 0, coveredFrom: 1 }, firstSync: true, above: uids(2, 3, 5, 8, 9), below: { floor: 3, uids: [] }, batchMessages: 2 });
  assert.deepEqual(shape(result), [
    [[8, 9], 9, 8, true],
    [[5], 9, 4, true], // the last batch reaches down to floor + 1
  ]);
  assert.deepEqual([result.final, result.remaining, result.complete], [{ cursor: 9, coveredFrom: 4 }, 0, false]);
  // Without a `since` there is no backfill listing at all: the floor is 0 and the folder completes.
  const all = plan({ range: { cursor: 0, coveredFrom: 1 }, firstSync: true, above: uids(2, 3), below: null });
  assert.deepEqual(shape(all), [[[2, 3], 3, 1, true]]);
  assert.deepEqual([all.final, all.remaining, all.complete], [{ cursor: 3, coveredFrom: 1 }, 0, true]);
});

test('new mail: stored UIDs are not fetched again, and the cursor passes the stored ones at the top', () => {
  // 14 was stored by an earlier, cut call (re-matched); 12 and 13 are new.
  const result = plan({ range: { cursor: 10, coveredFrom: 1 }, above: uids(12, 13, 14), stored: new Set([14]) });
  assert.deepEqual(shape(result), [[[12, 13], 14, 1, false]]);
  assert.deepEqual([result.final, result.remaining, result.complete], [{ cursor: 14, coveredFrom: 1 }, 0, true]);
  // Only stored UIDs above the cursor: no batch, the range still moves up over them.
  const none = plan({ range: { cursor: 10, coveredFrom: 1 }, above: uids(11, 12), stored: new Set([11, 12]) });
  assert.deepEqual([none.batches, none.final, none.complete], [[], { cursor: 12, coveredFrom: 1 }, true]);
});

test('new mail cut by the budget: the cursor stops at the last fetched UID, not at the highest listed', () => {
  const result = plan({ range: { cursor: 10, coveredFrom: 1 }, above: uids(11, 12, 13, 14, 15), maxMessages: 3, batchMessages: 2 });
  assert.deepEqual(shape(result), [
    [[11, 12], 12, 1, false],
    [[13], 13, 1, false],
  ]);
  // Below the range is complete, but new mail is left: not complete.
  assert.deepEqual([result.final, result.remaining, result.complete], [{ cursor: 13, coveredFrom: 1 }, 2, false]);
});

test('backfill only with budget left after new mail; it reaches the floor only once all of it is stored', () => {
  const input = { range: { cursor: 20, coveredFrom: 10 }, above: uids(21, 22), below: { floor: 3, uids: uids(5, 7, 9) } };
  // All of it fits: the last backfill batch records floor + 1.
  const all = plan({ ...input, batchMessages: 2 });
  assert.deepEqual(shape(all), [
    [[21, 22], 22, 10, false],
    [[7, 9], 22, 7, true],
    [[5], 22, 4, true], // floor + 1: UID 4 does not exist (the listing covered it)
  ]);
  assert.deepEqual([all.final, all.remaining, all.complete], [{ cursor: 22, coveredFrom: 4 }, 0, false]);
  // Budget for new mail and one backfill message: the range goes down to that message only.
  const some = plan({ ...input, maxMessages: 3 });
  assert.deepEqual(shape(some), [
    [[21, 22], 22, 10, false],
    [[9], 22, 9, true],
  ]);
  assert.deepEqual([some.final, some.remaining], [{ cursor: 22, coveredFrom: 9 }, 2]);
  // Budget used up by new mail: no backfill, and the range does not move down even though the
  // listing below it is empty.
  const cut = plan({ range: { cursor: 20, coveredFrom: 10 }, above: uids(21, 22, 23), below: { floor: 4, uids: [] }, maxMessages: 2 });
  assert.deepEqual(shape(cut), [[[21, 22], 22, 10, false]]);
  assert.deepEqual([cut.final, cut.remaining], [{ cursor: 22, coveredFrom: 10 }, 1]);
  // Nothing new and nothing left below: the range drops to floor + 1 without a batch.
  const empty = plan({ range: { cursor: 20, coveredFrom: 10 }, below: { floor: 4, uids: [] } });
  assert.deepEqual([empty.batches, empty.final, empty.complete], [[], { cursor: 20, coveredFrom: 5 }, false]);
  const toOne = plan({ range: { cursor: 20, coveredFrom: 10 }, below: { floor: 0, uids: [] } });
  assert.deepEqual([toOne.final, toOne.complete], [{ cursor: 20, coveredFrom: 1 }, true]);
});

test('no backfill listing in this call: the bottom of the range stays where it is', () => {
  const result = plan({ range: { cursor: 20, coveredFrom: 10 }, above: uids(21), below: null });
  assert.deepEqual(shape(result), [[[21], 21, 10, false]]);
  assert.deepEqual([result.final, result.remaining, result.complete], [{ cursor: 21, coveredFrom: 10 }, 0, false]);
});

test('the backfill listing is trusted only inside [floor + 1, coveredFrom - 1]: nothing else is planned', () => {
  // A listing that strays outside what was asked (UIDs 3, 4 at or below the floor; 10, 12 at or
  // above coveredFrom, not stored).
  const result = plan({ range: { cursor: 20, coveredFrom: 10 }, below: { floor: 4, uids: uids(3, 4, 6, 10, 12) }, stored: new Set([7]) });
  assert.deepEqual(shape(result), [[[6], 20, 5, true]]);
  assert.deepEqual([result.final, result.remaining], [{ cursor: 20, coveredFrom: 5 }, 0]);
});

test('complete only with nothing left and the range down to UID 1', () => {
  const left = plan({ range: { cursor: 10, coveredFrom: 1 }, above: uids(11, 12, 13), maxMessages: 1 });
  assert.deepEqual([left.final, left.remaining, left.complete], [{ cursor: 11, coveredFrom: 1 }, 2, false]);
  const backLeft = plan({ range: { cursor: 10, coveredFrom: 5 }, below: { floor: 0, uids: uids(2, 3, 4) }, maxMessages: 2 });
  assert.deepEqual([backLeft.final, backLeft.remaining, backLeft.complete], [{ cursor: 10, coveredFrom: 3 }, 1, false]);
  const done = plan({ range: { cursor: 10, coveredFrom: 5 }, below: { floor: 0, uids: uids(2, 3, 4) } });
  assert.deepEqual([done.final, done.remaining, done.complete], [{ cursor: 10, coveredFrom: 1 }, 0, true]);
  const none = plan({ range: { cursor: 10, coveredFrom: 5 }, below: { floor: 0, uids: uids(2, 3, 4) }, maxMessages: 0 });
  assert.deepEqual([none.batches, none.remaining, none.complete], [[], 3, false]);
});
