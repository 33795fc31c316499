/**
 * Properties of the wire layer (fast-check):
 *  (a) any chunking of any response stream yields the same events as one chunk;
 *  (b) encode → parse round trip: strings sent by the encoder come back unchanged when a server
 *      echoes them in a LIST response, and encoded mailbox names decode to the original;
 *  (c) random and mutated bytes never throw out of the parser, never hang, and never produce a
 *      literal larger than the limits allow.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodeCommand, mailbox, str } from '../../src/imap/wire/encoder.js';
import { decodeMailboxName, encodeMailboxName, isModifiedUtf7 } from '../../src/imap/wire/mailbox-name.js';
import { createResponseParser } from '../../src/imap/wire/parser.js';
import type { ParserEvent } from '../../src/imap/wire/types.js';
import { propertyParameters, propertyRuns } from '../support/property-config.js';
import { CORPUS_BYTES } from '../support/wire-corpus.js';

const RUNS = propertyRuns();

function normalize(events: ParserEvent[]): unknown[] {
  // Merge consecutive body chunks (their split depends on chunking) and stringify bytes.
  const out: unknown[] = [];
  let pending: number[] | null = null;
  for (const event of events) {
    if (event.type === 'body-chunk') {
      pending ??= [];
      pending.push(...event.data);
      continue;
    }
    if (pending) {
      out.push({ type: 'body', data: pending.join(',') });
      pending = null;
    }
    out.push(JSON.parse(JSON.stringify(event, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v].join(',') : v))));
  }
  if (pending) out.push({ type: 'body', data: pending.join(',') });
  return out;
}

function run(chunks: Uint8Array[], options?: Parameters<typeof createResponseParser>[1]): ParserEvent[] {
  const events: ParserEvent[] = [];
  const parser = createResponseParser((event) => {
    events.push(event.type === 'body-chunk' ? { ...event, data: event.data.slice() } : event);
  }, options);
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(last, point));
    last = point;
  }
  chunks.push(bytes.subarray(last));
  return chunks;
}

const streamArb = fc
  .array(fc.integer({ min: 0, max: CORPUS_BYTES.length - 1 }), { minLength: 1, maxLength: 8 })
  .map((indexes) => {
    const parts = indexes.map((i) => CORPUS_BYTES[i] as Uint8Array);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  });

test('(a) any chunking yields identical events', () => {
  let runs = 0;
  let maxChunks = 0;
  fc.assert(
    fc.property(streamArb, fc.array(fc.nat(), { maxLength: 40, size: 'max' }), fc.boolean(), (bytes, cuts, streamBodies) => {
      runs++;
      maxChunks = Math.max(maxChunks, cuts.length + 1);
      const whole = normalize(run([bytes], { streamBodies }));
      const chunked = normalize(run(split(bytes, cuts), { streamBodies }));
      assert.deepEqual(chunked, whole);
    }),
    propertyParameters(RUNS),
  );
  assert.ok(maxChunks > 20, `the generator produced long cut lists (at most ${maxChunks} chunks)`);
  // Byte-by-byte for every corpus entry.
  for (const bytes of CORPUS_BYTES) {
    const single = [...bytes].map((b) => Uint8Array.of(b));
    assert.deepEqual(normalize(run(single)), normalize(run([bytes])));
  }
  console.log(`chunking property: ${runs} runs (up to ${maxChunks} chunks) + ${CORPUS_BYTES.length} byte-by-byte streams`);
});

test('(b) encoded strings and mailbox names round-trip through the parser', () => {
  let runs = 0;
  fc.assert(
    fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 60, size: 'max' }), fc.boolean(), (name, utf8Accept) => {
      runs++;
      const options = { literalPlus: true, literalMinus: false, utf8Accept };
      const parts = encodeCommand('a1', 'LIST', [str(''), mailbox(name)], options);
      const wire = new TextDecoder().decode(Uint8Array.from(parts.flatMap((p) => [...p.bytes])));
      // A server echoes the mailbox argument in its LIST response, in the same string form.
      const argument = wire.slice('a1 LIST "" '.length, -2).replace(/\{(\d+)\+\}\r\n/, '{$1}\r\n');
      const events = run([new TextEncoder().encode(`* LIST () "/" ${argument}\r\n`)]);
      assert.equal(events.length, 1);
      const event = events[0];
      assert.ok(event?.type === 'response' && event.response.type === 'untagged' && event.response.data.type === 'list');
      const echoed = event.response.data.mailbox;
      // The wire name passes through untouched: under UTF8=ACCEPT always, otherwise when it is
      // already valid modified UTF-7; anything else is a display name and is encoded.
      if (utf8Accept) assert.equal(echoed, name);
      else if (/^inbox$/i.test(name)) assert.equal(echoed, 'INBOX');
      else if (isModifiedUtf7(name)) assert.equal(echoed, name);
      else {
        assert.equal(echoed, encodeMailboxName(name));
        assert.equal(decodeMailboxName(echoed), name.normalize('NFC'));
      }
    }),
    propertyParameters(RUNS, {
      examples: [['inbox', false], ['InBoX', true], ['Entwürfe', false], ['Entwürfe', true], ['&', false], ['~peter/mail/台北/日本語', false], ['a"b\\c\r\nd', true]],
    }),
  );
  console.log(`round-trip property: ${runs} runs`);
});

test('(b2) a LIST wire name is sent back byte for byte; encoding a display name never double-encodes', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), (display) => {
      const wire = encodeMailboxName(display);
      if (/^inbox$/i.test(display)) return;
      assert.ok(isModifiedUtf7(wire), wire);
      const parts = encodeCommand('a1', 'SELECT', [mailbox(wire)], { literalPlus: true, literalMinus: false, utf8Accept: false });
      const sent = new TextDecoder().decode(Uint8Array.from(parts.flatMap((p) => [...p.bytes])));
      const events = run([new TextEncoder().encode(`* LIST () "/" ${sent.slice('a1 SELECT '.length, -2).replace(/\{(\d+)\+\}\r\n/, '{$1}\r\n')}\r\n`)]);
      const event = events[0];
      assert.ok(event?.type === 'response' && event.response.type === 'untagged' && event.response.data.type === 'list');
      assert.equal(event.response.data.mailbox, wire);
      assert.equal(decodeMailboxName(wire), display.normalize('NFC'));
    }),
    { numRuns: RUNS },
  );
});

function mutate(bytes: Uint8Array, edits: Array<{ at: number; op: number; value: number }>): Uint8Array {
  const out = [...bytes];
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.op === 0) out[at] = edit.value;
    else if (edit.op === 1) out.splice(at, 0, edit.value);
    else if (edit.op === 2) out.splice(at, 1);
    else out.splice(at, 0, ...new TextEncoder().encode(`{${edit.value * 997}}\r\n`));
  }
  return Uint8Array.from(out);
}

test('(c) random and mutated bytes never throw, hang or exceed limits', () => {
  let runs = 0;
  const limits = { maxLineLength: 4096, maxLiteralSize: 2048, maxStreamedLiteralSize: 100_000, maxDepth: 16, maxTokens: 5000 };
  const check = (chunks: Uint8Array[]): void => {
    runs++;
    const started = Date.now();
    const events = run(chunks, { limits });
    assert.ok(Date.now() - started < 2000, 'parser took too long');
    for (const event of events) {
      if (event.type === 'body-start') assert.ok(event.size <= limits.maxStreamedLiteralSize);
      if (event.type === 'error') assert.ok(event.error.code === 'PROTOCOL' || event.error.code === 'LIMIT');
    }
  };
  fc.assert(
    fc.property(
      streamArb,
      fc.array(fc.record({ at: fc.nat(), op: fc.integer({ min: 0, max: 3 }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 12, size: 'max' }),
      fc.array(fc.nat(), { maxLength: 10, size: 'max' }),
      (bytes, edits, cuts) => check(split(mutate(bytes, edits), cuts)),
    ),
    propertyParameters(RUNS * 2),
  );
  let longest = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600, size: 'max' }), fc.array(fc.nat(), { maxLength: 5, size: 'max' }), (bytes, cuts) => {
      longest = Math.max(longest, bytes.length);
      check(split(bytes, cuts));
    }),
    propertyParameters(RUNS),
  );
  assert.ok(longest > 300, `random inputs reached ${longest} bytes`);
  console.log(`robustness property: ${runs} inputs`);
});
