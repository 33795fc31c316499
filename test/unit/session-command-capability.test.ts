/** commands/capability.ts: CAPABILITY and the [CAPABILITY] code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { capability, capabilitiesFromCode } from '../../src/imap/session/commands/capability.js';

test('CAPABILITY: sends the command, returns the upper-cased list', async () => {
  const h = bytesHarness();
  const result = capability(h.client);
  assert.equal(h.written(), 'A1 CAPABILITY\r\n');
  h.server('* CAPABILITY IMAP4rev1 idle Literal+\r\nA1 OK done\r\n');
  assert.deepEqual([...((await result) ?? [])], ['IMAP4REV1', 'IDLE', 'LITERAL+']);
});

test('CAPABILITY: an OK without the list is null; a [CAPABILITY] code is read', async () => {
  const h = bytesHarness();
  const result = capability(h.client);
  h.server('A1 OK done\r\n');
  assert.equal(await result, null);
  assert.deepEqual([...(capabilitiesFromCode({ code: { name: 'CAPABILITY', capabilities: ['imap4rev2'] }, text: '' }) ?? [])], ['IMAP4REV2']);
});

test('ImapClient.capability() keeps the previous list when the server sends none', async () => {
  const h = bytesHarness(['IMAP4REV1']);
  const result = h.client.capability();
  h.server('A1 OK done\r\n');
  assert.deepEqual([...(await result)], ['IMAP4REV1']);
});
