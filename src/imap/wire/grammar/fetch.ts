/**
 * `* n FETCH (...)` attribute lists (RFC 3501 §7.4.2, RFC 9051, CONDSTORE MODSEQ, BINARY,
 * Gmail X-GM-*, OBJECTID). Item names with a body section (BODY[...], BINARY[...], RFC822*,
 * BINARY.SIZE[...]) are read by section-item.ts, which the framer's fast path shares. Unknown
 * items are read as generic values and skipped.
 */
import { decodeText, GrammarError, isStreamedMarker, type ResponseReader } from '../reader.js';
import type { FetchAttributes } from '../types.js';
import { toBodyStructure, toEnvelope } from './envelope.js';
import { readSectionItem, type SectionItem } from './section-item.js';

const readSectionItemAsText = (bytes: Uint8Array, start: number, end: number): SectionItem | null => readSectionItem(bytes, start, end, decodeText);

/** The value of an item with a section (the reader stands after its name), or skips an unknown
 * item's value. */
function readSectionOrSkip(reader: ResponseReader, attributes: FetchAttributes): void {
  const item = reader.readLastAtom(readSectionItemAsText);
  if (item === null) {
    reader.readValue(); // unknown item: skip its value
    return;
  }
  const { section, binary, origin } = item;
  if (item.kind === 'binary-size') {
    (attributes.binarySizes ??= []).push({ section, size: reader.readNumber() });
    return;
  }
  const value = reader.readNBytes();
  (attributes.bodySections ??= []).push(
    isStreamedMarker(value) ? { section, binary, origin, size: value.size, streamed: true } : { section, binary, origin, value, streamed: false },
  );
}

export function readFetchAttributes(reader: ResponseReader): FetchAttributes {
  const attributes: FetchAttributes = {};
  reader.expect(0x28 /* ( */);
  for (;;) {
    reader.skipSpaces();
    const next = reader.peek();
    if (next === 0x29 /* ) */) {
      reader.pos++;
      break;
    }
    if (next === -1) throw new GrammarError('unterminated FETCH attribute list');
    const item = reader.readAtom();
    const upper = item.toUpperCase();
    switch (upper) {
      case 'UID':
        attributes.uid = reader.readNumber();
        break;
      case 'FLAGS':
        attributes.flags = (reader.readList(() => reader.readAtom(true)) ?? []).filter((flag) => flag.toUpperCase() !== 'NIL');
        break;
      case 'INTERNALDATE':
        attributes.internalDate = reader.readNString() ?? undefined;
        break;
      case 'RFC822.SIZE':
        attributes.rfc822Size = reader.readNumber();
        break;
      case 'MODSEQ': {
        reader.expect(0x28);
        attributes.modseq = reader.readBigInt();
        reader.expect(0x29);
        break;
      }
      case 'ENVELOPE':
        attributes.envelope = toEnvelope(reader.readValue());
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        attributes.bodyStructure = toBodyStructure(reader.readValue());
        break;
      case 'X-GM-MSGID':
        attributes.xGmMsgId = reader.readBigInt();
        break;
      case 'X-GM-THRID':
        attributes.xGmThrId = reader.readBigInt();
        break;
      case 'X-GM-LABELS':
        attributes.xGmLabels = (reader.readList(() => reader.readNString()) ?? []).filter((l): l is string => l !== null);
        break;
      case 'EMAILID': {
        const id = reader.readList(() => reader.readAtom());
        if (id?.[0] !== undefined) attributes.emailId = id[0];
        break;
      }
      case 'THREADID': {
        const id = reader.readList(() => reader.readAtom());
        attributes.threadId = id?.[0] ?? null;
        break;
      }
      default:
        readSectionOrSkip(reader, attributes);
    }
  }
  return attributes;
}
