/**
 * The framer's fast path for FETCH body sections: which literals it streams instead of buffering.
 * A literal is streamed when its line starts with the head `* <seq> FETCH ` and the item just
 * before its marker is a body section — `BODY[<section>]<origin> {n}`, `BINARY[...] ~{n}`,
 * `RFC822 {n}`, `RFC822.HEADER {n}`, `RFC822.TEXT {n}` — as read by the FETCH grammar's
 * `readSectionItem` (grammar/section-item.ts). The client's own `.PEEK` spellings are not
 * streamed.
 *
 * What this module owns is only where that item lies: it runs once per literal on the hot path
 * of a sync, so it scans bytes backwards from the marker instead of tokenising the line, within
 * the segment's last BODY_ITEM_WINDOW bytes. Separators are any whitespace (`\s` in Latin-1) or
 * `(`; the section text is read byte for byte (Latin-1), like the rest of the framer's input.
 */
import { decodeText } from './reader.js';
import { readSectionItem, spellsIgnoringCase, type SectionDecoder, type SectionItem } from './grammar/section-item.js';

/** Only this much of a segment's end is examined for the body item. */
export const BODY_ITEM_WINDOW = 256;
/** The head `* <seq> FETCH ` must lie within the segment's first bytes. */
export const FETCH_HEAD_WINDOW = 32;

const latin1 = new TextDecoder('latin1');
/** Bytes as text one character per byte (the WHATWG `latin1` label: windows-1252). */
const latin1Text: SectionDecoder = (bytes, start, end) => decodeText(bytes, start, end, latin1);

/** `\s` of JavaScript regular expressions, restricted to Latin-1 bytes. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d) || byte === 0xa0;
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** An item name starts after a space or `(`. */
function isSeparator(byte: number): boolean {
  return byte === 0x28 /* ( */ || isSpace(byte);
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
  if (i + 5 >= end || !spellsIgnoringCase(segment, i, i + 5, 'FETCH')) return null;
  if (!isSpace(segment[i + 5] as number)) return null;
  let seq = 0;
  for (let d = digitsFrom; d < digitsEnd; d++) seq = seq * 10 + ((segment[d] as number) - 0x30);
  return digitsEnd - digitsFrom <= 15 ? seq : Number(latin1.decode(segment.subarray(digitsFrom, digitsEnd)));
}

/** A streamed body item read from `segment[start..end)`, or null. */
function streamedItem(segment: Uint8Array, start: number, end: number): SectionItem | null {
  const item = readSectionItem(segment, start, end, latin1Text);
  return item === null || item.kind !== 'body' || item.peek ? null : item;
}

/** Where the item name that ends at the `[` at `open` starts, or -1 when it does not start at a
 * separator or the window's start (a `[` or `]` comes first). */
function nameStartBefore(segment: Uint8Array, open: number, floor: number): number {
  let i = open - 1;
  while (i >= floor) {
    const byte = segment[i] as number;
    if (isSeparator(byte)) break;
    if (byte === 0x5b /* [ */ || byte === 0x5d /* ] */) return -1;
    i--;
  }
  return i + 1;
}

/**
 * The body item announced by the literal marker that starts at `markerStart` and ends `segment`
 * (see literalMarkerAtEnd), or null when the literal is something else (an ENVELOPE string, a
 * header field value, ...).
 */
export function bodyItemBeforeLiteral(segment: Uint8Array, markerStart: number): SectionItem | null {
  const floor = Math.max(0, segment.length - BODY_ITEM_WINDOW);
  let last = markerStart - 1;
  while (last >= floor && isSpace(segment[last] as number)) last--;
  if (last < floor) return null;
  const itemEnd = last + 1;

  // RFC822, RFC822.HEADER, RFC822.TEXT end in a letter: the item is the word before `last`.
  const lastByte = segment[last] as number;
  if (lastByte !== 0x5d /* ] */ && lastByte !== 0x3e /* > */) {
    let start = last;
    while (start > floor && !isSeparator(segment[start - 1] as number)) start--;
    return streamedItem(segment, start, itemEnd);
  }

  // BODY[section]<origin> or BINARY[section]<origin>: the section holds no `]`, so its `[` lies
  // between the item's last `]` and the `]` before that. Several `[` there preceded by a name
  // happen only in nonsense; the leftmost that reads as a body item wins, as it would for a
  // reader tokenising the line from its start.
  let close = last;
  while (close >= floor && segment[close] !== 0x5d /* ] */) close--;
  let leftmost = -1;
  let others: number[] | null = null;
  for (let i = close - 1; i >= floor; i--) {
    const byte = segment[i] as number;
    if (byte === 0x5d /* ] */) break;
    if (byte !== 0x5b /* [ */) continue;
    const nameStart = nameStartBefore(segment, i, floor);
    if (nameStart < 0) continue;
    if (leftmost >= 0) (others ??= []).push(leftmost);
    leftmost = nameStart;
  }
  if (leftmost < 0) return null;
  const item = streamedItem(segment, leftmost, itemEnd);
  if (item !== null || others === null) return item;
  for (let k = others.length - 1; k >= 0; k--) {
    const next = streamedItem(segment, others[k] as number, itemEnd);
    if (next !== null) return next;
  }
  return null;
}
