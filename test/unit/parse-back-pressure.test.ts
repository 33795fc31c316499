/**
 * Back-pressure between the connection and the MIME parser: reading pauses once, when the bytes
 * handed to the parser and not yet parsed go above the limit, and resumes once, when they are down
 * to half of it; a parse that fails releases its bytes too; the parser's own promise is returned.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { DEFAULT_MAX_QUEUED_PARSE_BYTES, withParseBackPressure } from '../../src/sync/parse-back-pressure.js';

interface Pending {
  raw: Uint8Array;
  resolve: (record: MessageRecord) => void;
  reject: (error: Error) => void;
}

/** A parser whose parses finish when the test says, and a socket that records pause/resume. */
function harness(maxQueuedBytes?: number) {
  const events: string[] = [];
  const pending: Pending[] = [];
  const parse = (raw: Uint8Array): Promise<MessageRecord> =>
    new Promise<MessageRecord>((resolve, reject) => {
      pending.push({ raw, resolve, reject });
    });
  const reading = { pauseReading: () => events.push('pause'), resumeReading: () => events.push('resume') };
  const wrapped = maxQueuedBytes === undefined ? withParseBackPressure(parse, reading) : withParseBackPressure(parse, reading, maxQueuedBytes);
  const record = (raw: Uint8Array) => ({ size: raw.byteLength }) as unknown as MessageRecord;
  return {
    events,
    pending,
    /** Hands `size` bytes to the parser; returns the promise the caller gets. */
    hand: (size: number) => wrapped(new Uint8Array(size), { headersOnly: false }),
    /** Finishes parse `index` (in the order handed) and waits for the wrapper to see it. */
    finish: async (promise: Promise<MessageRecord>, index: number) => {
      const entry = pending[index] as Pending;
      entry.resolve(record(entry.raw));
      await promise;
    },
    fail: async (promise: Promise<MessageRecord>, index: number) => {
      (pending[index] as Pending).reject(new Error('unparseable'));
      await assert.rejects(promise, /unparseable/);
    },
  };
}

test('pauses once above the limit (not at it), resumes once at half of it (not above)', async () => {
  const h = harness(10);
  const a = h.hand(6);
  assert.deepEqual(h.events, []);
  const b = h.hand(4); // 10: at the limit, not above
  assert.deepEqual(h.events, []);
  const c = h.hand(1); // 11
  assert.deepEqual(h.events, ['pause']);
  const d = h.hand(3); // 14: already paused
  assert.deepEqual(h.events, ['pause']);
  await h.finish(a, 0); // 8: above half
  assert.deepEqual(h.events, ['pause']);
  await h.finish(d, 3); // 5: exactly half
  assert.deepEqual(h.events, ['pause', 'resume']);
  await h.finish(b, 1); // 1
  await h.finish(c, 2); // 0
  assert.deepEqual(h.events, ['pause', 'resume']);
});

test('between pause and resume the queue must get down to half: a little less is not enough', async () => {
  const h = harness(100);
  const big = h.hand(90);
  const small = h.hand(20); // 110
  assert.deepEqual(h.events, ['pause']);
  await h.finish(small, 1); // 90: below the limit, still above half
  assert.deepEqual(h.events, ['pause']);
  const more = h.hand(30); // 120 while paused
  assert.deepEqual(h.events, ['pause']);
  await h.finish(big, 0); // 30: half is 50
  assert.deepEqual(h.events, ['pause', 'resume']);
  await h.finish(more, 2);
  assert.deepEqual(h.events, ['pause', 'resume']);
});

test('pause and resume repeat: each overflow pauses again after a resume', async () => {
  const h = harness(10);
  const first = [h.hand(8), h.hand(8)];
  await h.finish(first[0] as Promise<MessageRecord>, 0);
  await h.finish(first[1] as Promise<MessageRecord>, 1);
  const second = [h.hand(11)];
  await h.finish(second[0] as Promise<MessageRecord>, 2);
  assert.deepEqual(h.events, ['pause', 'resume', 'pause', 'resume']);
});

test('a parse that fails releases its bytes; the caller gets the parser\'s own result or error', async () => {
  const h = harness(10);
  const bad = h.hand(12);
  assert.deepEqual(h.events, ['pause']);
  await h.fail(bad, 0);
  assert.deepEqual(h.events, ['pause', 'resume']);
  const good = h.hand(3);
  (h.pending[1] as Pending).resolve({ subject: 'Hallo' } as unknown as MessageRecord);
  assert.deepEqual(await good, { subject: 'Hallo' });
  assert.deepEqual(h.events, ['pause', 'resume']);
});

test('the default limit is 64 MiB', async () => {
  assert.equal(DEFAULT_MAX_QUEUED_PARSE_BYTES, 64 * 1024 * 1024);
  const h = harness();
  const a = h.hand(48 * 1024 * 1024);
  const b = h.hand(16 * 1024 * 1024); // exactly 64 MiB
  assert.deepEqual(h.events, []);
  const c = h.hand(1);
  assert.deepEqual(h.events, ['pause']);
  await h.finish(a, 0);
  assert.deepEqual(h.events, ['pause', 'resume']);
  await h.finish(b, 1);
  await h.finish(c, 2);
});
