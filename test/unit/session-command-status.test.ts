/** commands/status.ts: STATUS items and the parsed attributes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { status } from '../../src/imap/session/commands/status.js';

test('STATUS sends the typed items and returns the attributes', async () => {
  const h = bytesHarness();
  const result = status(h.client, 'INBOX', ['MESSAGES', 'UIDNEXT']);
  assert.equal(h.written(), 'A1 STATUS INBOX (MESSAGES UIDNEXT)\r\n');
  h.server('* STATUS INBOX (MESSAGES 3 UIDNEXT 9)\r\nA1 OK\r\n');
  assert.deepEqual(await result, { messages: 3, uidNext: 9 });
});

test('STATUS of a missing mailbox fails with NO', async () => {
  const h = bytesHarness();
  const result = status(h.client, 'Nope', ['MESSAGES']);
  h.server('A1 NO [NONEXISTENT] no such mailbox\r\n');
  await assert.rejects(result, { code: 'NO', responseCode: 'NONEXISTENT' });
});
