/**
 * UID FETCH (RFC 9051 §6.4.5) with streamed body literals and the CHANGEDSINCE / VANISHED
 * modifiers (RFC 7162). Callers describe what they want with `FetchOptions`; the item list is
 * built here. FETCH responses without a UID (unsolicited flag updates) are not claimed: they go
 * to the unsolicited listeners.
 */

import { ConfigError } from '../../../errors.js';
import { atom, list, raw, sequence, type CommandArg } from '../../wire/encoder.js';
import type { FetchAttributes, NumberRange, UntaggedResponse } from '../../wire/types.js';
import type { BodyEvent } from '../core.js';
import { execute, type SessionContext } from './command.js';

export type FetchItem = 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'MODSEQ' | 'X-GM-MSGID' | 'X-GM-THRID' | 'X-GM-LABELS';

/** Which part of each message to stream; always BODY.PEEK (never sets \Seen). */
export type FetchBody =
  | {
      /** The whole message, `BODY.PEEK[]`. */
      part: 'full';
    }
  | {
      /** The header only, `BODY.PEEK[HEADER]`. */
      part: 'header';
    }
  | {
      /** Only some header fields, `BODY.PEEK[HEADER.FIELDS (...)]`. */
      part: 'header-fields';
      /** Names of the header fields, e.g. `['From', 'Subject']`. */
      fields: string[];
    };

export interface FetchOptions {
  /** Data items, sent in this order (before the body). */
  items: readonly FetchItem[];
  /** Message content to stream to `handlers.body` after the items; none when omitted. */
  body?: FetchBody;
  /** CONDSTORE: only messages whose modseq is above this. */
  changedSince?: bigint;
  /** QRESYNC: also report UIDs expunged since `changedSince` (when QRESYNC is enabled). */
  vanished?: boolean;
}

export interface FetchedResponse {
  seq: number;
  attributes: FetchAttributes;
}

export interface FetchHandlers {
  /** Streamed body literals, in order (body-start / body-chunk / body-end carry the seq). */
  body?(event: BodyEvent): void;
  /** Each FETCH response, after its bodies were streamed. */
  message(response: FetchedResponse): void;
}

/** UID FETCH; returns the VANISHED (EARLIER) ranges the server reported. */
export async function uidFetch(session: SessionContext, set: string, options: FetchOptions, handlers: FetchHandlers, signal?: AbortSignal): Promise<NumberRange[]> {
  return fetchItems(session, set, [...options.items.map((item) => atom(item)), ...bodyItem(options.body)], handlers, options, signal);
}

/** UID FETCH of an item list built by `uidFetch`. */
async function fetchItems(
  session: SessionContext,
  set: string,
  items: CommandArg[],
  handlers: FetchHandlers,
  modifiers: { changedSince?: bigint; vanished?: boolean },
  signal?: AbortSignal,
): Promise<NumberRange[]> {
  const args: CommandArg[] = [sequence(set), list(...items)];
  if (modifiers.changedSince !== undefined) {
    const params: CommandArg[] = [atom('CHANGEDSINCE'), atom(String(modifiers.changedSince))];
    if (modifiers.vanished && session.enabled.has('QRESYNC')) params.push(atom('VANISHED'));
    args.push(list(...params));
  }
  const vanished: NumberRange[] = [];
  const collect = (data: UntaggedResponse): boolean => {
    if (data.type === 'fetch' && data.attributes.uid !== undefined) {
      handlers.message({ seq: data.seq, attributes: data.attributes });
      return true;
    }
    if (data.type === 'vanished' && data.earlier) {
      for (const range of data.uids) vanished.push(range);
      return true;
    }
    return false;
  };
  const onBody = handlers.body ? (event: BodyEvent) => handlers.body?.(event) : undefined;
  await execute(session, { name: 'UID FETCH', args, collect, ...(onBody ? { onBody } : {}), done: () => undefined }, signal);
  return vanished;
}

const HEADER_FIELD = /^[!-9;-~]+$/;

function bodyItem(body: FetchBody | undefined): CommandArg[] {
  if (body === undefined) return [];
  if (body.part === 'full') return [raw('BODY.PEEK[]')];
  if (body.part === 'header') return [raw('BODY.PEEK[HEADER]')];
  const bad = body.fields.find((field) => !HEADER_FIELD.test(field) || /[()]/.test(field));
  if (bad !== undefined || body.fields.length === 0) throw new ConfigError(`FETCH: invalid header field name ${JSON.stringify(bad ?? '')}`);
  return [raw(`BODY.PEEK[HEADER.FIELDS (${body.fields.join(' ')})]`)];
}
