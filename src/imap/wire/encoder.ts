/**
 * The command encoder: typed arguments → the bytes of one tagged command, split where a
 * synchronising literal must wait for the server's `+`. Strings are sent as atoms, quoted
 * strings or literals as their content requires; no string argument can end the command line
 * (CR, LF and NUL always go into a literal), so nothing can inject a second command.
 */
import { ConfigError } from '../../errors.js';
import { toWireMailboxName } from './mailbox-name.js';
import { formatSequenceSet } from './sequence-set.js';
import type { NumberRange } from './types.js';

/**
 * One argument of a command for `encodeCommand`, told apart by `kind`. Build them with the
 * helpers {@link atom}, {@link str}, {@link list}, {@link mailbox}, {@link raw} and
 * {@link sequence}; arguments are written separated by single spaces.
 */
export type CommandArg =
  /** A protocol atom chosen by the library (command names, keywords, fetch items). */
  | {
      /** Written as is; `encodeCommand` throws a `ConfigError` when `value` holds characters an
       * atom cannot (space, quote, parentheses, control or non-ASCII characters, ...). */
      kind: 'atom';
      /** The atom text, e.g. `"FLAGS"`, `"\\Seen"`, `"BODY.PEEK[]"`. */
      value: string;
    }
  /** Any user string: atom, quoted or literal as needed. */
  | {
      /** An IMAP `astring`, written in the cheapest safe form: an atom when every character is
       * atom-safe (and it is not `NIL`), a quoted string when it is printable, else a literal. */
      kind: 'string';
      /** The text (sent as UTF-8) or raw bytes. Over 1000 bytes, or holding CR, LF, NUL or
       * (without UTF8=ACCEPT) any 8-bit byte, it goes into a literal. */
      value: string | Uint8Array;
    }
  /** Always a literal (e.g. APPEND message data). */
  | {
      /** Always written as a literal `{n}` followed by the bytes. */
      kind: 'literal';
      /** The literal's bytes, sent unchanged (e.g. a whole RFC 5322 message for APPEND). */
      value: Uint8Array;
      /** Write a `literal8` (`~{n}`, RFC 3516 BINARY) so the bytes may contain NUL. */
      binary?: boolean;
    }
  | {
      /** A parenthesised list `(a b c)`. */
      kind: 'list';
      /** The list's elements, written separated by spaces; may be empty (`()`). */
      items: CommandArg[];
    }
  | {
      /** A sequence set or UID set, e.g. `1:5,7,9:*` (RFC 3501 §9 `sequence-set`). */
      kind: 'sequence';
      /** Numbers (sorted, de-duplicated and compressed into ranges), ranges (merged), or a
       * ready-made set string, which must match the `sequence-set` syntax (`*` allowed).
       * `encodeCommand` throws a `ConfigError` for a malformed string and a `RangeError` for an
       * empty set. */
      set: Iterable<number> | NumberRange[] | string;
    }
  /** A mailbox: a wire name (as LIST returned it) passes through untouched, a display name is
   * encoded (see mailbox-name.ts). */
  | {
      /** A mailbox name; written like a `string` argument after conversion to its wire form. */
      kind: 'mailbox';
      /** A wire name as LIST returned it (sent unchanged) or a display name such as
       * `"Entwürfe"` (sent modified-UTF-7 encoded, or as UTF-8 under UTF8=ACCEPT). Without
       * UTF8=ACCEPT, any spelling of `inbox` is sent as `INBOX`. */
      name: string;
    }
  /** A fixed fragment written by the library itself, e.g. `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]`;
   * printable ASCII only. */
  | {
      /** Written verbatim, without quoting; `encodeCommand` throws a `ConfigError` for
       * anything but printable ASCII (so it can never end the command line). */
      kind: 'raw';
      /** The fragment text. */
      value: string;
    };

/** What the server allows for literals and strings, from its capabilities; decides how
 * `encodeCommand` writes string arguments and literals. */
export interface EncodeOptions {
  /** The server advertises LITERAL+ (RFC 7888): every literal is sent non-synchronising
   * (`{n+}`), without waiting for a `+` continuation. */
  literalPlus: boolean;
  /** The server advertises LITERAL- (RFC 7888): literals of at most 4096 bytes are sent
   * non-synchronising; larger ones wait for a `+` continuation. */
  literalMinus: boolean;
  /** UTF8=ACCEPT (RFC 6855) is enabled in the session: strings with 8-bit UTF-8 may be sent as
   * quoted strings instead of literals, and mailbox names are sent as UTF-8, not modified
   * UTF-7. */
  utf8Accept: boolean;
}

/** A piece of an encoded command, to be written to the connection in order. A command is split
 * after each synchronising literal's `{n}` CRLF, where the server must say `+` first. */
export interface CommandPart {
  /** The bytes to write. */
  bytes: Uint8Array;
  /** Send the next part only after a `+` continuation request. */
  waitForContinuation: boolean;
}

const encoder = new TextEncoder();
const ATOM_SAFE = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\]\[]+$/;
const PROTOCOL_ATOM = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\]\[\\*<>.]+$/;
const SEQUENCE = /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/;

/** A protocol atom (command keyword, flag, FETCH item name), written as is; for text that comes
 * from the user use {@link str}. */
export const atom = (value: string): CommandArg => ({ kind: 'atom', value });
/** A user-supplied string (search text, header value, password): written as an atom, a quoted
 * string or a literal, whichever is safe for its content. */
export const str = (value: string | Uint8Array): CommandArg => ({ kind: 'string', value });
/** A parenthesised list of the given arguments, e.g. `list(atom('UID'), atom('FLAGS'))` →
 * `(UID FLAGS)`. */
export const list = (...items: CommandArg[]): CommandArg => ({ kind: 'list', items });
/** A mailbox name: a wire name from LIST is sent unchanged, a display name is encoded to modified
 * UTF-7 (or sent as UTF-8 under UTF8=ACCEPT). */
export const mailbox = (name: string): CommandArg => ({ kind: 'mailbox', name });
/** A fixed printable-ASCII fragment written verbatim, for syntax the other helpers cannot
 * express, e.g. `raw('BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]')`. Never pass user input. */
export const raw = (value: string): CommandArg => ({ kind: 'raw', value });
/** A sequence or UID set from numbers (`[1, 2, 3, 7]` → `1:3,7`), ranges, or a set string such
 * as `"1:*"`. */
export const sequence = (set: Iterable<number> | NumberRange[] | string): CommandArg => ({ kind: 'sequence', set });

interface Builder {
  parts: CommandPart[];
  current: number[];
}

function append(builder: Builder, text: string): void {
  for (let i = 0; i < text.length; i++) builder.current.push(text.charCodeAt(i));
}

function appendBytes(builder: Builder, bytes: Uint8Array): void {
  for (const byte of bytes) builder.current.push(byte);
}

function writeLiteral(builder: Builder, bytes: Uint8Array, options: EncodeOptions, binary: boolean): void {
  const nonSync = options.literalPlus || (options.literalMinus && bytes.length <= 4096);
  append(builder, `${binary ? '~' : ''}{${bytes.length}${nonSync ? '+' : ''}}\r\n`);
  if (!nonSync) {
    builder.parts.push({ bytes: Uint8Array.from(builder.current), waitForContinuation: true });
    builder.current = [];
  }
  appendBytes(builder, bytes);
}

function writeString(builder: Builder, value: string | Uint8Array, options: EncodeOptions): void {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value;
  let needsLiteral = bytes.length > 1000;
  let quotable = true;
  for (const byte of bytes) {
    if (byte === 0 || byte === 0x0d || byte === 0x0a) needsLiteral = true;
    if (byte >= 0x80) {
      if (!options.utf8Accept) needsLiteral = true;
    }
    if (byte < 0x20 || byte === 0x7f) quotable = false;
  }
  if (needsLiteral || !quotable) {
    writeLiteral(builder, bytes, options, false);
    return;
  }
  const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
  if (text.length > 0 && ATOM_SAFE.test(text) && text.toUpperCase() !== 'NIL') {
    append(builder, text);
    return;
  }
  builder.current.push(0x22);
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) builder.current.push(0x5c);
    builder.current.push(byte);
  }
  builder.current.push(0x22);
}

function writeArg(builder: Builder, arg: CommandArg, options: EncodeOptions): void {
  switch (arg.kind) {
    case 'atom':
      if (!PROTOCOL_ATOM.test(arg.value)) throw new ConfigError(`not a protocol atom: ${JSON.stringify(arg.value.slice(0, 40))}`);
      append(builder, arg.value);
      return;
    case 'string':
      writeString(builder, arg.value, options);
      return;
    case 'literal':
      writeLiteral(builder, arg.value, options, arg.binary === true);
      return;
    case 'mailbox':
      writeString(builder, toWireMailboxName(arg.name, options.utf8Accept), options);
      return;
    case 'sequence': {
      const text = typeof arg.set === 'string' ? arg.set : formatSequenceSet(arg.set as Iterable<number>);
      if (!SEQUENCE.test(text)) throw new ConfigError(`not a sequence set: ${JSON.stringify(text.slice(0, 40))}`);
      append(builder, text);
      return;
    }
    case 'raw':
      if (!/^[\x20-\x7e]+$/.test(arg.value)) throw new ConfigError('raw fragment must be printable ASCII');
      append(builder, arg.value);
      return;
    case 'list':
      builder.current.push(0x28);
      arg.items.forEach((item, index) => {
        if (index > 0) builder.current.push(0x20);
        writeArg(builder, item, options);
      });
      builder.current.push(0x29);
      return;
  }
}

/** Encodes `TAG NAME ARG ARG ...\r\n`. `name` may hold two words (e.g. "UID FETCH"). */
export function encodeCommand(tag: string, name: string, args: CommandArg[], options: EncodeOptions): CommandPart[] {
  if (!/^[A-Za-z0-9.]+$/.test(tag)) throw new ConfigError('bad tag');
  if (!/^[A-Z]+(?: [A-Z]+)?$/i.test(name)) throw new ConfigError('bad command name');
  const builder: Builder = { parts: [], current: [] };
  append(builder, `${tag} ${name}`);
  for (const arg of args) {
    builder.current.push(0x20);
    writeArg(builder, arg, options);
  }
  append(builder, '\r\n');
  builder.parts.push({ bytes: Uint8Array.from(builder.current), waitForContinuation: false });
  return builder.parts;
}
