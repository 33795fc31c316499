/**
 * The small pieces around one sync call: the `since` day (a Date, 'YYYY-MM-DD' or Unix ms, cut to
 * 00:00 UTC; anything else, or an impossible calendar day, is CONFIG), any thrown value as a typed
 * error (a PrxError as is, anything else PROTOCOL with its message), and the result reported for a
 * folder deleted on the server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, isPrxError, PrxError } from '../../src/errors.js';
import { asPrxError, deletedFolderResult, sinceDay } from '../../src/sync/sync-request.js';

const DAY = 86_400_000;
const JAN_5_2026 = Date.UTC(2026, 0, 5);

test('since: a Date, a number (Unix ms) and a YYYY-MM-DD string each name the UTC day they fall in', () => {
  assert.equal(JAN_5_2026, 1_767_571_200_000);
  assert.equal(sinceDay(new Date(Date.UTC(2026, 0, 5, 23, 59, 59, 999))), JAN_5_2026);
  assert.equal(sinceDay(new Date(JAN_5_2026)), JAN_5_2026);
  assert.equal(sinceDay(JAN_5_2026 + 15 * 3_600_000 + 1), JAN_5_2026);
  assert.equal(sinceDay(JAN_5_2026 + DAY - 1), JAN_5_2026);
  assert.equal(sinceDay(JAN_5_2026 + DAY), JAN_5_2026 + DAY);
  assert.equal(sinceDay(0), 0);
  assert.equal(sinceDay('2026-01-05'), JAN_5_2026);
  assert.equal(sinceDay('2024-02-29'), Date.UTC(2024, 1, 29));
  assert.equal(sinceDay('1999-12-31'), Date.UTC(1999, 11, 31));
  // Before 1970 the day still starts at 00:00 (floor, not truncation towards zero).
  assert.equal(sinceDay(Date.UTC(1969, 11, 31, 12)), Date.UTC(1969, 11, 31));
});

function assertConfig(since: unknown, shown: string): void {
  assert.throws(
    () => sinceDay(since as string),
    (error: unknown) => isPrxError(error) && error.code === 'CONFIG' && error.message === `since must be a date (got ${shown})`,
    String(since),
  );
}

test('since: anything but a whole YYYY-MM-DD, or a day the calendar does not have, is CONFIG', () => {
  for (const text of ['2026-1-05', '2026-01-5', '26-01-05', '2026/01/05', 'x2026-01-05', '2026-01-05x', '2026-01-05T00:00:00Z', 'yesterday', '', 'abcd-ef-gh']) {
    assertConfig(text, text);
  }
  // Date.UTC would roll these over into another month (or year): refused instead. (Before this
  // test, 2026-13-01 was taken as 2027-01-01 and 2026-00-10 as 2025-12-10.)
  assertConfig('2026-02-30', '2026-02-30');
  assertConfig('2026-01-32', '2026-01-32');
  assertConfig('2026-12-32', '2026-12-32');
  assertConfig('2026-04-00', '2026-04-00');
  assertConfig('2025-02-29', '2025-02-29');
  assertConfig('2026-04-31', '2026-04-31');
  assertConfig('2026-13-01', '2026-13-01');
  assertConfig('2026-00-10', '2026-00-10');
  assertConfig(Number.NaN, 'NaN');
  assertConfig(Number.POSITIVE_INFINITY, 'Infinity');
  assertConfig(new Date('not a date'), 'Invalid Date');
  // The value is quoted to 40 characters at most.
  assertConfig('x'.repeat(100), 'x'.repeat(40));
});

test('asPrxError: a PrxError is returned as is; anything else is PROTOCOL saying what was thrown', () => {
  const auth = new AuthError('bad password');
  assert.equal(asPrxError(auth), auth);
  const cases: Array<[unknown, string]> = [
    [new Error('socket went away'), 'unexpected failure: socket went away'],
    [new TypeError('x is not a function'), 'unexpected failure: x is not a function'],
    ['just a string', 'unexpected failure: just a string'],
    [42, 'unexpected failure: 42'],
    [null, 'unexpected failure: null'],
    [undefined, 'unexpected failure: undefined'],
    [{ message: 'an object with a message' }, 'unexpected failure: an object with a message'],
  ];
  for (const [thrown, message] of cases) {
    const error = asPrxError(thrown);
    assert.ok(error instanceof PrxError);
    assert.deepEqual([error.code, error.message], ['PROTOCOL', message]);
  }
});

test('deletedFolderResult: nothing synced, the tombstoned count, the stored range, folderDeleted', () => {
  assert.deepEqual(deletedFolderResult('Projects', { cursor: 40, coveredFrom: 3, uidValidity: 1_700_000_001 }, 12, 85), {
    folder: 'Projects',
    new: 0,
    updated: 0,
    deleted: 12,
    failed: 0,
    cursor: 40,
    coveredFrom: 3,
    uidValidity: 1_700_000_001,
    uidvalidityChanged: false,
    remaining: 0,
    backfilled: 0,
    bytes: 0,
    durationMs: 85,
    unchanged: false,
    folderDeleted: true,
  });
  // A folder that never opened has no UIDVALIDITY: reported as 0.
  const never = deletedFolderResult('Listed once', { cursor: 0, coveredFrom: 1, uidValidity: null }, 0, 3);
  assert.deepEqual([never.uidValidity, never.deleted, never.folderDeleted, never.unchanged], [0, 0, true, false]);
});
