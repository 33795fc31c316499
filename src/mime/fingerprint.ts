/**
 * The content fingerprint of a message: lower-case hex SHA-256 of its header block — the lines
 * before the first empty line, each line ending normalised to CRLF (a lone LF or CR counts as a
 * line end; a last line without one gets one). The body is not part of it, so a headers-only
 * copy (`BODY.PEEK[HEADER]`, or the prefix of an over-long message) and a full copy of the same
 * message have the same fingerprint. Two copies are the same stored message only when their
 * Message-IDs and fingerprints agree (docs/store.md, "Message identity").
 */

import { createHash } from 'node:crypto';

const CR = 0x0d;
const LF = 0x0a;

/** Lower-case hex SHA-256 of `raw`'s normalised header block (see the module comment). */
export function headerFingerprint(raw: Uint8Array): string {
  const hash = createHash('sha256');
  const out = new Uint8Array(Math.min(raw.length, 64 * 1024) + 2);
  let used = 0;
  const push = (byte: number): void => {
    if (used === out.length) {
      hash.update(out);
      used = 0;
    }
    out[used++] = byte;
  };
  let lineLength = 0;
  let i = 0;
  while (i < raw.length) {
    const byte = raw[i] as number;
    if (byte === CR || byte === LF) {
      i += byte === CR && raw[i + 1] === LF ? 2 : 1;
      if (lineLength === 0) break; // the empty line that ends the header block
      push(CR);
      push(LF);
      lineLength = 0;
      continue;
    }
    push(byte);
    lineLength++;
    i++;
  }
  if (lineLength > 0) {
    push(CR);
    push(LF);
  }
  hash.update(out.subarray(0, used));
  return hash.digest('hex');
}
