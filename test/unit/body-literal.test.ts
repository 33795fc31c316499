/**
 * The byte scanners that tell the framer which FETCH literals to stream agree with the regular
 * expressions they replaced (kept here as the oracle), on examples and on generated segments
 * made of the pieces those expressions care about.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { BODY_ITEM_WINDOW, bodyItemBeforeLiteral, FETCH_HEAD_WINDOW, fetchSequenceOf, type BodyItem } from '../../src/imap/wire/body-literal.js';

const RUNS = propertyRuns(5, 200);

const latin1 = new TextDecoder('latin1');
const FETCH_HEAD = /^\*\s+(\d+)\s+FETCH\s/i;
const BODY_ITEM_BEFORE_LITERAL =
  /(?:^|[\s(])(BODY|BINARY)\[([^\]]*)\](?:<(\d+)>)?\s*~?\{\d+\+?\}$|(?:^|[\s(])(RFC822(?:\.HEADER|\.TEXT)?)\s*~?\{\d+\+?\}$/i;

function oracleSequence(segment: Uint8Array): number | null {
  const match = FETCH_HEAD.exec(latin1.decode(segment.subarray(0, Math.min(segment.length, FETCH_HEAD_WINDOW))));
  return match ? Number(match[1]) : null;
}

function oracleItem(segment: Uint8Array): BodyItem | null {
  const match = BODY_ITEM_BEFORE_LITERAL.exec(latin1.decode(segment.subarray(Math.max(0, segment.length - BODY_ITEM_WINDOW))));
  if (!match) return null;
  if (match[4] !== undefined) return { section: match[4].toUpperCase(), binary: false, origin: null };
  return {
    section: (match[2] ?? '').toUpperCase(),
    binary: (match[1] ?? '').toUpperCase() === 'BINARY',
    origin: match[3] === undefined ? null : Number(match[3]),
  };
}

const bytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

test('examples: which literal is a streamed body item', () => {
  const cases: Array<[string, BodyItem | null]> = [
    ['* 1 FETCH (UID 5 BODY[] {120}', { section: '', binary: false, origin: null }],
    ['* 1 FETCH (UID 5 body[1.2.mime]<100> {12+}', { section: '1.2.MIME', binary: false, origin: 100 }],
    ['* 1 FETCH (BINARY[2] ~{7}', { section: '2', binary: true, origin: null }],
    ['* 1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {40}', { section: 'HEADER.FIELDS (FROM TO)', binary: false, origin: null }],
    ['* 1 FETCH (RFC822.HEADER {40}', { section: 'RFC822.HEADER', binary: false, origin: null }],
    ['* 1 FETCH (rfc822 {40}', { section: 'RFC822', binary: false, origin: null }],
    ['* 1 FETCH (ENVELOPE ("date" {40}', null],
    ['* 1 FETCH (XBODY[] {4}', null],
    ['* 1 FETCH (BODY.PEEK[] {4}', null],
    ['* 1 FETCH (BODY[] {}', null],
    ['* 1 FETCH (BODY[]] {4}', null],
  ];
  for (const [line, expected] of cases) {
    assert.deepEqual(bodyItemBeforeLiteral(bytes(line)), expected, line);
    assert.deepEqual(oracleItem(bytes(line)), expected, `oracle: ${line}`);
  }
  assert.equal(fetchSequenceOf(bytes('* 42 FETCH (UID 1)')), 42);
  assert.equal(fetchSequenceOf(bytes('*  7\tfetch (')), 7);
  assert.equal(fetchSequenceOf(bytes('* 42 FETCHX')), null);
  assert.equal(fetchSequenceOf(bytes('* OK 42 FETCH ')), null);
});

// Pieces that make the expressions match, almost match, or fail in every place.
const piece = fc.constantFrom(
  '*', ' ', '  ', '\t', '\xa0', '(', ')', '[', ']', '<', '>', '{', '}', '+', '~', '.', '0', '7', '42', '123456',
  'BODY', 'body', 'Body', 'BINARY', 'binary', 'RFC822', 'rfc822', '.HEADER', '.TEXT', '.text', 'FETCH', 'fetch',
  'HEADER.FIELDS (FROM)', 'MIME', 'X', 'é', '\x00', 'ß',
);
const segmentArb = fc.array(piece, { maxLength: 40, size: 'max' }).map((pieces) => bytes(pieces.join('')));
const withMarker = fc
  .tuple(fc.array(piece, { maxLength: 30, size: 'max' }), fc.constantFrom(' {5}', '{5}', ' ~{12+}', '  {0}', ' {}', ' {5+}', '~{5}', ' {x}'))
  .map(([pieces, marker]) => bytes(pieces.join('') + marker));
const longSegment = fc
  .tuple(fc.integer({ min: BODY_ITEM_WINDOW - 12, max: BODY_ITEM_WINDOW + 12 }), fc.array(piece, { maxLength: 12 }))
  .map(([pad, pieces]) => bytes('A'.repeat(pad) + pieces.join('') + ' {9}'));

// Well-formed heads and body items, sometimes with a piece inserted or a character dropped.
const nearMiss = (arb: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: arb },
    { weight: 1, arbitrary: fc.tuple(arb, piece, fc.nat()).map(([text, extra, at]) => text.slice(0, at % (text.length + 1)) + extra + text.slice(at % (text.length + 1))) },
    { weight: 1, arbitrary: fc.tuple(arb, fc.nat()).map(([text, at]) => text.slice(0, at % (text.length + 1)) + text.slice((at % (text.length + 1)) + 1)) },
  );
const spaces = fc.constantFrom(' ', '  ', '\t', '\xa0', '');
const marker = fc.constantFrom('{5}', '{5+}', '~{12}', '{0}', '{99999}');
const head = nearMiss(
  fc
    .tuple(spaces, fc.stringMatching(/^\d{1,18}$/), spaces, fc.constantFrom('FETCH', 'fetch', 'FeTcH'), spaces)
    .map(([a, seq, b, fetch, c]) => `*${a}${seq}${b}${fetch}${c}(UID 5 `),
);
const bodyItem = nearMiss(
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom('BODY', 'body', 'BINARY', 'Binary'),
        fc.constantFrom('', '1.2', 'HEADER', 'TEXT', '1.MIME', 'header.fields (from to)', 'x[y', 'ß'),
        fc.constantFrom('', '<0>', '<123>'),
        spaces,
        marker,
      )
      .map(([name, section, origin, gap, literal]) => `${name}[${section}]${origin}${gap}${literal}`),
    fc.tuple(fc.constantFrom('RFC822', 'rfc822.header', 'RFC822.TEXT'), spaces, marker).map((parts) => parts.join('')),
  ),
);
const fetchLine = fc
  .tuple(head, fc.array(piece, { maxLength: 3 }), fc.constantFrom(' ', '('), bodyItem)
  .map(([h, middle, gap, item]) => bytes(h + middle.join('') + gap + item));

test('property: the scanners agree with the regular expressions they replace', () => {
  const matched = { runs: 0, items: 0, heads: 0 };
  fc.assert(
    fc.property(fc.oneof(segmentArb, withMarker, longSegment, fetchLine, fetchLine), (segment) => {
      const item = bodyItemBeforeLiteral(segment);
      const seq = fetchSequenceOf(segment);
      assert.deepEqual(item, oracleItem(segment));
      assert.equal(seq, oracleSequence(segment));
      if (item !== null) matched.items++;
      if (seq !== null) matched.heads++;
      matched.runs++;
    }),
    propertyParameters(RUNS),
  );
  // Not vacuous: a good share of the generated segments are body items and FETCH heads.
  console.log(`body-literal scanners: ${matched.runs} segments, ${matched.items} body items, ${matched.heads} FETCH heads`);
  assert.ok(matched.items > matched.runs / 20 && matched.heads > matched.runs / 20);
});
