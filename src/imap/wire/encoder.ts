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

export type CommandArg =
  /** A protocol atom chosen by the library (command names, keywords, fetch items). */
  | { kind: 'atom'; value: string }
  /** Any user string: atom, quoted or literal as needed. */
  | { kind: 'string'; value: string | Uint8Array }
  /** Always a literal (e.g. APPEND message data). */
  | { kind: 'literal'; value: Uint8Array; binary?: boolean }
  | { kind: 'list'; items: CommandArg[] }
  | { kind: 'sequence'; set: Iterable<number> | NumberRange[] | string }
  /** A mailbox: a wire name (as LIST returned it) passes through untouched, a display name is
   * encoded (see mailbox-name.ts). */
  | { kind: 'mailbox'; name: string }
  /** A fixed fragment written by the library itself, e.g. `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]`;
   * printable ASCII only. */
  | { kind: 'raw'; value: string };

export interface EncodeOptions {
  literalPlus: boolean;
  literalMinus: boolean;
  utf8Accept: boolean;
}

export interface CommandPart {
  bytes: Uint8Array;
  /** Send the next part only after a `+` continuation request. */
  waitForContinuation: boolean;
}

const encoder = new TextEncoder();
const ATOM_SAFE = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\]\[]+$/;
const PROTOCOL_ATOM = /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\]\[\\*<>.]+$/;
const SEQUENCE = /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/;

export const atom = (value: string): CommandArg => ({ kind: 'atom', value });
export const str = (value: string | Uint8Array): CommandArg => ({ kind: 'string', value });
export const list = (...items: CommandArg[]): CommandArg => ({ kind: 'list', items });
export const mailbox = (name: string): CommandArg => ({ kind: 'mailbox', name });
export const raw = (value: string): CommandArg => ({ kind: 'raw', value });
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
