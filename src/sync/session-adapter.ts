/**
 * Binds the sync engine's `FolderSession` port to an `ImapClient`: EXAMINE with QRESYNC/CONDSTORE,
 * `UID FETCH n:* (UID RFC822.SIZE)` listings, flag fetches with CHANGEDSINCE, and message fetches
 * with BODY.PEEK (never setting \Seen) whose streamed literals are collected per message — at
 * most `maxMessageBytes` of each, whatever size the server announced (the rest is counted and
 * dropped, and the message is handed on headers-only with `limitExceeded`).
 */

import { concatBytes } from '../bytes.js';
import type { FetchItem, FetchOptions, ImapClient } from '../imap/session/client.js';
import { formatSequenceSet } from '../imap/wire/sequence-set.js';
import type { FetchAttributes } from '../imap/wire/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './folder-sync.js';
import type { FetchedMessage, FlagState, FolderSession, FolderSnapshot, ServerIdentity, ServerUid } from './ports.js';

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/** INTERNALDATE "17-Jul-1996 02:44:25 -0700" → Unix ms (null when unreadable). */
export function parseInternalDate(value: string | undefined): number | null {
  if (!value) return null;
  const match = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\s*$/.exec(value);
  if (!match) return null;
  const month = MONTHS[(match[2] as string).toLowerCase()];
  if (month === undefined) return null;
  const utc = Date.UTC(Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]));
  const offset = (Number(match[8]) * 60 + Number(match[9])) * 60_000 * (match[7] === '-' ? -1 : 1);
  return utc - offset;
}

/** Session flags that are not message state (\Recent is per-session). */
function storedFlags(flags: string[] | undefined): string[] {
  return (flags ?? []).filter((flag) => flag.toLowerCase() !== '\\recent');
}

function toFlagState(attributes: FetchAttributes): FlagState | null {
  if (attributes.uid === undefined) return null;
  return {
    uid: attributes.uid,
    flags: storedFlags(attributes.flags),
    modseq: attributes.modseq ?? null,
    ...(attributes.xGmLabels !== undefined ? { labels: attributes.xGmLabels } : {}),
  };
}


function messageIdFromHeader(bytes: Uint8Array): string | null {
  const text = new TextDecoder('latin1').decode(bytes).replace(/\r?\n[ \t]+/g, ' ');
  const match = /^message-id:[ \t]*(.*)$/im.exec(text);
  return match ? (match[1] as string).trim() : null;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An IMAP `date` (RFC 3501 §9: d-Mon-yyyy) for the UTC day of `ms`. */
export function imapDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()}-${MONTH_NAMES[date.getUTCMonth()]}-${date.getUTCFullYear()}`;
}

export interface FolderSessionOptions {
  /** Most bytes kept of one streamed message (default: folder-sync's 25 MiB). */
  maxMessageBytes?: number | undefined;
}

/** A streamed body cut at the cap: the bytes kept, and how many arrived in all. */
interface CollectedBody {
  bytes: Uint8Array;
  delivered: number;
  overflow: boolean;
}

export function createFolderSession(client: ImapClient, options: FolderSessionOptions = {}): FolderSession {
  const cap = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const condstore = client.enabled.has('CONDSTORE') || client.capabilities.has('CONDSTORE');
  const qresync = client.enabled.has('QRESYNC');
  // Gmail: message and thread ids and labels ride along with every FETCH of messages and flags.
  const gmail = client.capabilities.has('X-GM-EXT-1');

  /** Runs a UID FETCH collecting streamed body bytes per sequence number. */
  const fetchWithBodies = async (
    set: string,
    request: FetchOptions,
    onResponse: (attributes: FetchAttributes, body: CollectedBody | null) => void,
    signal?: AbortSignal,
  ): Promise<void> => {
    const bodies = new Map<number, { chunks: Uint8Array[]; kept: number; delivered: number }>();
    await client.uidFetch(
      set,
      request,
      {
        body: (event) => {
          if (event.type === 'body-start') bodies.set(event.seq, { chunks: [], kept: 0, delivered: 0 });
          else if (event.type === 'body-chunk') {
            const body = bodies.get(event.seq);
            if (!body) return;
            body.delivered += event.data.length;
            // The cap holds while streaming: a server announcing 100 bytes and sending 256 MiB
            // costs at most `cap` bytes of memory.
            const room = cap - body.kept;
            if (room <= 0) return;
            const part = event.data.length <= room ? event.data : event.data.subarray(0, room);
            body.chunks.push(part);
            body.kept += part.length;
          }
        },
        message: ({ seq, attributes }) => {
          const streamed = bodies.get(seq);
          bodies.delete(seq);
          const inline = attributes.bodySections?.find((section) => !section.streamed);
          const body: CollectedBody | null = streamed
            ? { bytes: concatBytes(streamed.chunks), delivered: streamed.delivered, overflow: streamed.delivered > cap }
            : inline && !inline.streamed && inline.value
              ? { bytes: inline.value.length > cap ? inline.value.subarray(0, cap) : inline.value, delivered: inline.value.length, overflow: inline.value.length > cap }
              : null;
          onResponse(attributes, body);
        },
      },
      signal,
    );
  };

  return {
    condstore,
    qresync,
    async open(folder, params, signal): Promise<FolderSnapshot> {
      const result = await client.select(
        folder,
        { readOnly: true, ...(params && qresync ? { qresync: { uidValidity: params.uidValidity, modseq: params.modseq } } : {}) },
        signal,
      );
      return {
        uidValidity: result.uidValidity,
        uidNext: result.uidNext,
        highestModseq: result.highestModseq,
        exists: result.exists,
        vanished: result.vanished,
        changed: result.changed.map(toFlagState).filter((s): s is FlagState => s !== null),
        qresync: params !== null && qresync,
      };
    },
    async listUids(fromUid, signal): Promise<ServerUid[]> {
      const out: ServerUid[] = [];
      await client.uidFetch(
        `${fromUid}:*`,
        { items: ['UID', 'RFC822.SIZE'] },
        { message: ({ attributes }) => attributes.uid !== undefined && out.push({ uid: attributes.uid, size: attributes.rfc822Size ?? 0 }) },
        signal,
      );
      return out;
    },
    async listUidRange(fromUid, toUid, signal): Promise<ServerUid[]> {
      const out: ServerUid[] = [];
      await client.uidFetch(
        `${fromUid}:${toUid}`,
        { items: ['UID', 'RFC822.SIZE'] },
        {
          message: ({ attributes }) => {
            const uid = attributes.uid;
            // A server may answer for UIDs outside a range (as for n:*): keep the asked ones.
            if (uid !== undefined && uid >= fromUid && uid <= toUid) out.push({ uid, size: attributes.rfc822Size ?? 0 });
          },
        },
        signal,
      );
      return out;
    },
    async highestUidBefore(belowUid, sinceMs, signal) {
      if (belowUid <= 1) return 0;
      const uids = await client.uidSearch({ uids: `1:${belowUid - 1}`, before: imapDate(sinceMs) }, signal);
      let highest = 0;
      for (const uid of uids) if (uid < belowUid && uid > highest) highest = uid;
      return highest;
    },
    async searchUids(upToUid, signal) {
      return client.uidSearch({ uids: `1:${upToUid}` }, signal);
    },
    async fetchFlags(upToUid, changedSince, signal) {
      const out: FlagState[] = [];
      await client.uidFetch(
        `1:${upToUid}`,
        { items: ['UID', 'FLAGS', ...(condstore ? ['MODSEQ' as const] : []), ...(gmail ? ['X-GM-LABELS' as const] : [])], ...(changedSince === null ? {} : { changedSince }) },
        {
          message: ({ attributes }) => {
            const state = toFlagState(attributes);
            if (state) out.push(state);
          },
        },
        signal,
      );
      return out;
    },
    async fetchMessages(uids, headersOnly, onMessage, signal) {
      const full = uids.filter((uid) => !headersOnly.has(uid));
      const partial = uids.filter((uid) => headersOnly.has(uid));
      const deliver = (onlyHeaders: boolean) => (attributes: FetchAttributes, body: CollectedBody | null) => {
        if (attributes.uid === undefined || body === null) return;
        const message: FetchedMessage = {
          uid: attributes.uid,
          flags: storedFlags(attributes.flags),
          internalDate: parseInternalDate(attributes.internalDate),
          size: body.overflow ? body.delivered : (attributes.rfc822Size ?? body.bytes.byteLength),
          modseq: attributes.modseq ?? null,
          raw: body.bytes,
          headersOnly: onlyHeaders || body.overflow,
          ...(body.overflow
            ? {
                limitExceeded: `LIMIT: the server sent ${body.delivered} bytes for UID ${attributes.uid} (announced ${attributes.rfc822Size ?? 'no size'}), more than maxMessageBytes (${cap}); stored with headers only`,
              }
            : {}),
          ...(attributes.xGmMsgId !== undefined
            ? { gmail: { msgId: attributes.xGmMsgId.toString(), thrId: attributes.xGmThrId?.toString() ?? null, labels: attributes.xGmLabels ?? [] } }
            : {}),
        };
        onMessage(message);
      };
      const items: FetchItem[] = ['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', ...(condstore ? ['MODSEQ' as const] : []), ...(gmail ? ['X-GM-MSGID' as const, 'X-GM-THRID' as const, 'X-GM-LABELS' as const] : [])];
      const jobs: Promise<void>[] = [];
      if (full.length > 0) jobs.push(fetchWithBodies(formatSequenceSet(full), { items, body: { part: 'full' } }, deliver(false), signal));
      if (partial.length > 0) jobs.push(fetchWithBodies(formatSequenceSet(partial), { items, body: { part: 'header' } }, deliver(true), signal));
      await Promise.all(jobs);
    },
    async fetchIdentities(signal): Promise<ServerIdentity[]> {
      const out: ServerIdentity[] = [];
      await fetchWithBodies(
        '1:*',
        { items: ['UID', 'RFC822.SIZE'], body: { part: 'header-fields', fields: ['MESSAGE-ID'] } },
        (attributes, body) => {
          if (attributes.uid === undefined) return;
          out.push({ uid: attributes.uid, size: attributes.rfc822Size ?? 0, messageIdHeader: body ? messageIdFromHeader(body.bytes) : null });
        },
        signal,
      );
      return out;
    },
  };
}
