/**
 * STATUS (RFC 9051 §6.3.11): counters of a mailbox that is not selected, as a `MailboxStatus`
 * (uidNext, uidValidity, highestModseq — the spelling of every layer; also used by LIST-STATUS).
 */

import { atom, list, mailbox } from '../../wire/encoder.js';
import type { StatusAttributes } from '../../wire/types.js';
import { collectResponses, type SessionContext } from './command.js';

export type StatusItem = 'MESSAGES' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE' | 'HIGHESTMODSEQ' | 'RECENT';

/** What the server reported (the wire layer's `StatusAttributes`); items it did not report are absent. */
export type MailboxStatus = StatusAttributes;

export async function status(session: SessionContext, name: string, items: readonly StatusItem[], signal?: AbortSignal): Promise<MailboxStatus> {
  const responses = await collectResponses(session, 'STATUS', [mailbox(name), list(...items.map((item) => atom(item)))], 'status', signal);
  return responses.at(-1)?.attributes ?? {};
}
