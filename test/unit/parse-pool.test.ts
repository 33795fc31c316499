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

test('EmailPlugin.sync() starts the parse workers before connecting (they load while it connects)', async () => {
  const { openStore } = await import('../../src/store/index.js');
  const { EmailPlugin } = await import('../../src/sync/email-plugin.js');
  const store = await openStore(':memory:');
  const plugin = new EmailPlugin({ store, parseWorkers: 1 });
  try {
    // Nothing listens on port 1: the connection fails before any message could need parsing.
    const accountId = await plugin.addAccount({ email: 'a@example.test', imap: { host: '127.0.0.1', port: 1, user: 'a', auth: { password: 'p' } } });
    await assert.rejects(plugin.sync({ accountId, nowTs: 1 }), { code: 'NETWORK' });
    const pool = (plugin as unknown as { parsePool: { size: number } | null }).parsePool;
    assert.equal(pool?.size, 1);
  } finally {
    await plugin.close();
    store.close();
  }
});
