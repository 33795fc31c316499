/**
 * Second stage of parsing: one framed response → one typed `Response` (types.ts). Throws
 * GrammarError on malformed input; the parser turns that into an error event for this response
 * only. Tolerates trailing spaces, missing status text, `* 0 FETCH`, and unknown untagged data.
 */
import { GrammarError, ResponseReader } from '../reader.js';
import type { Frame } from '../framer.js';
import type {
  NamespaceDescriptor,
  ParserLimits,
  Response,
  StatusAttributes,
  StatusCondition,
  UntaggedCondition,
  UntaggedResponse,
} from '../types.js';
import { readFetchAttributes } from './fetch.js';
import { readResponseText } from './response-code.js';
import { parseNumberSet } from './sets.js';

const CONDITIONS = new Set(['OK', 'NO', 'BAD', 'BYE', 'PREAUTH']);

function readWords(reader: ResponseReader): string[] {
  const words: string[] = [];
  while (!reader.atEnd()) words.push(reader.readAtom(true));
  return words;
}

function readNamespaceList(reader: ResponseReader): NamespaceDescriptor[] | null {
  return reader.readList(() => {
    const entry = reader.readList(() => reader.readValue()) ?? [];
    const prefix = entry[0];
    const delimiter = entry[1];
    return {
      prefix: typeof prefix === 'string' ? prefix : '',
      delimiter: typeof delimiter === 'string' ? delimiter : null,
    };
  });
}

/** STATUS items whose value is a number, and the attribute each sets (HIGHESTMODSEQ is a bigint). */
const STATUS_NUMBERS = new Map<string, Exclude<keyof StatusAttributes, 'highestModseq'>>([
  ['MESSAGES', 'messages'],
  ['RECENT', 'recent'],
  ['UIDNEXT', 'uidNext'],
  ['UIDVALIDITY', 'uidValidity'],
  ['UNSEEN', 'unseen'],
  ['DELETED', 'deleted'],
  ['SIZE', 'size'],
]);

function readStatusAttributes(reader: ResponseReader): StatusAttributes {
  const attributes: StatusAttributes = {};
  reader.readList(() => {
    const name = reader.readAtom().toUpperCase();
    const numeric = STATUS_NUMBERS.get(name);
    if (numeric !== undefined) attributes[numeric] = reader.readNumber();
    else if (name === 'HIGHESTMODSEQ') attributes.highestModseq = reader.readBigInt();
    else reader.readValue();
    return null;
  });
  return attributes;
}

function readUntaggedKeyword(reader: ResponseReader, keyword: string): UntaggedResponse {
  switch (keyword) {
    case 'CAPABILITY':
      return { type: 'capability', capabilities: readWords(reader) };
    case 'ENABLED':
      return { type: 'enabled', capabilities: readWords(reader) };
    case 'FLAGS':
      return { type: 'flags', flags: (reader.readList(() => reader.readAtom(true)) ?? []).filter((f) => f.toUpperCase() !== 'NIL') };
    case 'LIST':
    case 'LSUB': {
      const attributes = reader.readList(() => reader.readAtom(true)) ?? [];
      const delimiter = reader.readNString();
      const mailbox = reader.readAString();
      const extended: Record<string, unknown> = {};
      if (!reader.atEnd()) {
        const items = reader.readList(() => reader.readValue()) ?? [];
        for (let i = 0; i + 1 < items.length; i += 2) {
          const key = items[i];
          if (typeof key === 'string') extended[key.toUpperCase()] = items[i + 1];
        }
      }
      return { type: 'list', command: keyword, attributes, delimiter, mailbox, extended };
    }
    case 'STATUS': {
      const mailbox = reader.readAString();
      return { type: 'status', mailbox, attributes: readStatusAttributes(reader) };
    }
    case 'SEARCH': {
      const ids: number[] = [];
      let modseq: bigint | null = null;
      while (!reader.atEnd()) {
        if (reader.peek() === 0x28) {
          reader.readList(() => {
            const name = reader.readAtom().toUpperCase();
            if (name === 'MODSEQ') modseq = reader.readBigInt();
            else reader.readValue();
            return null;
          });
          continue;
        }
        ids.push(reader.readNumber());
      }
      return { type: 'search', ids, modseq };
    }
    case 'ESEARCH': {
      const result: Extract<UntaggedResponse, { type: 'esearch' }> = { type: 'esearch', tag: null, uid: false };
      reader.skipSpaces();
      if (reader.peek() === 0x28) {
        const correlator = reader.readList(() => reader.readValue()) ?? [];
        if (typeof correlator[1] === 'string') result.tag = correlator[1];
      }
      while (!reader.atEnd()) {
        const name = reader.readAtom().toUpperCase();
        if (name === 'UID') result.uid = true;
        else if (name === 'MIN') result.min = reader.readNumber();
        else if (name === 'MAX') result.max = reader.readNumber();
        else if (name === 'COUNT') result.count = reader.readNumber();
        else if (name === 'ALL') result.all = parseNumberSet(reader.readAtom());
        else if (name === 'MODSEQ') result.modseq = reader.readBigInt();
        else reader.readValue();
      }
      return result;
    }
    case 'VANISHED': {
      let earlier = false;
      reader.skipSpaces();
      if (reader.peek() === 0x28) {
        const tags = reader.readList(() => reader.readAtom()) ?? [];
        earlier = tags.some((t) => t.toUpperCase() === 'EARLIER');
      }
      return { type: 'vanished', earlier, uids: parseNumberSet(reader.readAtom()) };
    }
    case 'ID': {
      reader.skipSpaces();
      const items = reader.readList(() => reader.readNString());
      if (items === null) return { type: 'id', params: null };
      const params: Record<string, string | null> = {};
      for (let i = 0; i + 1 < items.length; i += 2) {
        const key = items[i];
        if (key !== null && key !== undefined) params[key] = items[i + 1] ?? null;
      }
      return { type: 'id', params };
    }
    case 'NAMESPACE':
      return {
        type: 'namespace',
        personal: readNamespaceList(reader),
        other: readNamespaceList(reader),
        shared: readNamespaceList(reader),
      };
    default:
      return { type: 'other', name: keyword, raw: reader.readRestText() };
  }
}

function readUntagged(reader: ResponseReader): UntaggedResponse {
  reader.skipSpaces();
  // `* <number> <keyword>` (EXISTS, RECENT, EXPUNGE, FETCH) read straight from the bytes.
  const leading = reader.readDigitsIfNumber();
  const first = leading >= 0 ? String(leading) : reader.readAtom(true);
  if (leading >= 0 || /^\d+$/.test(first)) {
    const number = leading >= 0 ? leading : Number(first);
    const keyword = reader.readAtom().toUpperCase();
    switch (keyword) {
      case 'EXISTS':
        return { type: 'exists', count: number };
      case 'RECENT':
        return { type: 'recent', count: number };
      case 'EXPUNGE':
        return { type: 'expunge', seq: number };
      case 'FETCH':
        return { type: 'fetch', seq: number, attributes: readFetchAttributes(reader) };
      default:
        return { type: 'other', name: keyword, raw: `${first} ${keyword} ${reader.readRestText()}`.trim() };
    }
  }
  const keyword = first.toUpperCase();
  if (CONDITIONS.has(keyword)) {
    return { type: 'condition', condition: keyword as UntaggedCondition, text: readResponseText(reader) };
  }
  return readUntaggedKeyword(reader, keyword);
}

export function parseFrame(frame: Frame, limits: ParserLimits): Response {
  const reader = new ResponseReader(frame, limits);
  const head = reader.peek();
  if (head === 0x2b /* + */) {
    reader.pos++;
    return { type: 'continuation', text: reader.readRestText() };
  }
  if (head === 0x2a /* * */) {
    reader.pos++;
    const data = readUntagged(reader);
    if (!reader.atEnd() && data.type !== 'other') throw new GrammarError('unexpected data after response');
    return { type: 'untagged', data };
  }
  const tag = reader.readAtom();
  const condition = reader.readAtom().toUpperCase();
  if (condition !== 'OK' && condition !== 'NO' && condition !== 'BAD') {
    throw new GrammarError(`unknown tagged condition '${condition.slice(0, 20)}'`);
  }
  return { type: 'tagged', tag, condition: condition as StatusCondition, text: readResponseText(reader) };
}
