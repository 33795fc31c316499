/**
 * The FETCH item names that carry a body section — the one definition of their grammar (RFC 3501
 * §7.4.2, RFC 9051, RFC 3516 BINARY), case-insensitive:
 *
 *   BODY[<section>]<origin>   BODY.PEEK[...]<origin>   BINARY[...]<origin>   BINARY.PEEK[...]<origin>
 *   BINARY.SIZE[<section>]    RFC822   RFC822.HEADER   RFC822.TEXT
 *
 * `<origin>` is optional `<digits>`. The section is everything between the first `[` and the `]`
 * that ends the item (or precedes its origin); it is not interpreted further.
 *
 * Two readers use it: the FETCH grammar (fetch.ts) on each item name it reads, and the framer's
 * fast path (../body-literal.ts) on the item just before a literal marker, to decide whether that
 * literal is a body section to stream.
 */

export interface SectionItem {
  /** `body`: a section value follows (BODY, BINARY, RFC822*); `binary-size`: a number follows. */
  kind: 'body' | 'binary-size';
  /** Section text upper-cased (`''`, `1.2`, `HEADER.FIELDS (FROM)`), or `RFC822[.HEADER|.TEXT]`. */
  section: string;
  /** BINARY[...], BINARY.PEEK[...] or BINARY.SIZE[...] rather than BODY. */
  binary: boolean;
  /** BODY.PEEK / BINARY.PEEK (what a client asks for; servers answer without .PEEK). */
  peek: boolean;
  origin: number | null;
}

/** Reads `bytes[start..end)` as text; each reader decodes sections as it decodes other text. */
export type SectionDecoder = (bytes: Uint8Array, start: number, end: number) => string;

type Name = Pick<SectionItem, 'kind' | 'binary' | 'peek'>;

/** Names followed by `[section]`, upper-case ASCII. */
const BRACKETED: ReadonlyArray<readonly [string, Name]> = [
  ['BODY', { kind: 'body', binary: false, peek: false }],
  ['BINARY', { kind: 'body', binary: true, peek: false }],
  ['BODY.PEEK', { kind: 'body', binary: false, peek: true }],
  ['BINARY.PEEK', { kind: 'body', binary: true, peek: true }],
  ['BINARY.SIZE', { kind: 'binary-size', binary: true, peek: false }],
];
/** Names without a bracket; the name is the section. */
const BARE = ['RFC822', 'RFC822.HEADER', 'RFC822.TEXT'] as const;

const latin1 = new TextDecoder('latin1');

/** True when `bytes[start..end)` spells `word` (upper-case ASCII) in any case. */
export function spellsIgnoringCase(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const byte = bytes[start + i] as number;
    if ((byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * `bytes[start..end)` read as one FETCH item name with a section, or null when it is any other
 * item (UID, ENVELOPE, BODY without a bracket, X-GM-LABELS, ...) or malformed.
 */
export function readSectionItem(bytes: Uint8Array, start: number, end: number, decode: SectionDecoder): SectionItem | null {
  let open = start;
  while (open < end && bytes[open] !== 0x5b /* [ */) open++;
  if (open === end) {
    for (const word of BARE) {
      if (spellsIgnoringCase(bytes, start, end, word)) return { kind: 'body', section: word, binary: false, peek: false, origin: null };
    }
    return null;
  }
  let name: Name | null = null;
  for (const [word, meaning] of BRACKETED) {
    if (spellsIgnoringCase(bytes, start, open, word)) {
      name = meaning;
      break;
    }
  }
  if (name === null) return null;

  // `]` ends the item, or `]<digits>` does.
  let close = end - 1;
  let origin: number | null = null;
  if (bytes[close] === 0x3e /* > */) {
    if (name.kind === 'binary-size') return null;
    const digitsEnd = close;
    close--;
    while (close > open && (bytes[close] as number) >= 0x30 && (bytes[close] as number) <= 0x39) close--;
    if (close === digitsEnd - 1 || bytes[close] !== 0x3c /* < */) return null;
    origin = Number(latin1.decode(bytes.subarray(close + 1, digitsEnd)));
    close--;
  }
  if (close <= open || bytes[close] !== 0x5d /* ] */) return null;
  return { kind: name.kind, section: decode(bytes, open + 1, close).toUpperCase(), binary: name.binary, peek: name.peek, origin };
}
