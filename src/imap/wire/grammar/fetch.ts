/**
 * `* n FETCH (...)` attribute lists (RFC 3501 §7.4.2, RFC 9051, CONDSTORE MODSEQ, BINARY,
 * Gmail X-GM-*, OBJECTID). Unknown items are read as generic values and skipped.
 */
import { GrammarError, type ResponseReader } from '../reader.js';
import type { BodySection, FetchAttributes } from '../types.js';
import { isStreamedMarker, toBodyStructure, toEnvelope } from './envelope.js';

const SECTION_ITEM = /^(BODY|BINARY|BODY\.PEEK|BINARY\.PEEK)\[(.*)\](?:<(\d+)>)?$/is;
const BINARY_SIZE_ITEM = /^BINARY\.SIZE\[(.*)\]$/is;

function pushSection(attributes: FetchAttributes, section: BodySection): void {
  (attributes.bodySections ??= []).push(section);
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
      case 'BODY[]': {
        // The whole message, the item of every sync: no need for the section expression.
        const value = reader.readNBytes();
        pushSection(
          attributes,
          isStreamedMarker(value)
            ? { section: '', binary: false, origin: null, size: value.size, streamed: true }
            : { section: '', binary: false, origin: null, value, streamed: false },
        );
        break;
      }
      case 'RFC822':
      case 'RFC822.HEADER':
      case 'RFC822.TEXT': {
        const value = reader.readNBytes();
        pushSection(
          attributes,
          isStreamedMarker(value)
            ? { section: upper, binary: false, origin: null, size: value.size, streamed: true }
            : { section: upper, binary: false, origin: null, value, streamed: false },
        );
        break;
      }
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
      default: {
        const section = SECTION_ITEM.exec(item);
        if (section) {
          const value = reader.readNBytes();
          const spec = (section[2] ?? '').toUpperCase();
          const binary = (section[1] ?? '').toUpperCase().startsWith('BINARY');
          const origin = section[3] === undefined ? null : Number(section[3]);
          pushSection(
            attributes,
            isStreamedMarker(value)
              ? { section: spec, binary, origin, size: value.size, streamed: true }
              : { section: spec, binary, origin, value, streamed: false },
          );
          break;
        }
        const binarySize = BINARY_SIZE_ITEM.exec(item);
        if (binarySize) {
          (attributes.binarySizes ??= []).push({ section: (binarySize[1] ?? '').toUpperCase(), size: reader.readNumber() });
          break;
        }
        reader.readValue(); // unknown item: skip its value
      }
    }
  }
  return attributes;
}
