/**
 * The session adapter (src/sync/session-adapter.ts) over the real ImapClient, the test playing the
 * server: the commands it sends (EXAMINE with QRESYNC/CONDSTORE, UID FETCH item lists and sets,
 * CHANGEDSINCE, UID SEARCH), what it makes of the answers (snapshots, sizes, flags without
 * \Recent, Gmail ids and labels, Message-ID headers), the maxMessageBytes cap on streamed and
 * inline bodies, and INTERNALDATE / IMAP date conversion. A last group drives it with a client
 * that breaks the client's own guarantees (FETCH answers without UID, a body chunk without its
 * start, unsorted SEARCH results) to show the adapter does not rely on them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FetchHandlers, FetchOptions, ImapClient } from '../../src/imap/session/client.js';
import type { FetchAttributes } from '../../src/imap/wire/types.js';
import type { FetchedMessage, FolderSession } from '../../src/sync/ports.js';
import { createFolderSession, imapDate, parseInternalDate, type FolderSessionOptions } from '../../src/sync/session-adapter.js';
import { bytesHarness, type BytesHarness } from '../support/session-bytes.js';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

function adapter(capabilities: string[] = [], enabled: string[] = [], options: FolderSessionOptions = {}): { h: BytesHarness; session: FolderSession } {
  const h = bytesHarness(capabilities, enabled);
  return { h, session: createFolderSession(h.client, options) };
}

/** A `* n FETCH (...)` whose body item carries `body` as a literal. */
const literalFetch = (seq: number, items: string, section: string, body: string): string => `* ${seq} FETCH (${items} ${section} {${body.length}}\r\n${body})\r\n`;

describe('parseInternalDate', () => {
  test('reads day, month, year, time and zone into Unix milliseconds', () => {
    assert.equal(parseInternalDate('17-Jul-1996 02:44:25 -0700'), Date.UTC(1996, 6, 17, 9, 44, 25));
    assert.equal(parseInternalDate('01-Jan-2026 10:00:00 +0530'), Date.UTC(2026, 0, 1, 4, 30, 0));
    assert.equal(parseInternalDate('31-Dec-2025 23:59:59 +0000'), Date.UTC(2025, 11, 31, 23, 59, 59));
  });

  test('accepts the space-padded day, any month case and surrounding white space', () => {
    assert.equal(parseInternalDate(' 7-Feb-2026 08:09:10 +0100'), Date.UTC(2026, 1, 7, 7, 9, 10));
    assert.equal(parseInternalDate('  7-FEB-2026 08:09:10 +0100'), Date.UTC(2026, 1, 7, 7, 9, 10));
    assert.equal(parseInternalDate('7-feb-2026 08:09:10 -0030 '), Date.UTC(2026, 1, 7, 8, 39, 10));
  });

  test('anything else is null, not NaN and not an exception', () => {
    for (const value of [
      undefined,
      '',
      'yesterday',
      '17-Foo-1996 02:44:25 -0700', // no such month
      '117-Jul-1996 02:44:25 -0700', // three-digit day
      'x7-Jul-1996 02:44:25 -0700',
      '17-Jul-1996 02:44:25 -07000', // trailing digit
      '17-Jul-1996 02:44:25 -0700 x',
      '17-Jul-1996 02:44:25',
      '17-Jul-96 02:44:25 -0700',
    ]) {
      assert.equal(parseInternalDate(value), null, String(value));
    }
  });
});

describe('imapDate', () => {
  test('d-Mon-yyyy of the UTC day, for every month', () => {
    const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    names.forEach((name, month) => assert.equal(imapDate(Date.UTC(2026, month, 5, 23, 59)), `5-${name}-2026`));
    assert.equal(imapDate(Date.UTC(2026, 0, 1) - 1), '31-Dec-2025');
  });
});

describe('createFolderSession: capabilities', () => {
  test('CONDSTORE when enabled or only announced; QRESYNC only when enabled', () => {
    assert.deepEqual([adapter([], ['CONDSTORE']).session.condstore, adapter(['CONDSTORE'], []).session.condstore, adapter([], []).session.condstore], [true, true, false]);
    assert.deepEqual([adapter(['QRESYNC'], ['QRESYNC']).session.qresync, adapter(['QRESYNC'], []).session.qresync], [true, false]);
  });
});

describe('open', () => {
  test('EXAMINE with QRESYNC parameters: the snapshot, with VANISHED ranges and the changed flags by UID', async () => {
    const { h, session } = adapter(['CONDSTORE', 'QRESYNC'], ['CONDSTORE', 'QRESYNC']);
    const opened = session.open('INBOX', { uidValidity: 42, modseq: 100n });
    assert.equal(h.written(), 'A1 EXAMINE INBOX (QRESYNC (42 100))\r\n');
    h.server(
      '* 5 EXISTS\r\n* OK [UIDVALIDITY 42] v\r\n* OK [UIDNEXT 9] n\r\n* OK [HIGHESTMODSEQ 120] m\r\n* VANISHED (EARLIER) 2:3\r\n' +
        '* 4 FETCH (UID 7 FLAGS (\\Seen \\Recent) MODSEQ (110))\r\n' +
        '* 5 FETCH (FLAGS (\\Flagged))\r\n' +
        '* 3 FETCH (UID 8 FLAGS () MODSEQ (115) X-GM-LABELS (\\Inbox Work))\r\n' +
        'A1 OK [READ-ONLY] examined\r\n',
    );
    assert.deepEqual(await opened, {
      uidValidity: 42,
      uidNext: 9,
      highestModseq: 120n,
      exists: 5,
      vanished: [{ start: 2, end: 3 }],
      changed: [
        { uid: 7, flags: ['\\Seen'], modseq: 110n },
        { uid: 8, flags: [], modseq: 115n, labels: ['\\Inbox', 'Work'] },
      ],
      qresync: true,
    });

    // Without parameters: a plain CONDSTORE EXAMINE, and the snapshot says QRESYNC was not used.
    const plain = session.open('Archive', null);
    assert.equal(h.written(), 'A2 EXAMINE Archive (CONDSTORE)\r\n');
    h.server('* 0 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\nA2 OK [READ-ONLY] examined\r\n');
    const snapshot = await plain;
    assert.deepEqual([snapshot.qresync, snapshot.uidValidity, snapshot.uidNext, snapshot.highestModseq], [false, 7, null, null]);
  });

  test('without QRESYNC enabled the parameters are not sent and the snapshot is not a QRESYNC one', async () => {
    const { h, session } = adapter(['QRESYNC']);
    const opened = session.open('INBOX', { uidValidity: 42, modseq: 100n });
    assert.equal(h.written(), 'A1 EXAMINE INBOX\r\n');
    h.server('* 2 EXISTS\r\n* OK [UIDVALIDITY 42] v\r\nA1 OK [READ-ONLY] examined\r\n');
    const snapshot = await opened;
    assert.deepEqual([snapshot.qresync, snapshot.exists, snapshot.changed, snapshot.vanished], [false, 2, [], []]);
  });
});

describe('listing and searching', () => {
  test('listUids: UID FETCH from:* with sizes, as the server answered (0 when it sent no size)', async () => {
    const { h, session } = adapter();
    const listed = session.listUids(5);
    assert.equal(h.written(), 'A1 UID FETCH 5:* (UID RFC822.SIZE)\r\n');
    h.server('* 1 FETCH (UID 4 RFC822.SIZE 10)\r\n* 2 FETCH (UID 5 RFC822.SIZE 300)\r\n* 3 FETCH (UID 6)\r\nA1 OK done\r\n');
    assert.deepEqual(await listed, [
      { uid: 4, size: 10 },
      { uid: 5, size: 300 },
      { uid: 6, size: 0 },
    ]);
  });

  test('listUidRange: UID FETCH from:to, keeping only the UIDs asked for', async () => {
    const { h, session } = adapter();
    const listed = session.listUidRange(3, 5);
    assert.equal(h.written(), 'A1 UID FETCH 3:5 (UID RFC822.SIZE)\r\n');
    h.server(
      '* 1 FETCH (UID 2 RFC822.SIZE 20)\r\n* 2 FETCH (UID 3 RFC822.SIZE 30)\r\n* 3 FETCH (UID 4)\r\n' +
        '* 4 FETCH (UID 5 RFC822.SIZE 50)\r\n* 5 FETCH (UID 6 RFC822.SIZE 60)\r\nA1 OK done\r\n',
    );
    assert.deepEqual(await listed, [
      { uid: 3, size: 30 },
      { uid: 4, size: 0 },
      { uid: 5, size: 50 },
    ]);
  });

  test('highestUidBefore: UID SEARCH below the UID before the day, the highest UID under the bound', async () => {
    const { h, session } = adapter();
    const found = session.highestUidBefore(5, Date.UTC(2026, 2, 2, 12));
    assert.equal(h.written(), 'A1 UID SEARCH UID 1:4 BEFORE 2-Mar-2026\r\n');
    h.server('* SEARCH 1 3 5 9\r\nA1 OK done\r\n');
    assert.equal(await found, 3);

    const none = session.highestUidBefore(3, Date.UTC(2026, 2, 2));
    assert.equal(h.written(), 'A2 UID SEARCH UID 1:2 BEFORE 2-Mar-2026\r\n');
    h.server('* SEARCH\r\nA2 OK done\r\n');
    assert.equal(await none, 0);
  });

  test('highestUidBefore: nothing can lie below UID 1, so nothing is sent', async () => {
    const { h, session } = adapter();
    for (const below of [1, 0]) {
      const found = session.highestUidBefore(below, Date.UTC(2026, 2, 2));
      assert.equal(h.written(), '', `below ${below}`);
      assert.equal(await found, 0);
    }
  });

  test('searchUids: UID SEARCH UID 1:n', async () => {
    const { h, session } = adapter();
    const found = session.searchUids(7);
    assert.equal(h.written(), 'A1 UID SEARCH UID 1:7\r\n');
    h.server('* SEARCH 2 4 7\r\nA1 OK done\r\n');
    assert.deepEqual(await found, [2, 4, 7]);
  });
});

describe('fetchFlags', () => {
  test('with CONDSTORE and Gmail: MODSEQ and X-GM-LABELS are asked for and reported; \\Recent is dropped', async () => {
    const { h, session } = adapter(['X-GM-EXT-1'], ['CONDSTORE']);
    const all = session.fetchFlags(9, null);
    assert.equal(h.written(), 'A1 UID FETCH 1:9 (UID FLAGS MODSEQ X-GM-LABELS)\r\n');
    h.server('* 1 FETCH (UID 2 FLAGS (\\Seen \\Recent \\RECENT) MODSEQ (7) X-GM-LABELS (\\Inbox "Work"))\r\n* 2 FETCH (UID 3 FLAGS ())\r\nA1 OK done\r\n');
    assert.deepEqual(await all, [
      { uid: 2, flags: ['\\Seen'], modseq: 7n, labels: ['\\Inbox', 'Work'] },
      { uid: 3, flags: [], modseq: null },
    ]);

    const changed = session.fetchFlags(9, 5n);
    assert.equal(h.written(), 'A2 UID FETCH 1:9 (UID FLAGS MODSEQ X-GM-LABELS) (CHANGEDSINCE 5)\r\n');
    h.server('A2 OK done\r\n');
    assert.deepEqual(await changed, []);
  });

  test('a plain server: only UID and FLAGS; a message sent without FLAGS has none', async () => {
    const { h, session } = adapter();
    const all = session.fetchFlags(4, null);
    assert.equal(h.written(), 'A1 UID FETCH 1:4 (UID FLAGS)\r\n');
    h.server('* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 4 FLAGS (\\Answered))\r\nA1 OK done\r\n');
    assert.deepEqual(await all, [
      { uid: 1, flags: [], modseq: null },
      { uid: 4, flags: ['\\Answered'], modseq: null },
    ]);
  });
});

describe('fetchMessages', () => {
  test('full messages and headers-only ones go in two UID FETCHes; each answer becomes a FetchedMessage', async () => {
    const { h, session } = adapter(['X-GM-EXT-1'], ['CONDSTORE']);
    const got: FetchedMessage[] = [];
    const done = session.fetchMessages([3, 4, 5, 9], new Set([4, 9]), (message) => got.push(message));
    const items = 'UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ X-GM-MSGID X-GM-THRID X-GM-LABELS';
    assert.equal(h.written(), `A1 UID FETCH 3,5 (${items} BODY.PEEK[])\r\nA2 UID FETCH 4,9 (${items} BODY.PEEK[HEADER])\r\n`);
    h.server(
      literalFetch(1, 'UID 3 FLAGS (\\Seen \\Recent) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 11 MODSEQ (12) X-GM-MSGID 1001 X-GM-THRID 2002 X-GM-LABELS (\\Inbox)', 'BODY[]', 'hello world') +
        literalFetch(3, 'UID 5 X-GM-MSGID 1003', 'BODY[]', 'abc') +
        'A1 OK done\r\n',
    );
    h.server(literalFetch(2, 'UID 4 FLAGS (\\Flagged) RFC822.SIZE 5000', 'BODY[HEADER]', 'Subject: x\r\n\r\n') + '* 4 FETCH (UID 9 FLAGS ())\r\nA2 OK done\r\n');
    await done;
    assert.deepEqual(got, [
      {
        uid: 3,
        flags: ['\\Seen'],
        internalDate: Date.UTC(1996, 6, 17, 9, 44, 25),
        size: 11,
        modseq: 12n,
        raw: bytes('hello world'),
        headersOnly: false,
        gmail: { msgId: '1001', thrId: '2002', labels: ['\\Inbox'] },
      },
      { uid: 5, flags: [], internalDate: null, size: 3, modseq: null, raw: bytes('abc'), headersOnly: false, gmail: { msgId: '1003', thrId: null, labels: [] } },
      // The size is the announced one, not the header block's; UID 9 came without a body: skipped.
      { uid: 4, flags: ['\\Flagged'], internalDate: null, size: 5000, modseq: null, raw: bytes('Subject: x\r\n\r\n'), headersOnly: true },
    ]);
  });

  test('only the FETCH that has UIDs is sent', async () => {
    const { h, session } = adapter();
    const headers = session.fetchMessages([4], new Set([4]), () => undefined);
    assert.equal(h.written(), 'A1 UID FETCH 4 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])\r\n');
    h.server('A1 OK done\r\n');
    await headers;
    const full = session.fetchMessages([1, 2], new Set([7]), () => undefined);
    assert.equal(h.written(), 'A2 UID FETCH 1:2 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n');
    h.server('A2 OK done\r\n');
    await full;
    await session.fetchMessages([], new Set(), () => undefined);
    assert.equal(h.written(), '');
  });

  test('a streamed body longer than maxMessageBytes is cut at the cap while it arrives and handed on headers-only', async () => {
    const { h, session } = adapter([], [], { maxMessageBytes: 10 });
    const got: FetchedMessage[] = [];
    const done = session.fetchMessages([5, 6, 7], new Set(), (message) => got.push(message));
    h.written();
    // 12 bytes for UID 5 (announced 4), in two chunks of 6.
    h.server('* 1 FETCH (UID 5 RFC822.SIZE 4 BODY[] {12}\r\nhello ');
    h.server('world!)\r\n');
    h.server(literalFetch(2, 'UID 6', 'BODY[]', '0123456789') + literalFetch(3, 'UID 7', 'BODY[]', '0123456789A') + 'A1 OK done\r\n');
    await done;
    assert.deepEqual(got, [
      {
        uid: 5,
        flags: [],
        internalDate: null,
        size: 12,
        modseq: null,
        raw: bytes('hello worl'),
        headersOnly: true,
        limitExceeded: 'LIMIT: the server sent 12 bytes for UID 5 (announced 4), more than maxMessageBytes (10); stored with headers only',
      },
      // Exactly the cap is within it.
      { uid: 6, flags: [], internalDate: null, size: 10, modseq: null, raw: bytes('0123456789'), headersOnly: false },
      {
        uid: 7,
        flags: [],
        internalDate: null,
        size: 11,
        modseq: null,
        raw: bytes('0123456789'),
        headersOnly: true,
        limitExceeded: 'LIMIT: the server sent 11 bytes for UID 7 (announced no size), more than maxMessageBytes (10); stored with headers only',
      },
    ]);
  });

  test('an inline (quoted) body is capped the same way; a NIL body is no message', async () => {
    const { h, session } = adapter([], [], { maxMessageBytes: 10 });
    const got: FetchedMessage[] = [];
    const done = session.fetchMessages([8, 9, 10, 11], new Set(), (message) => got.push(message));
    h.written();
    h.server('* 1 FETCH (UID 8 RFC822.SIZE 12 BODY[] "0123456789AB")\r\n* 2 FETCH (UID 9 BODY[] "0123456789")\r\n* 3 FETCH (UID 10 BODY[] "abc")\r\n* 4 FETCH (UID 11 BODY[] NIL)\r\nA1 OK done\r\n');
    await done;
    assert.deepEqual(got, [
      {
        uid: 8,
        flags: [],
        internalDate: null,
        size: 12,
        modseq: null,
        raw: bytes('0123456789'),
        headersOnly: true,
        limitExceeded: 'LIMIT: the server sent 12 bytes for UID 8 (announced 12), more than maxMessageBytes (10); stored with headers only',
      },
      { uid: 9, flags: [], internalDate: null, size: 10, modseq: null, raw: bytes('0123456789'), headersOnly: false },
      { uid: 10, flags: [], internalDate: null, size: 3, modseq: null, raw: bytes('abc'), headersOnly: false },
    ]);
  });
});

describe('fetchIdentities', () => {
  test('UID FETCH 1:* of the Message-ID header: each value unfolded and trimmed, null when there is none', async () => {
    const { h, session } = adapter();
    const found = session.fetchIdentities();
    const section = 'BODY[HEADER.FIELDS (MESSAGE-ID)]';
    assert.equal(h.written(), `A1 UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n`);
    h.server(
      literalFetch(1, 'UID 1 RFC822.SIZE 100', section, 'Message-ID: <a@x> \r\n\r\n') +
        literalFetch(2, 'UID 2 RFC822.SIZE 200', section, 'Message-ID:\r\n <b@x>\r\n\r\n') +
        literalFetch(3, 'UID 3', section, 'Message-ID:\n\t<c@x>\n\n') +
        literalFetch(4, 'UID 4', section, 'message-id:<d@x>\r\n\r\n') +
        literalFetch(5, 'UID 5', section, 'X-Original-Message-ID: <old@x>\r\nMessage-ID: <e@x>\r\n  (fold  kept)\r\n\r\n') +
        literalFetch(6, 'UID 6', section, 'Subject: none\r\n\r\n') +
        '* 7 FETCH (UID 7 RFC822.SIZE 77)\r\n' +
        `* 8 FETCH (UID 8 ${section} "Message-ID: <h@x>")\r\n` +
        'A1 OK done\r\n',
    );
    assert.deepEqual(await found, [
      { uid: 1, size: 100, messageIdHeader: '<a@x>' },
      { uid: 2, size: 200, messageIdHeader: '<b@x>' },
      { uid: 3, size: 0, messageIdHeader: '<c@x>' },
      { uid: 4, size: 0, messageIdHeader: '<d@x>' },
      { uid: 5, size: 0, messageIdHeader: '<e@x> (fold  kept)' },
      { uid: 6, size: 0, messageIdHeader: null },
      { uid: 7, size: 77, messageIdHeader: null },
      { uid: 8, size: 0, messageIdHeader: '<h@x>' },
    ]);
  });
});

/** A client that answers every UID FETCH with `responses` and every UID SEARCH with `found`,
 * ignoring the guarantees the real client gives (every answer has a UID, bodies start before
 * their chunks, SEARCH results ascend). */
function looseClient(responses: Array<{ seq: number; attributes: FetchAttributes; chunks?: string[] }>, found: number[] = []): ImapClient {
  const client = {
    enabled: new Set<string>(),
    capabilities: new Set<string>(),
    async uidFetch(_set: string, _options: FetchOptions, handlers: FetchHandlers) {
      for (const { seq, attributes, chunks } of responses) {
        for (const chunk of chunks ?? []) handlers.body?.({ type: 'body-chunk', seq, data: bytes(chunk) });
        handlers.message({ seq, attributes });
      }
      return [];
    },
    async uidSearch() {
      return found;
    },
  };
  return client as unknown as ImapClient;
}

describe('a client that breaks its guarantees', () => {
  test('FETCH answers without a UID are no listing, flag, message or identity', async () => {
    const noUid = [{ seq: 1, attributes: { flags: ['\\Seen'], rfc822Size: 5, bodySections: [{ section: '', binary: false, origin: null, value: bytes('Message-ID: <x>'), streamed: false as const }] } }];
    const session = createFolderSession(looseClient(noUid));
    assert.deepEqual(await session.listUids(1), []);
    assert.deepEqual(await session.listUidRange(1, 9), []);
    assert.deepEqual(await session.fetchFlags(9, null), []);
    assert.deepEqual(await session.fetchIdentities(), []);
    const got: FetchedMessage[] = [];
    await session.fetchMessages([1], new Set(), (message) => got.push(message));
    assert.deepEqual(got, []);
  });

  test('body chunks without a body-start are ignored', async () => {
    const session = createFolderSession(looseClient([{ seq: 1, attributes: { uid: 3 }, chunks: ['stray'] }]));
    const got: FetchedMessage[] = [];
    await session.fetchMessages([3], new Set(), (message) => got.push(message));
    assert.deepEqual(got, []);
  });

  test('highestUidBefore takes the highest UID under the bound whatever the order of the answer', async () => {
    const session = createFolderSession(looseClient([], [4, 9, 2, 5]));
    assert.equal(await session.highestUidBefore(5, Date.UTC(2026, 0, 1)), 4);
  });
});
