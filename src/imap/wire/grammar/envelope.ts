/**
 * ENVELOPE and BODYSTRUCTURE, interpreted from generic wire values so that odd-but-readable
 * server output (NIL in odd places, missing trailing fields, extra segments) still yields a
 * structure instead of failing the whole FETCH.
 */
import type { WireValue } from '../reader.js';
import { decodeText } from '../reader.js';
import type { Address, BodyDisposition, BodyParameters, BodyStructure, Envelope } from '../types.js';

function text(value: WireValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decodeText(value);
  if (Array.isArray(value)) return null;
  return null;
}

function num(value: WireValue | undefined): number {
  const t = text(value);
  const n = t === null ? 0 : Number(t);
  return Number.isFinite(n) ? Math.round(n) : 0;
}

function list(value: WireValue | undefined): WireValue[] | null {
  return Array.isArray(value) ? value : null;
}

function addresses(value: WireValue | undefined): Address[] | null {
  const items = list(value);
  if (!items) return null;
  const out: Address[] = [];
  for (const item of items) {
    const parts = list(item);
    if (!parts) continue; // NIL inside an address list
    out.push({ name: text(parts[0]), adl: text(parts[1]), mailbox: text(parts[2]), host: text(parts[3]) });
  }
  return out;
}

export function toEnvelope(value: WireValue): Envelope {
  let fields = list(value) ?? [];
  // Lotus Domino wraps the envelope in an extra pair of parentheses.
  if (fields.length === 1 && Array.isArray(fields[0])) fields = fields[0] as WireValue[];
  return {
    date: text(fields[0]),
    subject: text(fields[1]),
    from: addresses(fields[2]),
    sender: addresses(fields[3]),
    replyTo: addresses(fields[4]),
    to: addresses(fields[5]),
    cc: addresses(fields[6]),
    bcc: addresses(fields[7]),
    inReplyTo: text(fields[8]),
    messageId: text(fields[9]),
  };
}

function params(value: WireValue | undefined): BodyParameters {
  const items = list(value);
  const out: BodyParameters = {};
  if (!items) return out;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = text(items[i]);
    if (key !== null) out[key.toLowerCase()] = text(items[i + 1]) ?? '';
  }
  return out;
}

function disposition(value: WireValue | undefined): BodyDisposition | null {
  const items = list(value);
  if (!items) return null;
  const type = text(items[0]);
  return type === null ? null : { type: type.toLowerCase(), params: params(items[1]) };
}

function language(value: WireValue | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  const items = list(value);
  if (items) return items.map((item) => text(item)).filter((item): item is string => item !== null);
  const single = text(value);
  return single === null ? null : [single];
}

export function toBodyStructure(value: WireValue, depth = 0): BodyStructure {
  const items = list(value) ?? [];
  if (depth > 64) return { kind: 'multi', parts: [], subtype: 'mixed' };
  if (items.length > 0 && (Array.isArray(items[0]) || items[0] === null && Array.isArray(items[1]))) {
    // multipart: parts first, then subtype and extension data. Dovecot sends
    // `(NIL "alternative")` for an empty multipart.
    const parts: BodyStructure[] = [];
    let i = 0;
    while (i < items.length && (Array.isArray(items[i]) || items[i] === null)) {
      const part = items[i];
      if (Array.isArray(part)) parts.push(toBodyStructure(part, depth + 1));
      i++;
    }
    const body: BodyStructure = { kind: 'multi', parts, subtype: (text(items[i]) ?? 'mixed').toLowerCase() };
    if (items.length > i + 1) body.params = params(items[i + 1]);
    if (items.length > i + 2) body.disposition = disposition(items[i + 2]);
    if (items.length > i + 3) body.language = language(items[i + 3]);
    if (items.length > i + 4) body.location = text(items[i + 4]);
    return body;
  }
  const type = (text(items[0]) ?? 'application').toLowerCase();
  const subtype = (text(items[1]) ?? 'octet-stream').toLowerCase();
  const body: BodyStructure = {
    kind: 'single',
    type,
    subtype,
    params: params(items[2]),
    id: text(items[3]),
    description: text(items[4]),
    encoding: (text(items[5]) ?? '').toLowerCase(),
    size: num(items[6]),
  };
  let next = 7;
  if (type === 'message' && (subtype === 'rfc822' || subtype === 'global') && Array.isArray(items[7])) {
    body.envelope = toEnvelope(items[7]);
    if (Array.isArray(items[8])) body.body = toBodyStructure(items[8], depth + 1);
    body.lines = num(items[9]);
    next = 10;
  } else if (type === 'text') {
    body.lines = num(items[7]);
    next = 8;
  }
  if (items.length > next) body.md5 = text(items[next]);
  if (items.length > next + 1) body.disposition = disposition(items[next + 1]);
  if (items.length > next + 2) body.language = language(items[next + 2]);
  if (items.length > next + 3) body.location = text(items[next + 3]);
  return body;
}
