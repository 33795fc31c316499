/**
 * Which FETCH literals the framer streams (body-literal.ts), the one FETCH section-item grammar it
 * shares with the response grammar (grammar/section-item.ts), and the literal marker
 * (literal-marker.ts). Expected values are fixed in the examples and known by construction in the
 * properties: the generators build a segment from parts and state what it announces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { BODY_ITEM_WINDOW, bodyItemBeforeLiteral, FETCH_HEAD_WINDOW, fetchSequenceOf } from '../../src/imap/wire/body-literal.js';
import { readSectionItem, type SectionItem } from '../../src/imap/wire/grammar/section-item.js';
import { literalMarkerAtEnd } from '../../src/imap/wire/literal-marker.js';
import { createResponseParser } from '../../src/imap/wire/parser.js';
import type { ParserEvent } from '../../src/imap/wire/types.js';

const RUNS = propertyRuns(5, 200);

const latin1 = new TextDecoder('latin1');
const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
/** What a body-start event reports about a streamed literal's item. */
type BodyItem = Pick<SectionItem, 'section' | 'binary' | 'origin'>;

const latin1Text = (b: Uint8Array, start: number, end: number): string => latin1.decode(b.subarray(start, end));

/** The framer's answer for a segment that ends with a literal marker (null when it does not). */
function itemOf(segment: Uint8Array): BodyItem | null {
  const marker = literalMarkerAtEnd(segment);
  const item = marker === null ? null : bodyItemBeforeLiteral(segment, marker.start);
  return item === null ? null : { section: item.section, binary: item.binary, origin: item.origin };
}

test('literal markers: {n}, {n+}, ~{n}, 1 to 15 digits', () => {
  const cases: Array<[string, { start: number; size: number } | null]> = [
    ['A {5}', { start: 2, size: 5 }],
    ['A {5+}', { start: 2, size: 5 }],
    ['A ~{12}', { start: 2, size: 12 }],
    ['A ~{12+}', { start: 2, size: 12 }],
    ['{0}', { start: 0, size: 0 }],
    ['~{0}', { start: 0, size: 0 }],
    ['x{999999999999999}', { start: 1, size: 999999999999999 }],
    ['x{1000000000000000}', null],
    ['A {}', null],
    ['A {+}', null],
    ['A {5', null],
    ['A 5}', null],
    ['A {x}', null],
    ['A {5}}', null],
    ['A {5++}', null],
    ['}', null],
    ['', null],
  ];
  for (const [text, expected] of cases) assert.deepEqual(literalMarkerAtEnd(bytes(text)), expected, text);
});

test('section items: the names, sections and origins the FETCH grammar reads', () => {
  const body = (section: string, binary = false, origin: number | null = null, peek = false): SectionItem => ({ kind: 'body', section, binary, peek, origin });
  const cases: Array<[string, SectionItem | null]> = [
    ['BODY[]', body('')],
    ['body[1.2.mime]<100>', body('1.2.MIME', false, 100)],
    ['BODY[HEADER.FIELDS (FROM TO)]', body('HEADER.FIELDS (FROM TO)')],
    ['BODY.PEEK[TEXT]<0>', body('TEXT', false, 0, true)],
    ['BINARY[2]', body('2', true)],
    ['binary.peek[1]', body('1', true, null, true)],
    ['BINARY.SIZE[3]', { kind: 'binary-size', section: '3', binary: true, peek: false, origin: null }],
    ['RFC822', body('RFC822')],
    ['rfc822.header', body('RFC822.HEADER')],
    ['RFC822.Text', body('RFC822.TEXT')],
    ['BODY[x][y]', body('X][Y')],
    ['BODY[a]<5>]', body('A]<5>')],
    ['BODY[1]<007>', body('1', false, 7)],
    ['BINARY.SIZE[3]<1>', null],
    ['BODY[1]<>', null],
    ['BODY[1]<x>', null],
    ['BODY[<5>', null],
    ['BODY[1', null],
    ['BODY[1]x', null],
    ['BODY', null],
    ['BODYSTRUCTURE', null],
    ['RFC822.SIZE', null],
    ['XBODY[]', null],
    ['BODY.X[]', null],
    ['UID', null],
  ];
  for (const [text, expected] of cases) {
    const b = bytes(text);
    assert.deepEqual(readSectionItem(b, 0, b.length, latin1Text), expected, text);
  }
  // A range inside a larger buffer.
  const b = bytes('(UID 5 BODY[1]<2> ');
  assert.deepEqual(readSectionItem(b, 7, 17, latin1Text), body('1', false, 2));
});

test('examples: which literal is a streamed body item', () => {
  const cases: Array<[string, BodyItem | null]> = [
    ['* 1 FETCH (UID 5 BODY[] {120}', { section: '', binary: false, origin: null }],
    ['* 1 FETCH (UID 5 body[1.2.mime]<100> {12+}', { section: '1.2.MIME', binary: false, origin: 100 }],
    ['* 1 FETCH (BINARY[2] ~{7}', { section: '2', binary: true, origin: null }],
    ['* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {40}', { section: 'HEADER.FIELDS (FROM TO)', binary: false, origin: null }],
    ['* 1 FETCH (RFC822.HEADER {40}', { section: 'RFC822.HEADER', binary: false, origin: null }],
    ['* 1 FETCH (rfc822 {40}', { section: 'RFC822', binary: false, origin: null }],
    ['* 1 FETCH (BODY[1]\t\xa0{4}', { section: '1', binary: false, origin: null }],
    ['* 1 FETCH (UID 5\tBODY[1] {4}', { section: '1', binary: false, origin: null }],
    ['* 1 FETCH (BODY[\xe9] {4}', { section: '\xc9', binary: false, origin: null }],
    // Several `[` after a name: the leftmost that reads as a body item, as a reader from the start.
    ['* 1 FETCH (BODY[ BODY[x] {4}', { section: ' BODY[X', binary: false, origin: null }],
    ['* 1 FETCH (BODY.PEEK[ BODY[x] {4}', { section: 'X', binary: false, origin: null }],
    ['* 1 FETCH (ENVELOPE ("date" {40}', null],
    ['* 1 FETCH (XBODY[] {4}', null],
    ['* 1 FETCH (BODY.PEEK[] {4}', null],
    ['* 1 FETCH (BINARY.PEEK[1] {4}', null],
    ['* 1 FETCH (BINARY.SIZE[1] {4}', null],
    ['* 1 FETCH (RFC822.SIZE {4}', null],
    ['* 1 FETCH ("x"BODY[] {4}', null],
    ['* 1 FETCH (BODY[] {}', null],
    ['* 1 FETCH (BODY[]] {4}', null],
    ['* 1 FETCH (BODY[a]x] {4}', null],
    ['* 1 FETCH (BODY[x][y] {4}', null],
    ['* 1 FETCH (BODY[1]<> {4}', null],
  ];
  for (const [line, expected] of cases) assert.deepEqual(itemOf(bytes(line)), expected, line);
  assert.equal(fetchSequenceOf(bytes('* 42 FETCH (UID 1)')), 42);
  assert.equal(fetchSequenceOf(bytes('*  7\tfetch (')), 7);
  assert.equal(fetchSequenceOf(bytes('* 123456789012345678 FETCH (')), 123456789012345678);
  assert.equal(fetchSequenceOf(bytes('* 42 FETCHX')), null);
  assert.equal(fetchSequenceOf(bytes('* 42 FETCH')), null);
  assert.equal(fetchSequenceOf(bytes('* OK 42 FETCH ')), null);
  assert.equal(fetchSequenceOf(bytes('*42 FETCH (')), null);
  assert.equal(fetchSequenceOf(bytes(`* ${'1'.repeat(FETCH_HEAD_WINDOW)} FETCH (`)), null);
});

test('the window: only the last BODY_ITEM_WINDOW bytes are examined', () => {
  const item = 'BODY[1] {4}';
  // The name starts exactly at the window's start: streamed; one byte earlier: not.
  const at = (padding: number): Uint8Array => bytes('A'.repeat(padding) + ' ' + item);
  const fits = BODY_ITEM_WINDOW - item.length;
  assert.deepEqual(itemOf(at(fits - 1)), { section: '1', binary: false, origin: null });
  assert.deepEqual(itemOf(at(fits)), { section: '1', binary: false, origin: null });
  assert.equal(itemOf(bytes('A'.repeat(fits) + 'X' + item)), null);
  assert.equal(itemOf(bytes('* 1 FETCH (BODY[' + 'F'.repeat(BODY_ITEM_WINDOW) + '] {4}')), null);
});

// Generated body items: what each part contributes to the expected answer.
const names = fc.constantFrom(
  { text: 'BODY', binary: false, streamed: true },
  { text: 'body', binary: false, streamed: true },
  { text: 'BINARY', binary: true, streamed: true },
  { text: 'Binary', binary: true, streamed: true },
  { text: 'BODY.PEEK', binary: false, streamed: false },
  { text: 'BINARY.SIZE', binary: true, streamed: false },
  { text: 'XBODY', binary: false, streamed: false },
);
const bareNames = fc.constantFrom(
  { text: 'RFC822', streamed: true },
  { text: 'rfc822.header', streamed: true },
  { text: 'RFC822.TEXT', streamed: true },
  { text: 'RFC822.SIZE', streamed: false },
  { text: 'XRFC822', streamed: false },
);
const sections = fc.constantFrom('', '1.2', 'HEADER', 'text', '1.MIME', 'header.fields (from to)', 'x[y', '\xdf', '\t');
const origins = fc.constantFrom(null, 0, 123, 4294967295);
const gaps = fc.constantFrom('', ' ', '  ', '\t', '\xa0', ' \r');
const separators = fc.constantFrom(
  { text: ' ', boundary: true },
  { text: '(', boundary: true },
  { text: '\t', boundary: true },
  { text: '"', boundary: false },
  { text: ']', boundary: false },
  { text: 'X', boundary: false },
);
const markers = fc.constantFrom('{5}', '{5+}', '~{12}', '{0}', '{999999999999999}');
const prefixes = fc.constantFrom('* 1 FETCH (UID 5', '* 1 FETCH (FLAGS (\\Seen)', '', 'A'.repeat(BODY_ITEM_WINDOW));

interface Generated {
  segment: Uint8Array;
  expected: BodyItem | null;
}

const bracketed: fc.Arbitrary<Generated> = fc
  .tuple(prefixes, separators, names, sections, origins, gaps, markers)
  .map(([prefix, separator, name, section, origin, gap, marker]) => {
    const itemText = `${name.text}[${section}]${origin === null ? '' : `<${origin}>`}`;
    const segment = bytes(prefix + separator.text + itemText + gap + marker);
    const streamed = name.streamed && separator.boundary && segment.length - itemText.length - gap.length - marker.length >= Math.max(0, segment.length - BODY_ITEM_WINDOW);
    return { segment, expected: streamed ? { section: latin1.decode(bytes(section)).toUpperCase(), binary: name.binary, origin } : null };
  });
const bare: fc.Arbitrary<Generated> = fc.tuple(prefixes, separators, bareNames, gaps, markers).map(([prefix, separator, name, gap, marker]) => ({
  segment: bytes(prefix + separator.text + name.text + gap + marker),
  expected: name.streamed && separator.boundary ? { section: name.text.toUpperCase(), binary: false, origin: null } : null,
}));

test('property: the framer streams exactly the body items a segment announces', () => {
  const counts = { runs: 0, streamed: 0 };
  fc.assert(
    fc.property(fc.oneof(bracketed, bare), ({ segment, expected }) => {
      assert.deepEqual(itemOf(segment), expected);
      counts.runs++;
      if (expected !== null) counts.streamed++;
    }),
    propertyParameters(RUNS),
  );
  console.log(`body items: ${counts.runs} segments, ${counts.streamed} streamed`);
  assert.ok(counts.streamed > counts.runs / 10 && counts.streamed < counts.runs * 0.9);
});

const heads = fc
  .tuple(fc.constantFrom(' ', '  ', '\t', '\xa0', ''), fc.stringMatching(/^\d{1,18}$/), fc.constantFrom(' ', '\t', ''), fc.constantFrom('FETCH', 'fetch', 'FeTcH', 'FETC', 'FETCHX'), fc.constantFrom(' ', '\t', '', '('))
  .map(([a, seq, b, word, c]) => {
    const head = `*${a}${seq}${b}${word}${c}`;
    const wellFormed = a !== '' && b !== '' && /^fetch$/i.test(word) && c !== '' && c !== '(' && head.length <= FETCH_HEAD_WINDOW;
    return { segment: bytes(`${head}(UID 5 BODY[] {5}`), expected: wellFormed ? Number(seq) : null };
  });

test('property: the FETCH head and its sequence number', () => {
  let found = 0;
  fc.assert(
    fc.property(heads, ({ segment, expected }) => {
      assert.equal(fetchSequenceOf(segment), expected);
      if (expected !== null) found++;
    }),
    propertyParameters(RUNS),
  );
  assert.ok(found > 0);
});

// Arbitrary bytes made of the pieces the scanners look at.
const piece = fc.constantFrom(
  '*', ' ', '  ', '\t', '\xa0', '(', ')', '[', ']', '<', '>', '{', '}', '+', '~', '.', '0', '7', '42', '123456',
  'BODY', 'body', 'BINARY', 'binary', 'RFC822', 'rfc822', '.HEADER', '.TEXT', '.PEEK', '.SIZE', 'FETCH', 'fetch',
  'HEADER.FIELDS (FROM)', 'MIME', 'X', '\xe9', '\x00', '\xdf', '"',
);

// Whole FETCH responses: what the framer streams and what the grammar reads agree, item by item.
const attributes = fc.constantFrom('UID 9', 'FLAGS (\\Seen)', 'RFC822.SIZE 5', 'INTERNALDATE "17-Jul-1996 02:44:25 -0700"', 'BODY[1] NIL', 'MODSEQ (7)');
const fetchItems = fc.oneof(
  fc.tuple(names.filter((name) => name.text !== 'XBODY' && name.text !== 'BINARY.SIZE'), sections.filter((section) => /^[\x20-\x7e]*$/.test(section)), origins).map(
    ([name, section, origin]) => ({
      text: `${name.text}[${section}]${origin === null ? '' : `<${origin}>`}`,
      section: { section: section.toUpperCase(), binary: name.binary, origin },
      streamed: name.streamed,
    }),
  ),
  bareNames.filter((name) => name.streamed).map((name) => ({ text: name.text, section: { section: name.text.toUpperCase(), binary: false, origin: null }, streamed: true })),
);

test('property: the framer and the FETCH grammar read the same body section', () => {
  const counts = { runs: 0, streamed: 0 };
  fc.assert(
    fc.property(fc.array(attributes, { maxLength: 3 }), fetchItems, fc.constantFrom(' ', '  '), fc.constantFrom('{5}', '{5+}', '~{5}'), (before, item, gap, marker) => {
      const events: ParserEvent[] = [];
      const parser = createResponseParser((event) => events.push(event));
      parser.push(bytes(`* 3 FETCH (${[...before, item.text].join(' ')}${gap}${marker}\r\nzzzzz)\r\n`));
      parser.end();
      const start = events.find((event) => event.type === 'body-start');
      const response = events.find((event) => event.type === 'response');
      assert.ok(response?.type === 'response' && response.response.type === 'untagged' && response.response.data.type === 'fetch', `no FETCH response: ${events.map((event) => event.type).join(', ')}`);
      const sections = response.response.data.attributes.bodySections ?? [];
      const last = sections[sections.length - 1];
      counts.runs++;
      if (item.streamed) {
        counts.streamed++;
        assert.deepEqual(start, { type: 'body-start', seq: 3, ...item.section, size: 5 });
        assert.deepEqual(last, { ...item.section, size: 5, streamed: true });
      } else {
        assert.equal(start, undefined);
        assert.deepEqual(last, { ...item.section, value: bytes('zzzzz'), streamed: false });
      }
    }),
    propertyParameters(RUNS),
  );
  assert.ok(counts.streamed > 0 && counts.streamed < counts.runs);
});

test('property: arbitrary pieces never throw, and what is found reads back as that item', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40, size: 'max' }), fc.constantFrom(' {5}', '{5}', ' ~{12+}', '  {0}', ' {}', ' {x}'), (pieces, marker) => {
      const segment = bytes(pieces.join('') + marker);
      fetchSequenceOf(segment);
      const item = itemOf(segment);
      if (item === null) return;
      // The text before the marker ends with the item, spelled in any case.
      const before = latin1.decode(segment.subarray(0, (literalMarkerAtEnd(segment) as { start: number }).start)).trimEnd().toUpperCase();
      const origin = item.origin === null ? '' : /<\d+>$/.exec(before)?.[0] ?? '<missing>';
      if (item.origin !== null) assert.equal(Number(origin.slice(1, -1)), item.origin);
      const spelled = item.section.startsWith('RFC822') ? item.section : `${item.binary ? 'BINARY' : 'BODY'}[${item.section}]${origin}`;
      assert.ok(before.endsWith(spelled), `${JSON.stringify(before)} ends with ${JSON.stringify(spelled)}`);
    }),
    propertyParameters(RUNS),
  );
});
