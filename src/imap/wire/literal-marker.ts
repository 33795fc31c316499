/**
 * The literal marker that ends a line segment: `{n}`, `{n+}` (LITERAL+ / LITERAL-) and `~{n}`
 * (BINARY literal8), with 1 to 15 digits. `literalMarkerAtEnd` is the only place that recognises
 * it: the framer asks it whether a line continues with a literal and how long that literal is, the
 * framer's body-item scanner and the response reader ask it where the marker starts.
 */

/** Most digits accepted in a literal's size: 15 digits are always an exact JavaScript number. */
export const MAX_LITERAL_DIGITS = 15;

/** Longest marker: `~{` + MAX_LITERAL_DIGITS digits + `+}`. */
export const LONGEST_LITERAL_MARKER = 2 + MAX_LITERAL_DIGITS + 2;

export interface LiteralMarker {
  /** Offset of the marker's first byte (`~` or `{`) in the segment. */
  start: number;
  /** The announced literal size in bytes. */
  size: number;
}

/** The marker that ends `segment`, or null when the segment does not end with one. */
export function literalMarkerAtEnd(segment: Uint8Array): LiteralMarker | null {
  let i = segment.length - 1;
  if (i < 2 || segment[i] !== 0x7d /* } */) return null;
  i--;
  if (segment[i] === 0x2b /* + */) i--;
  let size = 0;
  let multiplier = 1;
  const digitsEnd = i;
  while (i >= 0) {
    const byte = segment[i] as number;
    if (byte < 0x30 || byte > 0x39) break;
    size += (byte - 0x30) * multiplier;
    multiplier *= 10;
    i--;
  }
  const digits = digitsEnd - i;
  if (digits === 0 || digits > MAX_LITERAL_DIGITS || segment[i] !== 0x7b /* { */) return null;
  if (i > 0 && segment[i - 1] === 0x7e /* ~ */) i--;
  return { start: i, size };
}
