/** commands/login.ts: LOGIN, redaction, LOGINDISABLED, capabilities announced, error mapping. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { login } from '../../src/imap/session/commands/login.js';
import { noop } from '../../src/imap/session/commands/noop.js';

test('LOGIN sends quoted credentials; the trace shows LOGIN *** ***; untagged CAPABILITY counts', async () => {
  const h = bytesHarness([], [], { traceSize: 10 });
  const result = login(h.client, 'alice', 'secret pw');
  assert.equal(h.written(), 'A1 LOGIN alice "secret pw"\r\n');
  h.server('* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK logged in\r\n');
  assert.deepEqual([...((await result) ?? [])], ['IMAP4REV1', 'IDLE']);
  const lines = h.client.traceEntries().map((e) => e.text).join('\n');
  assert.ok(lines.includes('A1 LOGIN *** ***'));
  assert.ok(!lines.includes('secret'));
});

test('a [CAPABILITY] code in the OK wins; none at all is null', async () => {
  const h = bytesHarness();
  const first = login(h.client, 'a', 'b');
  h.server('* CAPABILITY IMAP4rev1\r\nA1 OK [CAPABILITY IMAP4rev2] ok\r\n');
  assert.deepEqual([...((await first) ?? [])], ['IMAP4REV2']);
  const second = login(h.client, 'a', 'b');
  h.server('A2 OK ok\r\n');
  assert.equal(await second, null);
});

test('NO is AUTH; too many connections or [UNAVAILABLE] is THROTTLED; LOGINDISABLED sends nothing', async () => {
  const h = bytesHarness();
  const rejected = login(h.client, 'a', 'b');
  h.server('A1 NO [AUTHENTICATIONFAILED] bad\r\n');
  await assert.rejects(rejected, { code: 'AUTH', responseCode: 'AUTHENTICATIONFAILED' });
  const busy = login(h.client, 'a', 'b');
  h.server('A2 NO Too many simultaneous connections\r\n');
  await assert.rejects(busy, { code: 'THROTTLED' });
  const unavailable = login(h.client, 'a', 'b');
  h.server('A3 NO [UNAVAILABLE] later\r\n');
  await assert.rejects(unavailable, { code: 'THROTTLED' });
  h.written();
  await assert.rejects(login(bytesHarness(['LOGINDISABLED']).client, 'a', 'b'), { code: 'AUTH' });
});

test('LOGIN is exclusive: a command issued while it runs is written only after its completion', async () => {
  const h = bytesHarness();
  const result = login(h.client, 'a', 'b');
  const pinged = noop(h.client);
  assert.equal(h.written(), 'A1 LOGIN a b\r\n', 'nothing is pipelined behind LOGIN');
  h.server('A1 OK done\r\n');
  await result;
  assert.equal(h.written(), 'A2 NOOP\r\n');
  h.server('A2 OK\r\n');
  await pinged;
});
