/**
 * Response codes: the `[...]` after OK/NO/BAD/BYE/PREAUTH (RFC 3501 §7.1, RFC 9051 §7.1,
 * CONDSTORE, UIDPLUS, ...). Known codes with data are decoded; the rest keep their raw text.
 */
import { GrammarError, type ResponseReader } from '../reader.js';
import type { ResponseCode, ResponseText } from '../types.js';
import { parseNumberSet } from './sets.js';

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

export function decodeResponseCode(raw: string): ResponseCode {
  const space = raw.indexOf(' ');
  const name = (space < 0 ? raw : raw.slice(0, space)).toUpperCase();
  const rest = space < 0 ? '' : raw.slice(space + 1).trim();
  const num = (): number => {
    const value = Number(words(rest)[0]);
    if (!Number.isFinite(value)) throw new GrammarError(`bad ${name} value`);
    return Math.round(value);
  };
  switch (name) {
    case 'UIDVALIDITY':
    case 'UIDNEXT':
    case 'UNSEEN':
      return { name, value: num() };
    case 'HIGHESTMODSEQ':
      return { name, value: BigInt(words(rest)[0] ?? 'x') };
    case 'PERMANENTFLAGS':
      return { name, flags: words(rest.replace(/^\(|\)$/g, '')) };
    case 'CAPABILITY':
      return { name, capabilities: words(rest) };
    case 'BADCHARSET':
      return { name, charsets: words(rest.replace(/^\(|\)$/g, '')) };
    case 'APPENDUID': {
      const [validity, set] = words(rest);
      return { name, uidValidity: Number(validity), uids: parseNumberSet(set ?? '') };
    }
    case 'COPYUID': {
      const [validity, source, destination] = words(rest);
      return { name, uidValidity: Number(validity), source: parseNumberSet(source ?? ''), destination: parseNumberSet(destination ?? '') };
    }
    case 'MODIFIED':
      return { name, set: parseNumberSet(words(rest)[0] ?? '') };
    default:
      return { name: 'ATOM', atom: name, text: rest === '' ? null : rest };
  }
}

/** resp-text: optional `[code]` then human text (which may be missing: a common quirk). */
export function readResponseText(reader: ResponseReader): ResponseText {
  reader.skipSpaces();
  let code: ResponseCode | null = null;
  if (reader.peek() === 0x5b /* [ */) {
    reader.pos++;
    const raw = reader.readUntilBracket();
    reader.pos++; // ]
    try {
      code = decodeResponseCode(raw);
    } catch {
      code = { name: 'ATOM', atom: raw.split(' ')[0]?.toUpperCase() ?? '', text: raw };
    }
  }
  return { code, text: reader.readRestText() };
}
