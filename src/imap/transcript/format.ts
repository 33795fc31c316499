/**
 * The transcript file format (docs/transcripts.md): a session's bytes, both directions, in the
 * order they happened, one protocol line per record, readable in any editor.
 *
 *     # prx-email transcript v1
 *     # title: initial sync of a 40-message INBOX
 *     # source: recorded against Dovecot 2.3.19 (scripts/record-transcripts.ts)
 *     S: * OK [CAPABILITY IMAP4rev1 ...] Dovecot ready.
 *     C: A1 LOGIN *** ***
 *     S: A1 OK Logged in
 *
 * `C:` / `S:` records are one line each, CRLF implied; `C|` / `S|` records carry bytes without a
 * line ending (a stream that stopped mid-line). Bytes outside printable ASCII are written `\xHH`,
 * a backslash `\\`; nothing else is escaped, so trailing spaces are significant. `# key: value`
 * lines before the first record are metadata; other `#` lines and empty lines are comments.
 * `***` in a client record stands for redacted credentials (it matches any text on replay).
 */

import { ProtocolError } from '../../errors.js';

/** Who sent a record: `C` the client, `S` the server. */
export type TranscriptSide = 'C' | 'S';

/** One record of a transcript: one protocol line (or a partial one) from one side. */
export interface TranscriptRecord {
  /** The side that sent these bytes. */
  from: TranscriptSide;
  /** The record's bytes, including its CRLF unless `partial`. */
  bytes: Uint8Array;
  /** True for bytes without a line ending (the stream stopped mid-line: `C|` / `S|`). */
  partial: boolean;
}

/** A whole transcript: metadata and the records in the order they happened. */
export interface Transcript {
  /** The `# key: value` lines before the first record. */
  meta: Record<string, string>;
  /** The records, both sides, in order. */
  records: TranscriptRecord[];
}

const HEADER = '# prx-email transcript v1';
const HEX = '0123456789ABCDEF';

/** Writes one record's bytes (without its CRLF) in the escaped text form. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\x${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** Reads one record's escaped text form back into bytes (the inverse of {@link escapeBytes});
 * a ProtocolError naming `lineNumber` for a malformed escape or a raw non-ASCII character. */
export function unescapeBytes(text: string, lineNumber: number): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x5c) {
      if (code > 0x7e) throw new ProtocolError(`transcript line ${lineNumber}: raw non-ASCII character (write it as \\xHH)`);
      out.push(code);
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') {
      out.push(0x5c);
      i++;
    } else if (next === 'x' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 2, i + 4))) {
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      throw new ProtocolError(`transcript line ${lineNumber}: bad escape at column ${i + 1}`);
    }
  }
  return Uint8Array.from(out);
}

/** Writes a transcript in the file format (header line, metadata, one line per record). */
export function formatTranscript(transcript: Transcript): string {
  const lines = [HEADER];
  for (const [key, value] of Object.entries(transcript.meta)) lines.push(`# ${key}: ${value.replace(/[\r\n]+/g, ' ')}`);
  for (const record of transcript.records) {
    const body = record.partial ? record.bytes : record.bytes.subarray(0, record.bytes.length - 2);
    lines.push(`${record.from}${record.partial ? '|' : ':'} ${escapeBytes(body)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads the file format back into a transcript; a ProtocolError for anything malformed. */
export function parseTranscript(text: string): Transcript {
  const lines = text.split('\n');
  if (lines[0]?.replace(/\r$/, '') !== HEADER) throw new ProtocolError(`not a transcript: the first line must be "${HEADER}"`);
  const meta: Record<string, string> = {};
  const records: TranscriptRecord[] = [];
  for (let index = 1; index < lines.length; index++) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line === '') continue;
    if (line.startsWith('#')) {
      const entry = /^# ([\w-]+): (.*)$/.exec(line);
      if (entry && records.length === 0) meta[entry[1] as string] = entry[2] as string;
      continue;
    }
    const head = /^([CS])([:|]) ?/.exec(line);
    if (!head) throw new ProtocolError(`transcript line ${index + 1}: expected "C: ", "S: ", "C| " or "S| "`);
    const partial = head[2] === '|';
    const body = unescapeBytes(line.slice(head[0].length), index + 1);
    const bytes = partial ? body : new Uint8Array(body.length + 2);
    if (!partial) {
      bytes.set(body);
      bytes.set([0x0d, 0x0a], body.length);
    }
    records.push({ from: head[1] as TranscriptSide, bytes, partial });
  }
  return { meta, records };
}

/** All bytes one side sent, in order. */
export function sideBytes(transcript: Transcript, side: TranscriptSide): Uint8Array {
  const parts = transcript.records.filter((record) => record.from === side);
  const out = new Uint8Array(parts.reduce((sum, record) => sum + record.bytes.length, 0));
  let offset = 0;
  for (const record of parts) {
    out.set(record.bytes, offset);
    offset += record.bytes.length;
  }
  return out;
}
