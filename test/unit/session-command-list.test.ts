/** commands/list.ts: RETURN options, MailboxInfo, LIST-STATUS, ProtonMail's BAD to RETURN. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { listMailboxes } from '../../src/imap/session/commands/list.js';

test('LIST RETURN (SPECIAL-USE STATUS ...) builds MailboxInfo with status', async () => {
  const h = bytesHarness(['SPECIAL-USE', 'LIST-STATUS']);
  const result = listMailboxes(h.client, { status: true });
  assert.equal(h.written(), 'A1 LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT UIDVALIDITY))\r\n');
  h.server('* LIST (\\HasNoChildren \\Sent) "/" "Sent &AOQ-"\r\n* STATUS "Sent &AOQ-" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 4)\r\n* LIST (\\Noselect) "/" Top\r\nA1 OK\r\n');
  const [sent, top] = await result;
  assert.deepEqual(sent, {
    name: 'Sent &AOQ-',
    displayName: 'Sent ä',
    delimiter: '/',
    attributes: ['\\HasNoChildren', '\\Sent'],
    specialUse: '\\Sent',
    selectable: true,
    status: { messages: 2, uidNext: 3, uidValidity: 4 },
  });
  assert.equal(top?.selectable, false);
});

test('a BAD to LIST ... RETURN is retried as a plain LIST', async () => {
  const h = bytesHarness(['SPECIAL-USE']);
  const result = listMailboxes(h.client);
  assert.equal(h.written(), 'A1 LIST "" "*" RETURN (SPECIAL-USE)\r\n');
  h.server('A1 BAD unknown\r\n');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(h.written(), 'A2 LIST "" "*"\r\n');
  h.server('* LIST () "." INBOX\r\nA2 OK\r\n');
  assert.deepEqual((await result).map((m) => m.name), ['INBOX']);
});
