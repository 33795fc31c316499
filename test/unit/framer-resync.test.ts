/**
 * Resynchronisation after a limit error: the framer skips exactly to the end of the offending
 * response, literals included, so bytes inside a literal are never read as responses (an
 * `A7 OK` inside a literal must not complete command A7). Checked with the input in one chunk
 * and byte by byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResponseParser } from '../../src/imap/wire/parser.js';
import type { ParserEvent, ParserLimits } from '../../src/imap/wire/types.js';

const enc = new TextEncoder();

function parse(input: string, limits: Partial<ParserLimits>, byteByByte: boolean): ParserEvent[] {
  const events: ParserEvent[] = [];
  const parser = createResponseParser((event) => events.push(event), { limits });
  const bytes = enc.encode(input);
  if (byteByByte) for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
  else parser.push(bytes);
  parser.end();
  return events;
}

function tagged(events: ParserEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === 'response' && event.response.type === 'tagged' ? [`${event.response.tag} ${event.response.condition} ${event.response.text.text}`] : [],
  );
}

const cases: Array<{ name: string; input: string; limits: Partial<ParserLimits> }> = [
  {
    name: 'an over-long line that ends with a literal marker',
    input: `* OK ${'x'.repeat(200)} {14}\r\nA7 OK inside\r\n)\r\nA7 OK real\r\n`,
    limits: { maxLineLength: 64 },
  },
  {
    name: 'an over-long line with a non-synchronising literal {n+}',
    input: `* 1 FETCH (X ${'x'.repeat(200)} {14+}\r\nA7 OK inside\r\n)\r\nA7 OK real\r\n`,
    limits: { maxLineLength: 64 },
  },
  {
    name: 'a literal over maxLiteralSize followed by another literal on the same response',
    input: `* 1 FETCH (X {60}\r\n${'y'.repeat(60)} Y {14}\r\nA7 OK inside\r\n)\r\nA7 OK real\r\n`,
    limits: { maxLiteralSize: 50 },
  },
  {
    name: 'a frame that outgrows maxLineLength across literals, ending in another literal',
    input: `* 1 FETCH (A {30}\r\n${'a'.repeat(30)} B {30}\r\n${'b'.repeat(30)} C ${'c'.repeat(40)} {14}\r\nA7 OK inside\r\n)\r\nA7 OK real\r\n`,
    limits: { maxLineLength: 100 },
  },
  {
    name: 'a streamed body literal over maxStreamedLiteralSize followed by a literal',
    input: `* 1 FETCH (BODY[] {60}\r\n${'z'.repeat(60)} X {14}\r\nA7 OK inside\r\n)\r\nA7 OK real\r\n`,
    limits: { maxStreamedLiteralSize: 50 },
  },
];

describe('framer: resynchronisation after a limit error honours literals', () => {
  for (const { name, input, limits } of cases) {
    for (const byteByByte of [false, true]) {
      test(`${name}${byteByByte ? ' (byte by byte)' : ''}`, () => {
        const events = parse(input, limits, byteByByte);
        assert.ok(events.some((event) => event.type === 'error' && event.error.code === 'LIMIT'), 'a LIMIT error is reported');
        assert.deepEqual(tagged(events), ['A7 OK real']);
      });
    }
  }

  test('parsing continues normally after the skipped response', () => {
    const events = parse(`* OK ${'x'.repeat(200)}\r\n* 3 EXISTS\r\nA1 OK done\r\n`, { maxLineLength: 64 }, false);
    assert.ok(events.some((event) => event.type === 'response' && event.response.type === 'untagged' && event.response.data.type === 'exists'));
    assert.deepEqual(tagged(events), ['A1 OK done']);
  });
});
