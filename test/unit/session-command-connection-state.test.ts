/** commands/compress.ts, commands/starttls.ts, commands/logout.ts: the protocol halves of the
 * commands that change the connection, and what the client does with the transport. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { compress } from '../../src/imap/session/commands/compress.js';
import { logout } from '../../src/imap/session/commands/logout.js';
import { startTls } from '../../src/imap/session/commands/starttls.js';

test('COMPRESS DEFLATE only when offered; the client then switches the transport', async () => {
  assert.equal(await compress(bytesHarness().client), false);
  const h = bytesHarness(['COMPRESS=DEFLATE']);
  const result = h.client.compress();
  assert.equal(h.written(), 'A1 COMPRESS DEFLATE\r\n');
  h.server('A1 OK deflate\r\n');
  assert.equal(await result, true);
  assert.deepEqual(h.calls, ['startCompression']);
  const refused = compress(h.client);
  h.server('A2 NO [COMPRESSIONACTIVE] already\r\n');
  await assert.rejects(refused, { code: 'NO' });
});

test('STARTTLS is refused (TLS) when not offered, nothing sent; otherwise upgrade then CAPABILITY', async () => {
  const bare = bytesHarness();
  await assert.rejects(startTls(bare.client), { code: 'TLS' });
  assert.equal(bare.written(), '');
  const h = bytesHarness(['STARTTLS']);
  const result = h.client.startTls();
  assert.equal(h.written(), 'A1 STARTTLS\r\n');
  h.server('A1 OK begin\r\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(h.calls, ['upgradeToTls']);
  assert.equal(h.written(), 'A2 CAPABILITY\r\n');
  h.server('* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\n');
  await result;
  assert.ok(h.client.capabilities.has('AUTH=PLAIN') && !h.client.capabilities.has('STARTTLS'));
});

test('plaintext after the STARTTLS OK refuses the connection before the upgrade', async () => {
  const h = bytesHarness(['STARTTLS']);
  const result = h.client.startTls();
  h.server('A1 OK begin\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n');
  await assert.rejects(result, { code: 'TLS' });
  assert.ok(!h.calls.includes('upgradeToTls'));
});

test('LOGOUT expects BYE and never throws', async () => {
  const h = bytesHarness();
  const result = logout(h.client);
  assert.equal(h.written(), 'A1 LOGOUT\r\n');
  h.server('* BYE bye\r\nA1 OK\r\n');
  await result;
  const failing = bytesHarness();
  const second = logout(failing.client);
  failing.server('A1 BAD what\r\n');
  await second;
});
