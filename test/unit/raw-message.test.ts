/**
 * fetchRawMessage (src/sync/raw-message.ts, behind `prx-email show --raw`) over the real
 * ImapClient, the test playing the server: EXAMINE (read-only) then UID FETCH BODY.PEEK[]; a
 * changed UIDVALIDITY refuses (CONFIG) before fetching; the bytes returned are exactly those of
 * the answer for the asked UID — streamed or quoted, never another answer's (an unasked UID, a
 * FETCH without UID) — and a missing message is a PROTOCOL error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchRawMessage } from '../../src/sync/raw-message.js';
import { bytesHarness, type BytesHarness } from '../support/session-bytes.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** What the client writes next (it writes once the previous command has completed). */
async function nextCommand(h: BytesHarness): Promise<string> {
  for (let turn = 0; turn < 1000; turn++) {
    const written = h.written();
    if (written !== '') return written;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return '';
}

/** Starts fetchRawMessage of INBOX UID 7 (stored under UIDVALIDITY 3), answers its EXAMINE with
 * `uidValidity`, and returns the pending result with the command that followed. */
async function fetchUid7(uidValidity = 3): Promise<{ h: BytesHarness; result: Promise<Uint8Array>; fetch: string }> {
  const h = bytesHarness();
  const result = fetchRawMessage(h.client, { folder: 'INBOX', uidValidity: 3, uid: 7 });
  assert.equal(h.written(), 'A1 EXAMINE INBOX\r\n');
  h.server(`* 9 EXISTS\r\n* OK [UIDVALIDITY ${uidValidity}] v\r\nA1 OK [READ-ONLY] examined\r\n`);
  const fetch = uidValidity === 3 ? await nextCommand(h) : '';
  return { h, result, fetch };
}

test('EXAMINE, then UID FETCH BODY.PEEK[] of the UID: the streamed literal, byte for byte', async () => {
  const { h, result, fetch } = await fetchUid7();
  assert.equal(fetch, 'A2 UID FETCH 7 (UID BODY.PEEK[])\r\n');
  const message = 'Subject: hi\r\n\r\ncaf\xe9 \xff\r\n';
  h.server(`* 4 FETCH (UID 7 BODY[] {${message.length}}\r\n${message.slice(0, 9)}`);
  h.server(`${message.slice(9)})\r\nA2 OK done\r\n`);
  assert.equal(text(await result), message);
});

test('a new UIDVALIDITY refuses with CONFIG and fetches nothing', async () => {
  const { h, result } = await fetchUid7(4);
  await assert.rejects(result, { code: 'CONFIG', message: 'INBOX has a new UIDVALIDITY on the server (4, stored 3): sync first' });
  assert.equal(h.written(), '');
});

test('no answer for the UID is a PROTOCOL error (expunged meanwhile)', async () => {
  const { h, result } = await fetchUid7();
  h.server('A2 OK done\r\n');
  await assert.rejects(result, { code: 'PROTOCOL', message: 'the server has no message with UID 7 in INBOX (expunged?)' });
});

test('a quoted body is returned as sent; an answer without a body is an empty message; a NIL body is none', async () => {
  const quoted = await fetchUid7();
  quoted.h.server('* 4 FETCH (UID 7 BODY[] "Subject: short")\r\nA2 OK done\r\n');
  assert.equal(text(await quoted.result), 'Subject: short');

  const bare = await fetchUid7();
  bare.h.server('* 4 FETCH (UID 7)\r\nA2 OK done\r\n');
  assert.deepEqual(await bare.result, new Uint8Array(0));

  const nil = await fetchUid7();
  nil.h.server('* 4 FETCH (UID 7 BODY[] NIL)\r\nA2 OK done\r\n');
  await assert.rejects(nil.result, { code: 'PROTOCOL' });
});

test('answers for other UIDs, before or after, are not the message', async () => {
  const before = await fetchUid7();
  before.h.server('* 5 FETCH (UID 8 BODY[] {5}\r\nOTHER)\r\n* 4 FETCH (UID 7 BODY[] {4}\r\nMINE)\r\nA2 OK done\r\n');
  assert.equal(text(await before.result), 'MINE');

  const after = await fetchUid7();
  after.h.server('* 4 FETCH (UID 7 BODY[] {4}\r\nMINE)\r\n* 5 FETCH (UID 8 BODY[] {5}\r\nOTHER)\r\nA2 OK done\r\n');
  assert.equal(text(await after.result), 'MINE');

  // The asked UID answered with a quoted body after another UID's streamed one.
  const quoted = await fetchUid7();
  quoted.h.server('* 5 FETCH (UID 8 BODY[] {5}\r\nOTHER)\r\n* 4 FETCH (UID 7 BODY[] "MINE")\r\nA2 OK done\r\n');
  assert.equal(text(await quoted.result), 'MINE');

  // A FETCH without UID (unsolicited) that carries a body.
  const stray = await fetchUid7();
  stray.h.server('* 3 FETCH (BODY[] {5}\r\nSTRAY)\r\n* 4 FETCH (UID 7 BODY[] {4}\r\nMINE)\r\nA2 OK done\r\n');
  assert.equal(text(await stray.result), 'MINE');

  const only = await fetchUid7();
  only.h.server('* 5 FETCH (UID 8 BODY[] {5}\r\nOTHER)\r\nA2 OK done\r\n');
  await assert.rejects(only.result, { code: 'PROTOCOL' });
});
