/**
 * The framer: first stage of parsing (imap-codec's "fragmentizer"). It cuts the incoming byte
 * stream into responses — line segments and the literals announced by their markers
 * (literal-marker.ts) — for ANY chunking of the input, without interpreting the grammar.
 * Body-section literals of FETCH responses (recognised by body-literal.ts) are streamed to the
 * consumer as they arrive (never buffered); other literals are buffered up to a limit. Limits are
 * enforced before anything of the announced size is allocated, and after a limit error the rest
 * of the offending response, its literals included, is skipped exactly.
 *
 * A response frame is `segments[0] literal[0] segments[1] literal[1] ... segments[k]`, where each
 * segment is the line text up to (not including) CRLF, and segments[i] for i < k ends with the
 * literal marker that announced literal[i].
 */

import { concatBytes } from '../../bytes.js';
import { bodyItemBeforeLiteral, fetchSequenceOf } from './body-literal.js';
import type { SectionItem } from './grammar/section-item.js';
import { LONGEST_LITERAL_MARKER, literalMarkerAtEnd } from './literal-marker.js';
import type { ParserLimits } from './types.js';

export type FrameLiteral =
  | { kind: 'buffered'; bytes: Uint8Array }
  | { kind: 'streamed'; size: number };

export interface Frame {
  segments: Uint8Array[];
  literals: FrameLiteral[];
}

/** A streamed body literal: its FETCH's sequence number and the body item it belongs to. */
export interface BodyLiteralInfo extends Pick<SectionItem, 'section' | 'binary' | 'origin'> {
  seq: number;
}

export interface FramerSink {
  frame(frame: Frame): void;
  /** A frame could not be completed within the limits; `head` is its first segment. */
  frameError(message: string, head: Uint8Array | null, limit: boolean): void;
  bodyStart(info: BodyLiteralInfo, size: number): void;
  bodyChunk(seq: number, data: Uint8Array): void;
  bodyEnd(seq: number): void;
}

const LF = 0x0a;
const CR = 0x0d;

type Mode =
  | { kind: 'line' }
  | { kind: 'literal'; remaining: number; parts: Uint8Array[]; size: number }
  | { kind: 'stream'; remaining: number; seq: number; size: number }
  | { kind: 'skip-literal'; remaining: number }
  // `tail`: the last bytes of the skipped line so far, to spot a literal marker at its end.
  | { kind: 'skip-line'; tail: Uint8Array };

/** Bytes of a skipped line kept to spot a literal marker at its end: the marker and its CR. */
const MARKER_TAIL = LONGEST_LITERAL_MARKER + 1;

/** The last MARKER_TAIL bytes of `before` followed by `next`. */
function keepTail(before: Uint8Array, next: Uint8Array): Uint8Array {
  if (next.length >= MARKER_TAIL) return next.subarray(next.length - MARKER_TAIL);
  const keep = Math.min(before.length, MARKER_TAIL - next.length);
  const out = new Uint8Array(keep + next.length);
  out.set(before.subarray(before.length - keep), 0);
  out.set(next, keep);
  return out;
}

/** Size announced by a literal marker at the end of a (skipped) line's tail, or -1. */
function literalAtEndOfTail(tail: Uint8Array): number {
  const end = tail.length > 0 && tail[tail.length - 1] === CR ? tail.length - 1 : tail.length;
  return literalMarkerAtEnd(tail.subarray(0, end))?.size ?? -1;
}

export function createFramer(sink: FramerSink, limits: ParserLimits, streamBodies: boolean) {
  let mode: Mode = { kind: 'line' };
  // Bytes of the current line segment received so far (across chunks).
  let lineParts: Uint8Array[] = [];
  let lineLength = 0;
  let frame: Frame = { segments: [], literals: [] };
  let frameBytes = 0;
  let fetchSeq: number | null = null; // sequence number when the current frame is a FETCH

  const resetFrame = (): void => {
    frame = { segments: [], literals: [] };
    frameBytes = 0;
    fetchSeq = null;
  };

  /** The last bytes of the line collected so far (for a literal marker at its end). */
  const lineTail = (): Uint8Array => {
    let tail: Uint8Array = new Uint8Array(0);
    for (let i = Math.max(0, lineParts.length - MARKER_TAIL); i < lineParts.length; i++) tail = keepTail(tail, lineParts[i] as Uint8Array);
    return tail;
  };

  /** The line so far, ending with `last`, exceeds maxLineLength: reports it and drops the
   * response. Returns the line's last bytes, to spot a literal marker at its end. */
  const dropLongLine = (last: Uint8Array): Uint8Array => {
    sink.frameError('line exceeds maxLineLength', frame.segments[0] ?? last, true);
    const tail = keepTail(lineTail(), last);
    lineParts = [];
    lineLength = 0;
    resetFrame();
    return tail;
  };

  const takeLine = (tail: Uint8Array): Uint8Array => {
    let line: Uint8Array;
    if (lineParts.length === 0) line = tail;
    else {
      line = new Uint8Array(lineLength + tail.length);
      let offset = 0;
      for (const part of lineParts) {
        line.set(part, offset);
        offset += part.length;
      }
      line.set(tail, offset);
    }
    lineParts = [];
    lineLength = 0;
    // Strip CR (bare LF is accepted) and, on the first segment, leading NUL bytes.
    let end = line.length;
    if (end > 0 && line[end - 1] === CR) end--;
    let start = 0;
    if (frame.segments.length === 0) while (start < end && line[start] === 0) start++;
    return start === 0 && end === line.length ? line : line.subarray(start, end);
  };

  const bodyInfoFor = (segment: Uint8Array, markerStart: number): BodyLiteralInfo | null => {
    if (!streamBodies) return null;
    if (frame.segments.length === 0) fetchSeq = fetchSequenceOf(segment);
    if (fetchSeq === null) return null;
    const item = bodyItemBeforeLiteral(segment, markerStart);
    return item === null ? null : { seq: fetchSeq, section: item.section, binary: item.binary, origin: item.origin };
  };

  const endOfSegment = (segment: Uint8Array): void => {
    const marker = literalMarkerAtEnd(segment);
    if (marker === null) {
      frame.segments.push(segment);
      const done = frame;
      resetFrame();
      sink.frame(done);
      return;
    }
    const size = marker.size;
    const info = bodyInfoFor(segment, marker.start);
    frame.segments.push(segment);
    if (info !== null) {
      if (size > limits.maxStreamedLiteralSize) {
        sink.frameError(`literal of ${size} bytes exceeds maxStreamedLiteralSize`, frame.segments[0] ?? null, true);
        resetFrame();
        mode = size === 0 ? { kind: 'skip-line', tail: new Uint8Array(0) } : { kind: 'skip-literal', remaining: size };
        return;
      }
      sink.bodyStart(info, size);
      frame.literals.push({ kind: 'streamed', size });
      if (size === 0) {
        sink.bodyEnd(info.seq);
        mode = { kind: 'line' };
      } else mode = { kind: 'stream', remaining: size, seq: info.seq, size };
      return;
    }
    if (size > limits.maxLiteralSize) {
      sink.frameError(`literal of ${size} bytes exceeds maxLiteralSize`, frame.segments[0] ?? null, true);
      resetFrame();
      mode = { kind: 'skip-literal', remaining: size };
      return;
    }
    frameBytes += size;
    if (size === 0) {
      frame.literals.push({ kind: 'buffered', bytes: new Uint8Array(0) });
      mode = { kind: 'line' };
    } else mode = { kind: 'literal', remaining: size, parts: [], size };
  };

  const push = (chunk: Uint8Array): void => {
    let offset = 0;
    while (offset < chunk.length) {
      switch (mode.kind) {
        case 'line': {
          const lf = chunk.indexOf(LF, offset);
          if (lf < 0) {
            const part = chunk.subarray(offset);
            lineLength += part.length;
            if (lineLength + frameBytes > limits.maxLineLength) mode = { kind: 'skip-line', tail: dropLongLine(part) };
            else lineParts.push(part);
            offset = chunk.length;
            break;
          }
          const tail = chunk.subarray(offset, lf);
          offset = lf + 1;
          if (lineLength + tail.length + frameBytes > limits.maxLineLength) {
            // The rest of the response is skipped exactly: a literal announced at the end of the
            // offending line is skipped too, never read as responses.
            const size = literalAtEndOfTail(dropLongLine(tail));
            if (size >= 0) mode = { kind: 'skip-literal', remaining: size };
            break;
          }
          frameBytes += tail.length;
          endOfSegment(takeLine(tail));
          break;
        }
        case 'literal': {
          const take = Math.min(mode.remaining, chunk.length - offset);
          mode.parts.push(chunk.subarray(offset, offset + take));
          mode.remaining -= take;
          offset += take;
          if (mode.remaining === 0) {
            const bytes = mode.parts.length === 1 ? (mode.parts[0] as Uint8Array).slice() : concatBytes(mode.parts, mode.size);
            frame.literals.push({ kind: 'buffered', bytes });
            mode = { kind: 'line' };
          }
          break;
        }
        case 'stream': {
          const take = Math.min(mode.remaining, chunk.length - offset);
          if (take > 0) sink.bodyChunk(mode.seq, chunk.subarray(offset, offset + take));
          mode.remaining -= take;
          offset += take;
          if (mode.remaining === 0) {
            sink.bodyEnd(mode.seq);
            mode = { kind: 'line' };
          }
          break;
        }
        case 'skip-literal': {
          const take = Math.min(mode.remaining, chunk.length - offset);
          mode.remaining -= take;
          offset += take;
          // After the literal the rest of the response's line is skipped too.
          if (mode.remaining === 0) mode = { kind: 'skip-line', tail: new Uint8Array(0) };
          break;
        }
        case 'skip-line': {
          const lf = chunk.indexOf(LF, offset);
          if (lf < 0) {
            mode.tail = keepTail(mode.tail, chunk.subarray(offset));
            offset = chunk.length;
          } else {
            // A line that ends with a literal marker continues after the literal.
            const size = literalAtEndOfTail(keepTail(mode.tail, chunk.subarray(offset, lf)));
            offset = lf + 1;
            mode = size >= 0 ? { kind: 'skip-literal', remaining: size } : { kind: 'line' };
          }
          break;
        }
      }
    }
  };

  /** End of input: true when the stream stopped cleanly between responses. */
  const end = (): boolean => {
    const clean = mode.kind === 'line' && lineLength === 0 && frame.segments.length === 0;
    if (!clean) sink.frameError('connection ended in the middle of a response', frame.segments[0] ?? lineParts[0] ?? null, false);
    mode = { kind: 'line' };
    lineParts = [];
    lineLength = 0;
    resetFrame();
    return clean;
  };

  /** True between responses: no partial line, frame or literal is pending. */
  const atBoundary = (): boolean => mode.kind === 'line' && lineLength === 0 && frame.segments.length === 0;

  return { push, end, atBoundary };
}
