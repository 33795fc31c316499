/** commands/select.ts: SELECT/EXAMINE arguments, the result, and a queued SELECT's isolation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesHarness } from '../support/session-bytes.js';
import { select } from '../../src/imap/session/commands/select.js';
import { noop } from '../../src/imap/session/commands/noop.js';
import type { UntaggedResponse } from '../../src/imap/wire/types.js';

test('EXAMINE with QRESYNC gathers the untagged data into the result', async () => {
  const h = bytesHarness(['QRESYNC'], ['QRESYNC', 'CONDSTORE']);
  const result = select(h.client, 'INBOX', { readOnly: true, qresync: { uidValidity: 7, modseq: 100n, knownUids: '1:50' } });
  assert.equal(h.written(), 'A1 EXAMINE INBOX (QRESYNC (7 100 1:50))\r\n');
  h.server(
    '* 4 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Flagged)\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 12] n\r\n' +
      '* OK [HIGHESTMODSEQ 120] m\r\n* OK [PERMANENTFLAGS ()] p\r\n* VANISHED (EARLIER) 3:4\r\n* 2 FETCH (UID 9 FLAGS (\\Seen) MODSEQ (110))\r\n' +
      'A1 OK [READ-ONLY] done\r\n',
  );
  const r = await result;
  assert.equal(r.exists, 4);
  assert.equal(r.uidValidity, 7);
  assert.equal(r.uidNext, 12);
  assert.equal(r.highestModseq, 120n);
  assert.deepEqual(r.flags, ['\\Seen', '\\Flagged']);
  assert.deepEqual(r.permanentFlags, []);
  assert.equal(r.readOnly, true);
  assert.deepEqual(r.vanished, [{ start: 3, end: 4 }]);
  assert.equal(r.changed[0]?.uid, 9);
});

test('SELECT with CONDSTORE; NOMODSEQ leaves highestModseq null', async () => {
  const h = bytesHarness(['CONDSTORE']);
  const result = select(h.client, 'Sent');
  assert.equal(h.written(), 'A1 SELECT Sent (CONDSTORE)\r\n');
  h.server('* 1 EXISTS\r\n* OK [NOMODSEQ] none\r\n* OK [UIDVALIDITY 3] v\r\nA1 OK [READ-WRITE] done\r\n');
  const r = await result;
  assert.equal(r.highestModseq, null);
  assert.equal(r.readOnly, false);
});

test('a queued SELECT does not take the previous mailbox EXISTS (it goes to the listeners)', async () => {
  const h = bytesHarness();
  const unsolicited: UntaggedResponse[] = [];
  h.client.onUnsolicited((data) => unsolicited.push(data));
  const pending = noop(h.client);
  const selected = select(h.client, 'Other');
  assert.equal(h.written(), 'A1 NOOP\r\n', 'SELECT waits for the pipeline to drain');
  h.server('* 99 EXISTS\r\nA1 OK\r\n');
  await pending;
  assert.equal(h.written(), 'A2 SELECT Other\r\n');
  h.server('* 5 EXISTS\r\n* OK [UIDVALIDITY 1] v\r\nA2 OK done\r\n');
  assert.equal((await selected).exists, 5);
  assert.deepEqual(unsolicited, [{ type: 'exists', count: 99 }]);
});
