/** STATUS (RFC 9051 §6.3.11): counters of a mailbox that is not selected. */

import { atom, list, mailbox } from '../../wire/encoder.js';
import type { StatusAttributes } from '../../wire/types.js';
import { collectResponses, type SessionContext } from './command.js';

export type StatusItem = 'MESSAGES' | 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN' | 'DELETED' | 'SIZE' | 'HIGHESTMODSEQ' | 'RECENT';

export async function status(session: SessionContext, name: string, items: readonly StatusItem[], signal?: AbortSignal): Promise<StatusAttributes> {
  const responses = await collectResponses(session, 'STATUS', [mailbox(name), list(...items.map((item) => atom(item)))], 'status', signal);
  return responses.at(-1)?.attributes ?? {};
}
