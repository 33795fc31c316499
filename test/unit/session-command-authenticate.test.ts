/** commands/authenticate.ts: SASL-IR or a continuation, error challenges, redaction. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { authenticate } from '../../src/imap/session/commands/authenticate.js';
import { noop } from '../../src/imap/session/commands/noop.js';

test('with SASL-IR the payload goes inline; the trace hides it', async () => {
  const h = bytesHarness(['SASL-IR'], [], { traceSize: 10 });
  const result = authenticate(h.client, 'PLAIN', 'cGF5bG9hZA==');
  assert.equal(h.written(), 'A1 AUTHENTICATE PLAIN cGF5bG9hZA==\r\n');
  h.server('A1 OK [CAPABILITY IMAP4rev1 MOVE] ok\r\n');
  assert.deepEqual([...((await result) ?? [])], ['IMAP4REV1', 'MOVE']);
  const lines = h.client.traceEntries().map((e) => e.text).join('\n');
  assert.ok(lines.includes('AUTHENTICATE PLAIN ***') && !lines.includes('cGF5bG9hZA'));
});

test('without SASL-IR the payload follows the first +; an error challenge is answered and decoded', async () => {
  const h = bytesHarness();
  const result = authenticate(h.client, 'OAUTHBEARER', 'dG9rZW4=');
  assert.equal(h.written(), 'A1 AUTHENTICATE OAUTHBEARER\r\n');
  h.server('+ \r\n');
  assert.equal(h.written(), 'dG9rZW4=\r\n');
  const challenge = Buffer.from('{"status":"invalid_token"}').toString('base64');
  h.server(`+ ${challenge}\r\n`);
  assert.equal(h.written(), 'AQ==\r\n', 'OAUTHBEARER answers an error challenge with %x01');
  h.server('A1 NO [AUTHENTICATIONFAILED] failed\r\n');
  await assert.rejects(result, (error: { code: string; message: string }) => {
    assert.equal(error.code, 'AUTH');
    assert.match(error.message, /status=invalid_token/);
    return true;
  });
});

test('an empty initial response is sent as = under SASL-IR (RFC 4959 §3)', async () => {
  const h = bytesHarness(['SASL-IR']);
  const result = authenticate(h.client, 'PLAIN', '');
  assert.equal(h.written(), 'A1 AUTHENTICATE PLAIN =\r\n');
  h.server('A1 OK ok\r\n');
  await result;
});

test('AUTHENTICATE is exclusive: a command issued while it runs is written only after its completion', async () => {
  const h = bytesHarness(['SASL-IR']);
  const result = authenticate(h.client, 'PLAIN', 'cGF5bG9hZA==');
  const pinged = noop(h.client);
  assert.equal(h.written(), 'A1 AUTHENTICATE PLAIN cGF5bG9hZA==\r\n', 'nothing is pipelined behind AUTHENTICATE');
  h.server('A1 OK ok\r\n');
  await result;
  assert.equal(h.written(), 'A2 NOOP\r\n');
  h.server('A2 OK\r\n');
  await pinged;
});
