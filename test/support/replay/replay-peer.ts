/**
 * The server side of a transcript as a sans-I/O state machine: client bytes in, server bytes out.
 * Server records are played in order; at each client record the peer waits for the client's next
 * line and checks it: equal modulo tags (a recorded tag is mapped to the client's tag the first
 * time it is seen, and tagged server lines use the mapped tag), with `***` matching any text
 * (redacted credentials). Anything else is a mismatch, and the peer stops answering. Test-only.
 */

import type { Transcript, TranscriptRecord } from '../../../src/imap/transcript/index.js';
import { escapeBytes } from '../../../src/imap/transcript/index.js';

export interface ReplayPeer {
  /** Server bytes up to the first client record (the greeting). */
  start(): Uint8Array[];
  /** Takes client bytes; returns the server bytes they release. */
  receive(bytes: Uint8Array): Uint8Array[];
  /** The first mismatch, or null. */
  readonly mismatch: string | null;
  /** True when every record has been played or matched. */
  readonly finished: boolean;
  /** The next record, for error messages. */
  expecting(): string;
}

const latin1 = new TextDecoder('latin1');

function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

function firstToken(line: string): [string, string] {
  const space = line.indexOf(' ');
  return space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space)];
}

const TAG = /^[A-Za-z0-9.]+$/;

export function createReplayPeer(transcript: Transcript): ReplayPeer {
  const records = transcript.records;
  let index = 0;
  let buffer = '';
  let mismatch: string | null = null;
  const tagMap = new Map<string, string>();
  const usedTags = new Set<string>();

  const describe = (record: TranscriptRecord | undefined): string =>
    record ? `${record.from}: ${escapeBytes(record.bytes)}` : 'end of transcript';

  const serverBytes = (record: TranscriptRecord): Uint8Array => {
    const line = latin1.decode(record.bytes);
    const [token, rest] = firstToken(line);
    const mapped = tagMap.get(token);
    return mapped === undefined ? record.bytes : encodeLatin1(mapped + rest);
  };

  const playServer = (): Uint8Array[] => {
    const out: Uint8Array[] = [];
    while (index < records.length && (records[index] as TranscriptRecord).from === 'S') {
      out.push(serverBytes(records[index] as TranscriptRecord));
      index++;
    }
    return out;
  };

  const matches = (expected: string, actual: string): boolean => {
    const [recordedTag, recordedRest] = firstToken(expected);
    const [actualTag, actualRest] = firstToken(actual);
    const mapped = tagMap.get(recordedTag);
    const sameRest = (a: string, b: string): boolean => {
      if (!a.includes('***')) return a === b;
      const pattern = a
        .split('***')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.+?');
      return new RegExp(`^${pattern}$`, 's').test(b);
    };
    if (mapped !== undefined) return mapped === actualTag && sameRest(recordedRest, actualRest);
    if (sameRest(expected, actual)) return true;
    if (TAG.test(recordedTag) && TAG.test(actualTag) && !usedTags.has(actualTag) && recordedRest !== '' && sameRest(recordedRest, actualRest)) {
      tagMap.set(recordedTag, actualTag);
      usedTags.add(actualTag);
      return true;
    }
    return false;
  };

  return {
    start: playServer,
    receive(bytes) {
      if (mismatch !== null) return [];
      buffer += latin1.decode(bytes);
      const out: Uint8Array[] = [];
      for (;;) {
        const record = records[index];
        if (record === undefined) {
          if (buffer.length > 0) {
            mismatch = `the client sent ${JSON.stringify(buffer.slice(0, 200))} after the end of the transcript`;
            buffer = '';
          }
          break;
        }
        if (record.from === 'S') {
          out.push(...playServer());
          continue;
        }
        const expected = latin1.decode(record.bytes);
        let actual: string;
        if (record.partial) {
          if (buffer.length < expected.length) break;
          actual = buffer.slice(0, expected.length);
        } else {
          const end = buffer.indexOf('\r\n');
          if (end < 0) break;
          actual = buffer.slice(0, end + 2);
        }
        if (!matches(expected, actual)) {
          mismatch = `unexpected client line ${JSON.stringify(actual)}; expected ${describe(record)} (record ${index + 1})`;
          break;
        }
        buffer = buffer.slice(actual.length);
        index++;
      }
      return out;
    },
    get mismatch() {
      return mismatch;
    },
    get finished() {
      return index >= records.length;
    },
    expecting: () => describe(records[index]),
  };
}

/**
 * Offsets in the server's byte stream (all `S` records concatenated) where one complete
 * response ends and the next begins: after a line that does not announce a literal, and never
 * inside a literal.
 */
export function responseBoundaries(transcript: Transcript): number[] {
  const boundaries: number[] = [];
  let offset = 0;
  let literalLeft = 0;
  for (const record of transcript.records) {
    if (record.from !== 'S') continue;
    const bytes = record.bytes;
    let position = 0;
    while (position < bytes.length) {
      if (literalLeft > 0) {
        const take = Math.min(literalLeft, bytes.length - position);
        literalLeft -= take;
        position += take;
        continue;
      }
      // The rest of this record is line text up to its CRLF (records end at CRLF).
      const text = latin1.decode(bytes.subarray(position));
      const literal = /\{(\d+)\+?\}\r\n$/.exec(text);
      position = bytes.length;
      if (literal && !record.partial) literalLeft = Number(literal[1]);
      else if (!record.partial) boundaries.push(offset + position);
    }
    offset += bytes.length;
  }
  return boundaries;
}
