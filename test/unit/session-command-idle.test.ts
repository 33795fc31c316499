/** commands/idle.ts: IDLE, DONE through the connection (and the trace), stop before "+",
 * NOOP without IDLE. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { idle } from '../../src/imap/session/commands/idle.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('IDLE waits for +, DONE is written (and traced) when stopped', async () => {
  const h = bytesHarness(['IDLE'], [], { traceSize: 10 });
  const result = idle(h.client, { maxIdleMs: 60_000 });
  assert.equal(h.written(), 'A1 IDLE\r\n');
  h.server('+ idling\r\n');
  await turn();
  assert.equal(h.written(), '');
  h.client.stopIdle?.();
  await turn();
  assert.equal(h.written(), 'DONE\r\n');
  h.server('A1 OK done\r\n');
  await result;
  assert.ok(h.client.traceEntries().some((e) => e.direction === 'C' && e.text === 'DONE'));
});

test('a stop asked for before + is honoured as soon as IDLE runs; maxIdleMs ends it too', async () => {
  const h = bytesHarness(['IDLE']);
  const result = idle(h.client, { maxIdleMs: 60_000 });
  h.written();
  h.client.stopIdle?.();
  h.server('+ idling\r\n');
  await turn();
  assert.equal(h.written(), 'DONE\r\n');
  h.server('A1 OK\r\n');
  await result;
  const timed = idle(h.client, { maxIdleMs: 5 });
  h.server('+ idling\r\n');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(h.written(), 'A2 IDLE\r\nDONE\r\n');
  h.server('A2 OK\r\n');
  await timed;
});

test('an IDLE refused without + ends without DONE; no IDLE capability means NOOP', async () => {
  const h = bytesHarness(['IDLE']);
  const refused = idle(h.client);
  h.server('A1 BAD no\r\n');
  await assert.rejects(refused, { code: 'BAD' });
  assert.equal(h.written(), 'A1 IDLE\r\n');
  const plain = bytesHarness();
  const result = idle(plain.client);
  assert.equal(plain.written(), 'A1 NOOP\r\n');
  plain.server('A1 OK\r\n');
  await result;
});

test('the inactivity watchdog does not fire while IDLE is idling, and does once DONE is unanswered', async () => {
  const h = bytesHarness(['IDLE'], [], { commandTimeoutMs: 50 });
  // A socket would keep the event loop alive (the watchdog's interval is unref'd).
  const keepAlive = setInterval(() => undefined, 1000);
  const result = idle(h.client, { maxIdleMs: 250 });
  h.server('+ idling\r\n');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(h.client.closed, false, 'silence while idling is normal');
  await assert.rejects(result, { code: 'TIMEOUT' }).finally(() => clearInterval(keepAlive));
  assert.equal(h.written(), 'A1 IDLE\r\nDONE\r\n');
});
