/** commands/search.ts: typed query, ESEARCH, the result cap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { uidSearch } from '../../src/imap/session/commands/search.js';

test('UID SEARCH: the query becomes criteria; SEARCH numbers come back sorted and unique', async () => {
  const h = bytesHarness();
  const result = uidSearch(h.client, { uids: '1:100', before: '5-Jan-2026' });
  assert.equal(h.written(), 'A1 UID SEARCH UID 1:100 BEFORE 5-Jan-2026\r\n');
  h.server('* SEARCH 9 3 3 7\r\nA1 OK\r\n');
  assert.deepEqual(await result, [3, 7, 9]);
});

test('ESEARCH RETURN (ALL) ranges are expanded; the empty query is ALL', async () => {
  const h = bytesHarness(['ESEARCH']);
  const result = uidSearch(h.client, {});
  assert.equal(h.written(), 'A1 UID SEARCH RETURN (ALL) ALL\r\n');
  h.server('* ESEARCH (TAG "A1") UID ALL 1:3,7\r\nA1 OK\r\n');
  assert.deepEqual(await result, [1, 2, 3, 7]);
});

test('more results than the cap fail with LIMIT before expanding', async () => {
  const h = bytesHarness(['ESEARCH']);
  const result = uidSearch(h.client, {}, 10);
  h.server('* ESEARCH (TAG "A1") UID ALL 1:9999999\r\nA1 OK\r\n');
  await assert.rejects(result, { code: 'LIMIT' });
});
