/**
 * A cursor over one framed response (segments and literals) with the token readers the grammar
 * needs: atoms, numbers, quoted strings, literals, nstrings, parenthesised lists and generic
 * values. Reading past what the response holds throws `GrammarError`, which the parser turns into
 * one error event for that response.
 *
 * Tolerated quirks: numbers such as `9.3736e+06`, unescaped `"` inside quoted strings when the
 * next byte cannot end the string, NIL where a list or string is expected, and extra spaces.
 */

import type { Frame } from './framer.js';
import { literalMarkerAtEnd } from './literal-marker.js';
import type { ParserLimits } from './types.js';

/** Malformed input inside one response. Thrown and caught within the parser, possibly once per
 * response of a hostile stream, so it skips the stack trace (most of the cost of an Error). */
export class GrammarError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** A generic IMAP value: NIL, an atom/number/string (as text), a literal's bytes, or a list. */
export type WireValue = null | string | Uint8Array | StreamedMarker | WireValue[];
/** In place of a literal the framer streamed as body events: only its size. */
export interface StreamedMarker {
  streamed: true;
  size: number;
}

export function isStreamedMarker(value: unknown): value is StreamedMarker {
  return typeof value === 'object' && value !== null && (value as StreamedMarker).streamed === true;
}

const SP = 0x20;
const LPAREN = 0x28;
const RPAREN = 0x29;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Decodes bytes as UTF-8 (or with `decoder`) with a fast path for short ASCII. */
export function decodeText(bytes: Uint8Array, start = 0, end = bytes.length, decoder: { decode(bytes: Uint8Array): string } = utf8): string {
  if (end - start < 64) {
    let text = '';
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/**
 * Words that responses repeat in every line (FETCH item names, status words, system flags).
 * When an atom's bytes are exactly one of these, readAtom returns the constant instead of
 * building a new string — a good share of the per-response cost of a large FETCH otherwise.
 */
const FREQUENT_WORDS = [
  'FETCH', 'UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'MODSEQ', 'BODY[]', 'BODY[HEADER]', 'BODY', 'BODYSTRUCTURE',
  'ENVELOPE', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT', 'BINARY[]', 'X-GM-MSGID', 'X-GM-THRID', 'X-GM-LABELS',
  'EMAILID', 'THREADID', 'EXISTS', 'RECENT', 'EXPUNGE', 'VANISHED', 'OK', 'NO', 'BAD', 'BYE', 'NIL',
  '\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent', '$Forwarded', '$Junk', '$NotJunk',
];
const MAX_FREQUENT_LENGTH = 16;
const frequentByLength: Array<Array<{ bytes: Uint8Array; word: string }>> = Array.from({ length: MAX_FREQUENT_LENGTH + 1 }, () => []);
for (const word of FREQUENT_WORDS) {
  frequentByLength[word.length]?.push({ bytes: Uint8Array.from(word, (c) => c.charCodeAt(0)), word });
}

/** The constant for `seg[start..end)` when it is a frequent word, spelled exactly so. */
function frequentWord(seg: Uint8Array, start: number, end: number): string | null {
  const length = end - start;
  if (length > MAX_FREQUENT_LENGTH) return null;
  const candidates = frequentByLength[length] as Array<{ bytes: Uint8Array; word: string }>;
  outer: for (const candidate of candidates) {
    const bytes = candidate.bytes;
    for (let i = 0; i < length; i++) if (bytes[i] !== seg[start + i]) continue outer;
    return candidate.word;
  }
  return null;
}

export class ResponseReader {
  private segmentIndex = 0;
  private segment: Uint8Array;
  pos = 0;
  private markerStart: number;
  private tokens = 0;
  private depth = 0;
  private atomStart = 0;
  private atomEnd = 0;

  constructor(
    private readonly frame: Frame,
    private readonly limits: ParserLimits,
  ) {
    this.segment = frame.segments[0] ?? new Uint8Array(0);
    this.markerStart = this.findMarker();
  }

  /** Where the literal marker that ends the current segment starts; -1 on the last segment. */
  private findMarker(): number {
    if (this.segmentIndex >= this.frame.literals.length) return -1;
    return literalMarkerAtEnd(this.segment)?.start ?? -1;
  }

  private count(): void {
    if (++this.tokens > this.limits.maxTokens) throw new GrammarError('response has more tokens than maxTokens');
  }

  /** Next byte, -1 at the end of the response, 256 at a literal. */
  peek(): number {
    if (this.pos === this.markerStart) return 256;
    if (this.pos >= this.segment.length) return -1;
    return this.segment[this.pos] as number;
  }

  atEnd(): boolean {
    this.skipSpaces();
    return this.peek() === -1;
  }

  skipSpaces(): void {
    while (this.pos !== this.markerStart && this.segment[this.pos] === SP) this.pos++;
  }

  expect(byte: number): void {
    this.skipSpaces();
    if (this.peek() !== byte) throw new GrammarError(`expected '${String.fromCharCode(byte)}' at ${this.pos}`);
    this.pos++;
  }

  /** Consumes `byte` when it is next (after spaces). */
  accept(byte: number): boolean {
    this.skipSpaces();
    if (this.peek() === byte) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** The literal at the cursor: its bytes, or a marker when it was streamed. The cursor moves
   * to the start of the next segment. */
  private readLiteral(): Uint8Array | StreamedMarker {
    const literal = this.frame.literals[this.segmentIndex];
    if (!literal) throw new GrammarError('literal missing');
    this.segmentIndex++;
    this.segment = this.frame.segments[this.segmentIndex] ?? new Uint8Array(0);
    this.pos = 0;
    this.markerStart = this.findMarker();
    this.count();
    return literal.kind === 'buffered' ? literal.bytes : { streamed: true, size: literal.size };
  }

  /** Reads an atom-like token: stops at SP, parens, quotes, `{` of a literal, or end. `]` stops
   * it too unless `allowBracket` (mailbox names and flags such as `[Gmail]`). */
  readAtom(allowBracket = false): string {
    this.skipSpaces();
    const start = this.pos;
    const seg = this.segment;
    const limit = this.markerStart >= 0 ? this.markerStart : seg.length;
    let i = start;
    while (i < limit) {
      const byte = seg[i] as number;
      if (byte === SP || byte === LPAREN || byte === RPAREN || byte === DQUOTE) break;
      if (byte === RBRACKET && !allowBracket) break;
      if (byte === 0x5b /* [ */ && !allowBracket) {
        // BODY[...] style: include the bracketed part.
        const close = seg.indexOf(RBRACKET, i);
        if (close < 0 || close >= limit) break;
        i = close + 1;
        continue;
      }
      i++;
    }
    if (i === start) throw new GrammarError(`expected an atom at ${start}`);
    this.pos = i;
    this.atomStart = start;
    this.atomEnd = i;
    this.count();
    return frequentWord(seg, start, i) ?? decodeText(seg, start, i);
  }

  /** `read` applied to the bytes of the atom readAtom returned last (before any literal since). */
  readLastAtom<T>(read: (bytes: Uint8Array, start: number, end: number) => T): T {
    return read(this.segment, this.atomStart, this.atomEnd);
  }

  /** A plain run of 1–15 digits at the cursor followed by a space, `)`, `]` or the end: its
   * value, consumed. Otherwise -1 and nothing consumed (also for a leading zero when asked). */
  private takePlainNumber(allowLeadingZero: boolean): number {
    const seg = this.segment;
    const limit = this.markerStart >= 0 ? this.markerStart : seg.length;
    let i = this.pos;
    let value = 0;
    while (i < limit) {
      const byte = seg[i] as number;
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
      i++;
    }
    const next = i < limit ? (seg[i] as number) : -1;
    if (i === this.pos || i - this.pos >= 16 || !(next === -1 || next === SP || next === RPAREN || next === RBRACKET)) return -1;
    if (!allowLeadingZero && seg[this.pos] === 0x30 && i - this.pos > 1) return -1;
    this.pos = i;
    this.count();
    return value;
  }

  /** A plain number without a leading zero (e.g. the `<n>` of `* <n> FETCH`), or -1 with
   * nothing consumed. */
  readDigitsIfNumber(): number {
    this.skipSpaces();
    return this.takePlainNumber(false);
  }

  /** Reads a number; tolerates decimal/exponent forms (rounded) and `-1` (as written). */
  readNumber(): number {
    // Fast path: plain digits straight from the bytes.
    this.skipSpaces();
    const plain = this.takePlainNumber(true);
    if (plain >= 0) return plain;
    const atom = this.readAtom();
    if (/^\d+$/.test(atom)) return Number(atom);
    const value = Number(atom);
    if (!Number.isFinite(value)) throw new GrammarError(`expected a number, got '${atom.slice(0, 20)}'`);
    return Math.round(value);
  }

  readBigInt(): bigint {
    const atom = this.readAtom();
    if (/^-?\d+$/.test(atom)) return BigInt(atom);
    const value = Number(atom);
    if (!Number.isFinite(value)) throw new GrammarError(`expected a number, got '${atom.slice(0, 20)}'`);
    return BigInt(Math.round(value));
  }

  /** A quoted string, unescaped and decoded; the cursor is at its opening quote. */
  private readQuoted(): string {
    const seg = this.segment;
    const limit = this.markerStart >= 0 ? this.markerStart : seg.length;
    let i = this.pos + 1;
    let hasEscape = false;
    for (;;) {
      if (i >= limit) throw new GrammarError('unterminated quoted string');
      const byte = seg[i] as number;
      if (byte === BACKSLASH && i + 1 < limit) {
        hasEscape = true;
        i += 2;
        continue;
      }
      if (byte === DQUOTE) {
        const next = i + 1 < limit ? (seg[i + 1] as number) : -1;
        // An unescaped quote inside the string (server bug) cannot be followed by a byte that
        // continues the value; only SP, ')', ']' or the end may follow a closing quote.
        if (next === -1 || next === SP || next === RPAREN || next === RBRACKET || i + 1 === limit) break;
      }
      i++;
    }
    const start = this.pos + 1;
    this.pos = i + 1;
    this.count();
    if (!hasEscape) return decodeText(seg, start, i);
    const out: number[] = [];
    for (let j = start; j < i; j++) {
      const byte = seg[j] as number;
      if (byte === BACKSLASH && j + 1 < i) {
        out.push(seg[++j] as number);
      } else out.push(byte);
    }
    return decodeText(Uint8Array.from(out));
  }

  /** string / nstring / astring as text (NIL → null). */
  readNString(): string | null {
    this.skipSpaces();
    const byte = this.peek();
    if (byte === DQUOTE) return this.readQuoted();
    if (byte === 256) {
      const literal = this.readLiteral();
      return literal instanceof Uint8Array ? decodeText(literal) : '';
    }
    const atom = this.readAtom(true);
    if (atom.toUpperCase() === 'NIL') return null;
    return atom;
  }

  readAString(): string {
    const value = this.readNString();
    return value ?? 'NIL';
  }

  /** nstring as raw bytes (body sections); a streamed literal yields its marker. */
  readNBytes(): Uint8Array | StreamedMarker | null {
    this.skipSpaces();
    const byte = this.peek();
    if (byte === 256) return this.readLiteral();
    if (byte === DQUOTE) return utf8Encoder.encode(this.readQuoted());
    const atom = this.readAtom();
    if (atom.toUpperCase() === 'NIL') return null;
    throw new GrammarError('expected a string');
  }

  /** Reads `( item item ... )` calling `item` for each; NIL yields null. */
  readList<T>(item: () => T): T[] | null {
    this.skipSpaces();
    if (this.peek() !== LPAREN) {
      const atom = this.readAtom();
      if (atom.toUpperCase() === 'NIL') return null;
      throw new GrammarError(`expected a list at ${this.pos}`);
    }
    this.pos++;
    if (++this.depth > this.limits.maxDepth) throw new GrammarError('nesting deeper than maxDepth');
    const items: T[] = [];
    for (;;) {
      this.skipSpaces();
      const byte = this.peek();
      if (byte === RPAREN) {
        this.pos++;
        break;
      }
      if (byte === -1) throw new GrammarError('unterminated list');
      items.push(item());
    }
    this.depth--;
    this.count();
    return items;
  }

  /** Any value: list, string, literal, NIL, number or atom. */
  readValue(): WireValue {
    this.skipSpaces();
    const byte = this.peek();
    if (byte === LPAREN) return this.readList(() => this.readValue()) ?? [];
    if (byte === DQUOTE) return this.readQuoted();
    if (byte === 256) return this.readLiteral();
    if (byte === -1) throw new GrammarError('value expected');
    const atom = this.readAtom();
    return atom.toUpperCase() === 'NIL' ? null : atom;
  }

  /** The rest of the current segment as text (resp-text), trimmed of surrounding spaces. */
  readRestText(): string {
    this.skipSpaces();
    const seg = this.segment;
    const text = decodeText(seg, this.pos, seg.length);
    this.pos = seg.length;
    return text.trimEnd();
  }

  /** Raw text up to the matching `]` (for response codes and section specs), bracket-balanced. */
  readUntilBracket(): string {
    const seg = this.segment;
    let depth = 0;
    let i = this.pos;
    for (; i < seg.length; i++) {
      const byte = seg[i];
      if (byte === 0x5b) depth++;
      else if (byte === RBRACKET) {
        if (depth === 0) break;
        depth--;
      }
    }
    if (i >= seg.length) throw new GrammarError('missing ]');
    const text = decodeText(seg, this.pos, i);
    this.pos = i;
    return text;
  }
}
