/**
 * Mutations of recorded server streams for the fuzzer: byte flips, inserts, deletes, range
 * duplication and splicing, "interesting" protocol tokens (literal headers with wrong or huge
 * sizes, unbalanced parens, NIL, quotes, CR/LF, huge numbers), and whole-record drops, copies
 * and swaps. Driven by a seeded PRNG so every input can be regenerated from (seed, index).
 * Test-only.
 */

import type { Transcript, TranscriptRecord } from '../../src/imap/transcript/index.js';

/** mulberry32: small, fast, seedable. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();
const TOKENS = [
  '{0}\r\n', '{5}\r\n', '{99999999999}\r\n', '{4294967296}\r\n', '{18446744073709551616}\r\n', '{-1}\r\n', '{3+}\r\n', '~{7}\r\n',
  '(', ')', '((((((((((((((((((((', '))))', '"', '\\', '\r\n', '\n', '\r', ' ', '  ', 'NIL', 'NIL NIL', '*', '+', '+ \r\n',
  '[', ']', '[ALERT]', '[UIDVALIDITY 0]', '[UIDNEXT 4294967296]', '[HIGHESTMODSEQ 18446744073709551616]', 'BODY[]', 'BODY[1.2.MIME]<0>',
  'UID 0', 'UID 4294967295', 'UID -3', 'MODSEQ (0)', 'RFC822.SIZE 9.3736e+06', 'FLAGS (\\Seen NIL \\\\Bad)', '\u0000', '\u00ff', 'é',
  '* BYE going away\r\n', '* 4294967296 EXISTS\r\n', '* 1 EXPUNGE\r\n', '* VANISHED (EARLIER) 1:*\r\n', '* 1 FETCH (UID 1 FLAGS ())\r\n',
  'A1 OK done\r\n', 'A999 NO [TRYCREATE] no\r\n', '* OK [CAPABILITY IMAP4rev1 QRESYNC CONDSTORE]\r\n', '* SEARCH 1 2 3 \r\n',
].map((token) => enc.encode(token));

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

/** One random edit of a byte string. */
export function mutateBytes(random: () => number, bytes: Uint8Array, donors: Uint8Array[]): Uint8Array {
  const at = Math.floor(random() * (bytes.length + 1));
  switch (Math.floor(random() * 8)) {
    case 0: {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      const i = Math.min(at, bytes.length - 1);
      out[i] = (out[i] as number) ^ (1 << Math.floor(random() * 8));
      return out;
    }
    case 1:
      return splice(bytes, at, 0, Uint8Array.of(Math.floor(random() * 256)));
    case 2:
      return splice(bytes, at, Math.min(bytes.length - at, 1 + Math.floor(random() * 16)), new Uint8Array(0));
    case 3:
    case 4:
      return splice(bytes, at, random() < 0.3 ? Math.min(bytes.length - at, Math.floor(random() * 8)) : 0, pick(random, TOKENS));
    case 5: {
      const from = Math.floor(random() * (bytes.length + 1));
      const length = Math.floor(random() * 64);
      return splice(bytes, at, 0, bytes.slice(from, from + length));
    }
    case 6: {
      const donor = pick(random, donors);
      const from = Math.floor(random() * (donor.length + 1));
      return splice(bytes, at, 0, donor.slice(from, from + Math.floor(random() * 200)));
    }
    default: {
      // Digits inside a number (often a literal size or UID) replaced by another number.
      const text = new TextDecoder('latin1').decode(bytes);
      const numbers = [...text.matchAll(/\d+/g)];
      if (numbers.length === 0) return bytes;
      const match = pick(random, numbers);
      const replacement = pick(random, ['0', '1', '7', '4294967295', '4294967296', '99999999999999999999', String(Number(match[0]) + 1), String(Math.max(0, Number(match[0]) - 1))]);
      return splice(bytes, match.index ?? 0, match[0].length, enc.encode(replacement));
    }
  }
}

/** A transcript whose server records got 1–4 edits (bytes or whole records). */
export function mutateTranscript(random: () => number, transcript: Transcript, donors: Uint8Array[]): Transcript {
  const records: TranscriptRecord[] = transcript.records.map((record) => ({ ...record }));
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const serverIndexes = records.flatMap((record, index) => (record.from === 'S' ? [index] : []));
    if (serverIndexes.length === 0) break;
    const index = pick(random, serverIndexes);
    const record = records[index] as TranscriptRecord;
    const kind = random();
    if (kind < 0.7) records[index] = { ...record, bytes: mutateBytes(random, record.bytes, donors), partial: true };
    else if (kind < 0.8) records.splice(index, 1);
    else if (kind < 0.9) records.splice(index, 0, { ...record });
    else {
      const other = pick(random, serverIndexes);
      records[index] = records[other] as TranscriptRecord;
      records[other] = record;
    }
  }
  return { meta: transcript.meta, records };
}
