/** commands/enable.ts: ENABLE of the offered extensions, iCloud's OK without ENABLED. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { enable } from '../../src/imap/session/commands/enable.js';

test('ENABLE asks only for what is offered; QRESYNC brings CONDSTORE', async () => {
  const h = bytesHarness(['ENABLE', 'QRESYNC', 'CONDSTORE']);
  const result = enable(h.client, ['QRESYNC', 'CONDSTORE', 'UTF8=ACCEPT']);
  assert.equal(h.written(), 'A1 ENABLE QRESYNC CONDSTORE\r\n');
  h.server('* ENABLED QRESYNC\r\nA1 OK enabled\r\n');
  assert.deepEqual(await result, ['QRESYNC', 'CONDSTORE']);
});

test('ENABLE answered OK without ENABLED (iCloud) counts what was asked', async () => {
  const h = bytesHarness(['ENABLE', 'UTF8=ACCEPT']);
  const result = enable(h.client, ['UTF8=ACCEPT']);
  h.server('A1 OK\r\n');
  assert.deepEqual(await result, ['UTF8=ACCEPT']);
});

test('nothing is sent without ENABLE or without an offered extension', async () => {
  const h = bytesHarness(['QRESYNC']);
  assert.deepEqual(await enable(h.client, ['QRESYNC']), []);
  assert.deepEqual(await enable(bytesHarness(['ENABLE']).client, ['QRESYNC']), []);
  assert.equal(h.written(), '');
});
