/** commands/command.ts: execute() — collect, done, failed — and collectAll. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { collectAll, execute } from '../../src/imap/session/commands/command.js';
import { AuthError } from '../../src/errors.js';

test('execute: claimed responses go to collect, the rest to the listeners; done maps the OK', async () => {
  const h = bytesHarness();
  const others: string[] = [];
  h.client.onUnsolicited((data) => others.push(data.type));
  const collector = collectAll('search');
  const result = execute(h.client, { name: 'SEARCH', args: [], collect: collector.collect, done: (text) => text.text }, undefined);
  assert.equal(h.written(), 'A1 SEARCH\r\n');
  h.server('* SEARCH 1\r\n* 3 EXISTS\r\n* SEARCH 2\r\nA1 OK finished\r\n');
  assert.equal(await result, 'finished');
  assert.deepEqual(collector.responses.map((r) => r.ids), [[1], [2]]);
  assert.deepEqual(others, ['exists']);
});

test('execute: failed maps typed errors; an aborted signal sends nothing', async () => {
  const h = bytesHarness();
  const result = execute(h.client, { name: 'X', args: [], done: () => 1, failed: (error) => new AuthError(error.message) }, undefined);
  h.server('A1 NO nope\r\n');
  await assert.rejects(result, { code: 'AUTH' });
  h.written();
  await assert.rejects(execute(h.client, { name: 'Y', args: [], done: () => 1 }, AbortSignal.abort()), { code: 'ABORTED' });
  assert.equal(h.written(), '');
});
