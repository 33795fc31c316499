/**
 * LIST (RFC 9051 §6.3.9) with RETURN (SPECIAL-USE) (RFC 6154) and RETURN (STATUS ...) (RFC 5819)
 * when offered, and the `MailboxInfo` a caller sees for each mailbox.
 */

import { isPrxError } from '../../../errors.js';
import { atom, list as listArg, str, type CommandArg } from '../../wire/encoder.js';
import { decodeMailboxName } from '../../wire/mailbox-name.js';
import type { ListResponse, UntaggedResponse } from '../../wire/types.js';
import { listReturnRefused } from '../quirks.js';
import { execute, type SessionContext } from './command.js';
import type { MailboxStatus } from './status.js';

/** A mailbox (folder) as LIST reports it. */
export interface MailboxInfo {
  /** The name as the server spells it (use this in commands). */
  name: string;
  /** Decoded from modified UTF-7 for display. */
  displayName: string;
  /** The hierarchy delimiter (e.g. `/` or `.`), or null when the server has no hierarchy. */
  delimiter: string | null;
  /** The mailbox's LIST attributes as sent, e.g. `\HasChildren`, `\Noselect`, `\Sent`. */
  attributes: string[];
  /** e.g. "\\Sent", or null. */
  specialUse: string | null;
  /** False for `\Noselect` and `\NonExistent` mailboxes, which cannot be selected or synced. */
  selectable: boolean;
  /** Counters from LIST-STATUS (RFC 5819), when `status: true` was asked and the server supports it. */
  status?: MailboxStatus;
}

export interface ListOptions {
  reference?: string;
  pattern?: string;
  /** Ask for MESSAGES/UIDNEXT/UIDVALIDITY(/HIGHESTMODSEQ) with each mailbox (LIST-STATUS). */
  status?: boolean;
}

const SPECIAL_USE = new Set(['\\all', '\\archive', '\\drafts', '\\flagged', '\\junk', '\\sent', '\\trash', '\\important']);

export async function listMailboxes(session: SessionContext, options: ListOptions = {}, signal?: AbortSignal): Promise<MailboxInfo[]> {
  const entries: MailboxInfo[] = [];
  const statuses = new Map<string, MailboxStatus>();
  const returnOptions: CommandArg[] = [];
  if (session.capabilities.has('SPECIAL-USE')) returnOptions.push(atom('SPECIAL-USE'));
  if (options.status === true && session.capabilities.has('LIST-STATUS')) {
    const items = ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', ...(session.capabilities.has('CONDSTORE') ? ['HIGHESTMODSEQ'] : [])];
    returnOptions.push(atom('STATUS'), listArg(...items.map((item) => atom(item))));
  }
  const utf8Accept = session.enabled.has('UTF8=ACCEPT');
  const collect = (data: UntaggedResponse): boolean => {
    if (data.type === 'list' && data.command === 'LIST') {
      entries.push(toMailboxInfo(data, utf8Accept));
      return true;
    }
    if (data.type === 'status') {
      statuses.set(data.mailbox, data.attributes);
      return true;
    }
    return false;
  };
  const base = [str(options.reference ?? ''), str(options.pattern ?? '*')];
  const run = (args: CommandArg[]): Promise<void> => execute(session, { name: 'LIST', args, collect, done: () => undefined }, signal);
  try {
    await run(returnOptions.length > 0 ? [...base, atom('RETURN'), listArg(...returnOptions)] : base);
  } catch (error) {
    if (returnOptions.length === 0 || !isPrxError(error) || !listReturnRefused(error.code)) throw error;
    entries.length = 0;
    await run(base);
  }
  for (const entry of entries) {
    const status = statuses.get(entry.name);
    if (status) entry.status = status;
  }
  return entries;
}

/** Under UTF8=ACCEPT the server's names are UTF-8 already: the display name is the name. */
export function toMailboxInfo(data: ListResponse, utf8Accept: boolean): MailboxInfo {
  const lower = data.attributes.map((a) => a.toLowerCase());
  const special = data.attributes.find((a) => SPECIAL_USE.has(a.toLowerCase())) ?? null;
  return {
    name: data.mailbox,
    displayName: utf8Accept ? data.mailbox : decodeMailboxName(data.mailbox),
    delimiter: data.delimiter,
    attributes: data.attributes,
    specialUse: special,
    selectable: !lower.includes('\\noselect') && !lower.includes('\\nonexistent'),
  };
}
