/**
 * STATUS (RFC 9051 §6.3.11): counters of a mailbox that is not selected, as a `MailboxStatus`
 * (the session's spelling: uidNext, uidValidity, highestModseq — also used by LIST-STATUS).
 */

import { atom, list, mailbox } from '../../wire/encoder.js';
import type { StatusAttributes } from '../../wire/types.js';
import { collectResponses, type SessionContext } from './command.js';

export type StatusItem = 'MESSAGES' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE' | 'HIGHESTMODSEQ' | 'RECENT';

/** What the server reported; items it did not report are absent. */
export interface MailboxStatus {
  /** Number of messages in the mailbox. */
  messages?: number;
  /** Number of messages with the `\Recent` flag (IMAP4rev1 only). */
  recent?: number;
  /** The UID the next new message will get (UIDNEXT). */
  uidNext?: number;
  /** The mailbox's UIDVALIDITY; when it changes, all UIDs known before are void. */
  uidValidity?: number;
  /** Number of messages without the `\Seen` flag. */
  unseen?: number;
  /** Number of messages with the `\Deleted` flag (IMAP4rev2). */
  deleted?: number;
  /** Total size of the mailbox's messages in bytes (IMAP4rev2 / STATUS=SIZE). */
  size?: number;
  /** Highest mod-sequence of the mailbox (CONDSTORE, RFC 7162). */
  highestModseq?: bigint;
}

export async function status(session: SessionContext, name: string, items: readonly StatusItem[], signal?: AbortSignal): Promise<MailboxStatus> {
  const responses = await collectResponses(session, 'STATUS', [mailbox(name), list(...items.map((item) => atom(item)))], 'status', signal);
  return toMailboxStatus(responses.at(-1)?.attributes ?? {});
}

export function toMailboxStatus(attributes: StatusAttributes): MailboxStatus {
  const out: MailboxStatus = {};
  if (attributes.messages !== undefined) out.messages = attributes.messages;
  if (attributes.recent !== undefined) out.recent = attributes.recent;
  if (attributes.uidnext !== undefined) out.uidNext = attributes.uidnext;
  if (attributes.uidvalidity !== undefined) out.uidValidity = attributes.uidvalidity;
  if (attributes.unseen !== undefined) out.unseen = attributes.unseen;
  if (attributes.deleted !== undefined) out.deleted = attributes.deleted;
  if (attributes.size !== undefined) out.size = attributes.size;
  if (attributes.highestmodseq !== undefined) out.highestModseq = attributes.highestmodseq;
  return out;
}
