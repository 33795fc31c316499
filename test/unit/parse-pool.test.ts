/**
 * The MIME worker pool gives exactly the records of in-thread parsing, spreads work over its
 * workers, and falls back to the calling thread when it has none or is closed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createParsePool } from '../../src/mime/parse-pool.js';
import { parseMessage } from '../../src/mime/parse-message.js';

const dir = join(process.cwd(), 'fixtures/messages');
const corpus = readdirSync(dir)
  .filter((name) => name.endsWith('.eml'))
  .sort()
  .map((name) => readFileSync(join(dir, name)));

test('worker-parsed records equal in-thread records for the whole corpus, headers-only too', async () => {
  const pool = createParsePool(2);
  assert.equal(pool.size, 2);
  try {
    for (const headersOnly of [false, true]) {
      const viaPool = await Promise.all(corpus.map((raw) => pool.parse(raw, { headersOnly })));
      const inThread = await Promise.all(corpus.map((raw) => parseMessage(raw, { headersOnly })));
      assert.deepEqual(viaPool, inThread);
    }
    // The caller's bytes are untouched (copied to the worker, not transferred).
    const raw = corpus[0] as Uint8Array;
    const before = raw.byteLength;
    await pool.parse(raw);
    assert.equal(raw.byteLength, before);
  } finally {
    await pool.close();
  }
});

test('a pool without workers, or a closed one, parses on the calling thread', async () => {
  const none = createParsePool(0);
  assert.equal(none.size, 0);
  assert.deepEqual(await none.parse(corpus[1] as Uint8Array), await parseMessage(corpus[1] as Uint8Array));
  const closed = createParsePool(1);
  await closed.close();
  assert.deepEqual(await closed.parse(corpus[2] as Uint8Array), await parseMessage(corpus[2] as Uint8Array));
});
