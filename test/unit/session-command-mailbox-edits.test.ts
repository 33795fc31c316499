/** commands/append.ts, commands/store.ts, commands/expunge.ts, commands/noop.ts: the bytes and
 * the completion of the simple commands. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { append } from '../../src/imap/session/commands/append.js';
import { uidExpunge } from '../../src/imap/session/commands/expunge.js';
import { noop } from '../../src/imap/session/commands/noop.js';
import { uidStore } from '../../src/imap/session/commands/store.js';

test('APPEND sends the message as a synchronising literal and returns the OK text', async () => {
  const h = bytesHarness();
  const result = append(h.client, 'INBOX', new TextEncoder().encode('Subject: x\r\n\r\nhi'), ['\\Seen']);
  assert.equal(h.written(), 'A1 APPEND INBOX (\\Seen) {16}\r\n');
  h.server('+ go\r\n');
  assert.equal(h.written(), 'Subject: x\r\n\r\nhi\r\n');
  h.server('A1 OK [APPENDUID 7 9] done\r\n');
  assert.equal((await result).text, 'done');
});

test('UID STORE add/remove/replace are .SILENT; UID EXPUNGE; NOOP', async () => {
  const h = bytesHarness();
  const add = uidStore(h.client, '2,4', 'add', ['\\Flagged']);
  const remove = uidStore(h.client, '5', 'remove', ['\\Seen']);
  const replace = uidStore(h.client, '6', 'replace', []);
  assert.equal(h.written(), 'A1 UID STORE 2,4 +FLAGS.SILENT (\\Flagged)\r\nA2 UID STORE 5 -FLAGS.SILENT (\\Seen)\r\nA3 UID STORE 6 FLAGS.SILENT ()\r\n');
  h.server('A1 OK\r\nA2 OK\r\nA3 OK\r\n');
  await Promise.all([add, remove, replace]);
  const expunge = uidExpunge(h.client, '5:7');
  const ping = noop(h.client);
  assert.equal(h.written(), 'A4 UID EXPUNGE 5:7\r\nA5 NOOP\r\n');
  h.server('* 3 EXPUNGE\r\nA4 OK\r\nA5 NO busy\r\n');
  await expunge;
  await assert.rejects(ping, { code: 'NO' });
});
