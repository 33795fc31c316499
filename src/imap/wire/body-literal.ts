/**
 * Recognising, byte by byte, the FETCH literals the framer streams instead of buffering: the
 * response head `* <seq> FETCH ` and the body item just before a literal marker —
 * `BODY[<section>]<origin> {n}`, `BINARY[...] ~{n}`, `RFC822 {n}`, `RFC822.HEADER {n}`,
 * `RFC822.TEXT {n}` (case-insensitive). These run once per response on the hot path of a sync, so
 * they scan bytes from the end of the segment instead of decoding text and running a regular
 * expression; test/unit/body-literal.test.ts holds the regular expressions they replace and
 * checks both agree on generated segments.
 */

export interface BodyItem {
  /** Section text upper-cased (`''`, `1.2`, `HEADER.FIELDS (FROM)`), or `RFC822[.HEADER|.TEXT]`. */
  section: string;
  binary: boolean;
  origin: number | null;
}

/** Only this much of a segment's end is examined for the body item (as the framer always did). */
export const BODY_ITEM_WINDOW = 256;
/** The head `* <seq> FETCH ` must lie within the segment's first bytes. */
export const FETCH_HEAD_WINDOW = 32;

const latin1 = new TextDecoder('latin1');
const RFC822_ITEMS = ['RFC822', 'RFC822.HEADER', 'RFC822.TEXT'] as const;

/** `\s` of JavaScript regular expressions, restricted to Latin-1 bytes. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d) || byte === 0xa0;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** ASCII upper case of a byte (letters only). */
function upper(byte: number): number {
  return byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte;
}

/** True when `word` (upper-case ASCII) ends at `end` (inclusive) and starts at or after `floor`. */
function wordEndsAt(segment: Uint8Array, end: number, word: string, floor: number): boolean {
  const start = end - word.length + 1;
  if (start < floor) return false;
  for (let i = 0; i < word.length; i++) {
    if (upper(segment[start + i] as number) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** An item name may start at the window's start or after a space or `(`. */
function itemBoundary(segment: Uint8Array, start: number, floor: number): boolean {
  if (start === floor) return true;
  const before = segment[start - 1] as number;
  return before === 0x28 /* ( */ || isSpace(before);
}

/** The sequence number of a `* <seq> FETCH ` head, or null when the segment is not one. */
export function fetchSequenceOf(segment: Uint8Array): number | null {
  const end = Math.min(segment.length, FETCH_HEAD_WINDOW);
  if (end === 0 || segment[0] !== 0x2a /* * */) return null;
  let i = 1;
  const spaces = (): boolean => {
    const from = i;
    while (i < end && isSpace(segment[i] as number)) i++;
    return i > from;
  };
  if (!spaces()) return null;
  const digitsFrom = i;
  while (i < end && isDigit(segment[i] as number)) i++;
  if (i === digitsFrom) return null;
  const digitsEnd = i;
  if (!spaces()) return null;
  if (i + 5 >= end || !wordEndsAt(segment, i + 4, 'FETCH', i)) return null;
  if (!isSpace(segment[i + 5] as number)) return null;
  let seq = 0;
  for (let d = digitsFrom; d < digitsEnd; d++) seq = seq * 10 + ((segment[d] as number) - 0x30);
  return digitsEnd - digitsFrom <= 15 ? seq : Number(latin1.decode(segment.subarray(digitsFrom, digitsEnd)));
}

/**
 * The body item announced by the literal marker that ends `segment`, or null when the literal
 * is something else (an ENVELOPE string, a header field value, ...).
 */
export function bodyItemBeforeLiteral(segment: Uint8Array): BodyItem | null {
  const floor = Math.max(0, segment.length - BODY_ITEM_WINDOW);
  let i = segment.length - 1;
  // The marker: `{digits}` or `{digits+}`, possibly preceded by `~`, then optional spaces.
  if (i < floor || segment[i] !== 0x7d /* } */) return null;
  i--;
  if (i >= floor && segment[i] === 0x2b /* + */) i--;
  const digitsEnd = i;
  while (i >= floor && isDigit(segment[i] as number)) i--;
  if (i === digitsEnd || i < floor || segment[i] !== 0x7b /* { */) return null;
  i--;
  if (i >= floor && segment[i] === 0x7e /* ~ */) i--;
  while (i >= floor && isSpace(segment[i] as number)) i--;
  if (i < floor) return null;

  // RFC822, RFC822.HEADER, RFC822.TEXT end in a letter; BODY[...] and BINARY[...] in `]` or `>`.
  const last = segment[i] as number;
  if (last !== 0x5d /* ] */ && last !== 0x3e /* > */) {
    for (const word of RFC822_ITEMS) {
      if (wordEndsAt(segment, i, word, floor) && itemBoundary(segment, i - word.length + 1, floor)) {
        return { section: word, binary: false, origin: null };
      }
    }
    return null;
  }

  // BODY[section]<origin> or BINARY[section]<origin>
  let origin: number | null = null;
  if (segment[i] === 0x3e /* > */) {
    const originEnd = i - 1;
    i--;
    while (i >= floor && isDigit(segment[i] as number)) i--;
    if (i === originEnd || i < floor || segment[i] !== 0x3c /* < */) return null;
    origin = Number(latin1.decode(segment.subarray(i + 1, originEnd + 1)));
    i--;
  }
  if (i < floor || segment[i] !== 0x5d /* ] */) return null;
  const sectionEnd = i;
  // The section holds no `]`. A `[` preceded by BODY or BINARY opens it; when several do (only
  // in nonsense), the leftmost wins, as it did for the regular expression.
  let found: { open: number; binary: boolean } | null = null;
  for (let open = sectionEnd - 1; open >= floor; open--) {
    const byte = segment[open] as number;
    if (byte === 0x5d /* ] */) break;
    if (byte !== 0x5b /* [ */) continue;
    if (wordEndsAt(segment, open - 1, 'BODY', floor) && itemBoundary(segment, open - 4, floor)) found = { open, binary: false };
    else if (wordEndsAt(segment, open - 1, 'BINARY', floor) && itemBoundary(segment, open - 6, floor)) found = { open, binary: true };
  }
  if (found === null) return null;
  return { section: latin1.decode(segment.subarray(found.open + 1, sectionEnd)).toUpperCase(), binary: found.binary, origin };
}
