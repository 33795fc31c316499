/** commands/fetch.ts: FetchOptions → item list, modifiers, streamed bodies, VANISHED. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { uidFetch } from '../../src/imap/session/commands/fetch.js';
import type { BodyEvent } from '../../src/imap/session/core.js';

test('UID FETCH with a full body streams the literal and reports each message', async () => {
  const h = bytesHarness();
  const events: string[] = [];
  const uids: number[] = [];
  const result = uidFetch(h.client, '1:*', { items: ['UID', 'FLAGS'], body: { part: 'full' } }, {
    body: (event: BodyEvent) => events.push(event.type),
    message: ({ attributes }) => uids.push(attributes.uid ?? 0),
  });
  assert.equal(h.written(), 'A1 UID FETCH 1:* (UID FLAGS BODY.PEEK[])\r\n');
  h.server('* 1 FETCH (UID 5 FLAGS () BODY[] {5}\r\nhello)\r\n* 2 FETCH (FLAGS (\\Seen))\r\nA1 OK\r\n');
  assert.deepEqual(await result, []);
  assert.deepEqual(uids, [5], 'a FETCH without UID is unsolicited');
  assert.ok(events.includes('body-start') && events.includes('body-end'));
});

test('CHANGEDSINCE/VANISHED modifiers and header parts', async () => {
  const h = bytesHarness(['QRESYNC'], ['QRESYNC']);
  const result = uidFetch(h.client, '1:9', { items: ['UID'], body: { part: 'header-fields', fields: ['MESSAGE-ID'] }, changedSince: 4n, vanished: true }, { message: () => undefined });
  assert.equal(h.written(), 'A1 UID FETCH 1:9 (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]) (CHANGEDSINCE 4 VANISHED)\r\n');
  h.server('* VANISHED (EARLIER) 2:3\r\nA1 OK\r\n');
  assert.deepEqual(await result, [{ start: 2, end: 3 }]);
  const headers = uidFetch(h.client, '1', { items: [], body: { part: 'header' } }, { message: () => undefined });
  assert.equal(h.written(), 'A2 UID FETCH 1 (BODY.PEEK[HEADER])\r\n');
  h.server('A2 OK\r\n');
  await headers;
});

test('a header field name that would break the item list is refused (CONFIG)', async () => {
  const h = bytesHarness();
  await assert.rejects(uidFetch(h.client, '1', { items: [], body: { part: 'header-fields', fields: ['A) B'] } }, { message: () => undefined }), { code: 'CONFIG' });
  assert.equal(h.written(), '');
});
