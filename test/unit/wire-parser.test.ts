import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponseParser } from '../../src/imap/wire/parser.js';
import type { ParserEvent, Response, UntaggedResponse } from '../../src/imap/wire/types.js';

const enc = new TextEncoder();

function parse(text: string | Uint8Array, options?: Parameters<typeof createResponseParser>[1]): ParserEvent[] {
  const events: ParserEvent[] = [];
  const parser = createResponseParser((event) => events.push(event), options);
  parser.push(typeof text === 'string' ? enc.encode(text) : text);
  parser.end();
  return events;
}

function responses(text: string): Response[] {
  return parse(text).flatMap((e) => (e.type === 'response' ? [e.response] : []));
}

function untagged(text: string): UntaggedResponse {
  const [response] = responses(text);
  assert.equal(response?.type, 'untagged');
  return (response as { data: UntaggedResponse }).data;
}

describe('wire parser', () => {
  test('greeting with capability code', () => {
    const data = untagged('* OK [CAPABILITY IMAP4rev1 IDLE] Dovecot ready.\r\n');
    assert.deepEqual(data, { type: 'condition', condition: 'OK', text: { code: { name: 'CAPABILITY', capabilities: ['IMAP4rev1', 'IDLE'] }, text: 'Dovecot ready.' } });
  });

  test('words read as shared constants keep the server spelling; numbered responses read exactly', () => {
    const fetch = untagged('* 12 fetch (uid 7 Flags (\\seen \\Seen $junk $Junk) body[] {3}\r\nabc)\r\n');
    assert.equal(fetch.type, 'fetch');
    const { attributes } = fetch as Extract<UntaggedResponse, { type: 'fetch' }>;
    assert.equal(attributes.uid, 7);
    assert.deepEqual(attributes.flags, ['\\seen', '\\Seen', '$junk', '$Junk']);
    assert.equal(attributes.bodySections?.[0]?.section, '');
    assert.deepEqual(untagged('* 0 EXISTS\r\n'), { type: 'exists', count: 0 });
    assert.deepEqual(untagged('* 007 EXISTS\r\n'), { type: 'exists', count: 7 });
    assert.deepEqual(untagged('* 1234567890123456 EXISTS\r\n'), { type: 'exists', count: 1234567890123456 });
    assert.deepEqual(untagged('* 12 XFOO bar\r\n'), { type: 'other', name: 'XFOO', raw: '12 XFOO bar' });
    assert.deepEqual(untagged('* 012 XFOO bar\r\n'), { type: 'other', name: 'XFOO', raw: '012 XFOO bar' });
  });

  test('tagged status with codes, and missing text', () => {
    const [a, b, c] = responses('a1 OK [UIDVALIDITY 3857529045] done\r\na2 NO\r\na3 BAD [CLIENTBUG] oops\r\n');
    assert.deepEqual(a, { type: 'tagged', tag: 'a1', condition: 'OK', text: { code: { name: 'UIDVALIDITY', value: 3857529045 }, text: 'done' } });
    assert.deepEqual(b, { type: 'tagged', tag: 'a2', condition: 'NO', text: { code: null, text: '' } });
    assert.deepEqual((c as { text: unknown }).text, { code: { name: 'ATOM', atom: 'CLIENTBUG', text: null }, text: 'oops' });
  });

  test('HIGHESTMODSEQ and MODSEQ are exact 64-bit values', () => {
    const code = untagged('* OK [HIGHESTMODSEQ 90060115194045001] x\r\n');
    assert.deepEqual(code.type === 'condition' && code.text.code, { name: 'HIGHESTMODSEQ', value: 90060115194045001n });
    const fetch = untagged('* 1 FETCH (MODSEQ (90060115194045001) UID 3)\r\n');
    assert.equal(fetch.type === 'fetch' && fetch.attributes.modseq, 90060115194045001n);
  });

  test('FETCH body literal is streamed in chunks with seq, then the response', () => {
    const events = parse('* 3 FETCH (UID 7 BODY[] {11}\r\nhello world FLAGS (\\Seen))\r\n');
    assert.deepEqual(events.map((e) => e.type), ['body-start', 'body-chunk', 'body-end', 'response']);
    const start = events[0] as Extract<ParserEvent, { type: 'body-start' }>;
    assert.equal(start.seq, 3);
    assert.equal(start.size, 11);
    const chunk = events[1] as Extract<ParserEvent, { type: 'body-chunk' }>;
    assert.equal(new TextDecoder().decode(chunk.data), 'hello world');
    const fetch = (events[3] as { response: { data: UntaggedResponse } }).response.data;
    assert.ok(fetch.type === 'fetch');
    assert.deepEqual(fetch.attributes.flags, ['\\Seen']);
    assert.deepEqual(fetch.attributes.bodySections, [{ section: '', binary: false, origin: null, size: 11, streamed: true }]);
  });

  test('with streamBodies off, body literals are inline', () => {
    const events = parse('* 3 FETCH (UID 7 BODY[HEADER] {4}\r\nab\r\n)\r\n', { streamBodies: false });
    const fetch = (events[0] as { response: { data: UntaggedResponse } }).response.data;
    assert.ok(fetch.type === 'fetch');
    const section = fetch.attributes.bodySections?.[0];
    assert.ok(section && !section.streamed);
    assert.deepEqual(section.value, enc.encode('ab\r\n'));
  });

  test('FETCH items with a section: BODY, BINARY, .PEEK, BINARY.SIZE, RFC822*, origins', () => {
    const events = parse(
      '* 4 FETCH (BODY.PEEK[1]<0> "ab" binary[2] ~{2}\r\nxy BINARY.SIZE[2] 9 RFC822.Header {1}\r\nh BODY[HEADER.FIELDS (FROM TO)] NIL BODY[1] {1}\r\nb X-UNKNOWN[1] 5)\r\n',
    );
    const types = events.map((event) => event.type);
    assert.deepEqual(types, ['body-start', 'body-chunk', 'body-end', 'body-start', 'body-chunk', 'body-end', 'body-start', 'body-chunk', 'body-end', 'response']);
    const starts = events.flatMap((event) => (event.type === 'body-start' ? [[event.section, event.binary, event.origin, event.size]] : []));
    assert.deepEqual(starts, [['2', true, null, 2], ['RFC822.HEADER', false, null, 1], ['1', false, null, 1]]);
    const fetch = (events[events.length - 1] as { response: { data: UntaggedResponse } }).response.data;
    assert.ok(fetch.type === 'fetch');
    assert.deepEqual(fetch.attributes.binarySizes, [{ section: '2', size: 9 }]);
    assert.deepEqual(fetch.attributes.bodySections, [
      { section: '1', binary: false, origin: 0, value: enc.encode('ab'), streamed: false },
      { section: '2', binary: true, origin: null, size: 2, streamed: true },
      { section: 'RFC822.HEADER', binary: false, origin: null, size: 1, streamed: true },
      { section: 'HEADER.FIELDS (FROM TO)', binary: false, origin: null, value: null, streamed: false },
      { section: '1', binary: false, origin: null, size: 1, streamed: true },
    ]);
  });

  test('LIST with quoted, unquoted [ ] and literal mailbox names', () => {
    const [a, b, c] = responses('* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"\r\n* LIST () "." INBOX.[Airmail].Snooze\r\n* LIST () "/" {5}\r\na b c\r\n');
    assert.deepEqual(a, { type: 'untagged', data: { type: 'list', command: 'LIST', attributes: ['\\HasNoChildren', '\\Sent'], delimiter: '/', mailbox: 'Sent Items', extended: {} } });
    assert.equal(b?.type === 'untagged' && b.data.type === 'list' && b.data.mailbox, 'INBOX.[Airmail].Snooze');
    assert.equal(c?.type === 'untagged' && c.data.type === 'list' && c.data.mailbox, 'a b c');
  });

  test('SEARCH with trailing space, ESEARCH, VANISHED (EARLIER), STATUS', () => {
    assert.deepEqual(untagged('* SEARCH 2 84 882 \r\n'), { type: 'search', ids: [2, 84, 882], modseq: null });
    assert.deepEqual(untagged('* ESEARCH (TAG "A282") UID MIN 2 COUNT 3 ALL 2,10:11\r\n'), {
      type: 'esearch', tag: 'A282', uid: true, min: 2, count: 3, all: [{ start: 2, end: 2 }, { start: 10, end: 11 }],
    });
    assert.deepEqual(untagged('* VANISHED (EARLIER) 41,43:45\r\n'), { type: 'vanished', earlier: true, uids: [{ start: 41, end: 41 }, { start: 43, end: 45 }] });
    assert.deepEqual(untagged('* STATUS INBOX (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n'), {
      type: 'status', mailbox: 'INBOX', attributes: { messages: 231, uidNext: 44292, highestModseq: 7011231777n },
    });
  });

  test('ENVELOPE and BODYSTRUCTURE of the RFC 3501 example', () => {
    const data = untagged('* 12 FETCH (ENVELOPE ("Wed, 17 Jul 1996" "IMAP4rev1 WG mtg" (("Terry Gray" NIL "gray" "cac.washington.edu")) NIL NIL ((NIL NIL "imap" "cac.washington.edu")) NIL NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n');
    assert.ok(data.type === 'fetch');
    assert.equal(data.attributes.envelope?.subject, 'IMAP4rev1 WG mtg');
    assert.deepEqual(data.attributes.envelope?.from, [{ name: 'Terry Gray', adl: null, mailbox: 'gray', host: 'cac.washington.edu' }]);
    assert.equal(data.attributes.envelope?.messageId, '<B27397-0100000@cac.washington.edu>');
    assert.deepEqual(data.attributes.bodyStructure, {
      kind: 'single', type: 'text', subtype: 'plain', params: { charset: 'US-ASCII' }, id: null, description: null, encoding: '7bit', size: 3028, lines: 92,
    });
  });

  test('quirks are accepted: bare LF, leading NULs, NIL in flags, 9.3736e+06, * 0 FETCH, bare +, trailing space', () => {
    assert.deepEqual(untagged('* 3 EXISTS\n'), { type: 'exists', count: 3 });
    assert.deepEqual(untagged('\u0000\u0000* 4 EXISTS\r\n'), { type: 'exists', count: 4 });
    const flags = untagged('* 1 FETCH (FLAGS (\\Seen NIL \\Flagged) UID 5 )\r\n');
    assert.ok(flags.type === 'fetch');
    assert.deepEqual(flags.attributes.flags, ['\\Seen', '\\Flagged']);
    assert.deepEqual(untagged('* STATUS X (MESSAGES 9.3736e+06)\r\n'), { type: 'status', mailbox: 'X', attributes: { messages: 9373600 } });
    assert.deepEqual(untagged('* 0 FETCH (UID 9)\r\n'), { type: 'fetch', seq: 0, attributes: { uid: 9 } });
    assert.deepEqual(responses('+\r\n+ \r\n'), [{ type: 'continuation', text: '' }, { type: 'continuation', text: '' }]);
  });

  test('a malformed response yields one error event with its tag, and parsing continues', () => {
    const events = parse('a1 FOO bar\r\n* 1 FETCH (UID\r\n* 2 EXISTS\r\n');
    assert.equal(events[0]?.type, 'error');
    assert.equal(events[0]?.type === 'error' && events[0].tag, 'a1');
    assert.equal(events[1]?.type, 'error');
    assert.deepEqual(events[2], { type: 'response', response: { type: 'untagged', data: { type: 'exists', count: 2 } } });
  });

  test('limits: an oversized literal or line is an error, never an allocation, and parsing resumes', () => {
    const events = parse('* 1 FETCH (BODY[] {999999999999}\r\n', { limits: { maxStreamedLiteralSize: 1000 } });
    assert.equal(events[0]?.type, 'error');
    assert.equal(events[0]?.type === 'error' && events[0].error.code, 'LIMIT');
    const long = parse(`* OK ${'x'.repeat(5000)}\r\n* 2 EXISTS\r\n`, { limits: { maxLineLength: 100 } });
    assert.equal(long[0]?.type === 'error' && long[0].error.code, 'LIMIT');
    assert.deepEqual(long[1], { type: 'response', response: { type: 'untagged', data: { type: 'exists', count: 2 } } });
    const buffered = parse('* LIST () "/" {50}\r\n' + 'y'.repeat(50) + '\r\n* 3 EXISTS\r\n', { limits: { maxLiteralSize: 10 } });
    assert.equal(buffered[0]?.type === 'error' && buffered[0].error.code, 'LIMIT');
    assert.deepEqual(buffered[1], { type: 'response', response: { type: 'untagged', data: { type: 'exists', count: 3 } } });
    const deep = parse(`* 1 FETCH (BODYSTRUCTURE ${'('.repeat(100)}${')'.repeat(100)})\r\n`, { limits: { maxDepth: 10 } });
    assert.equal(deep[0]?.type, 'error');
  });

  test('EOF in the middle of a response is reported', () => {
    const events = parse('* 1 FETCH (BODY[] {10}\r\nabc');
    assert.equal(events[events.length - 1]?.type, 'error');
  });
});
