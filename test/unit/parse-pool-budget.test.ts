/**
 * The parse pool under hostile messages (test/support/hostile-parse-worker.ts): a parse over its
 * time budget, a worker that dies and one killed by its resourceLimits are each replaced by a
 * fresh worker; the message comes back headers-only with parseError set (never re-parsed on the
 * main thread), the other messages are parsed normally, and the pool keeps its size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParsePool } from '../../src/mime/parse-pool.js';
import { parseMessage } from '../../src/mime/parse-message.js';

const workerUrl = new URL('../support/hostile-parse-worker.js', import.meta.url);
const enc = new TextEncoder();
const message = (n: number, test: string | null): Uint8Array =>
  enc.encode(`From: a@example.test\r\nTo: b@example.test\r\nSubject: message ${n}\r\nMessage-ID: <m${n}@example.test>\r\n${test ? `X-Test: ${test}\r\n` : ''}Content-Type: text/plain\r\n\r\nbody of message ${n}\r\n`);

for (const mode of ['hang', 'crash', 'oom'] as const) {
  test(`a worker that ${mode === 'hang' ? 'runs over its budget' : mode === 'crash' ? 'dies' : 'exceeds its resourceLimits'} is replaced; the message is stored headers-only with parseError`, { timeout: 40_000 }, async () => {
    const pool = createParsePool(2, { workerUrl, parseTimeoutMs: mode === 'oom' ? 8_000 : 1_000, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
    try {
      const started = Date.now();
      const raws = [message(1, null), message(2, mode), message(3, null), message(4, null), message(5, null)];
      const records = await Promise.all(raws.map((raw) => pool.parse(raw)));
      const bad = records[1];
      assert.ok(bad);
      assert.equal(bad.subject, 'message 2');
      assert.equal(bad.messageId, '<m2@example.test>');
      assert.equal(bad.bodyText, null, 'not re-parsed in full (on the main thread or anywhere)');
      assert.equal(bad.truncated, true);
      // Bun does not enforce resourceLimits: there the worker is ended by the time budget.
      const bun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
      assert.match(bad.parseError ?? '', mode === 'hang' ? /time budget of 1000 ms/ : mode === 'oom' && bun ? /worker|time budget/ : /worker/);
      for (const index of [0, 2, 3, 4]) assert.deepEqual(records[index], await parseMessage(raws[index] as Uint8Array));
      assert.equal(pool.replaced, 1);
      assert.equal(pool.size, 2);
      assert.ok(Date.now() - started < 25_000, `${Date.now() - started} ms`);
      // The replacement parses the next message normally.
      assert.equal((await pool.parse(message(6, null))).bodyText?.trim(), 'body of message 6');
    } finally {
      await pool.close();
    }
  });
}

test('a message whose headers-only retry fails too is answered without parsing', { timeout: 30_000 }, async () => {
  const pool = createParsePool(1, { workerUrl, parseTimeoutMs: 500 });
  try {
    const raw = message(7, 'hang-always');
    const record = await pool.parse(raw);
    assert.match(record.messageId, /^sha256:/);
    assert.match(record.parseError ?? '', /could not be parsed.*time budget/);
    assert.equal(pool.replaced, 2);
    assert.equal(pool.size, 1);
  } finally {
    await pool.close();
  }
});
