/**
 * SELECT / EXAMINE (RFC 9051 §6.3.2–3) with CONDSTORE or QRESYNC parameters (RFC 7162) when
 * enabled, and the `SelectResult` gathered from the untagged data answering it. Only responses
 * that arrive while the command is on the wire count: a queued SELECT never sees the previous
 * mailbox's EXISTS (that goes to the unsolicited listeners).
 */

import { atom, list, mailbox, sequence, type CommandArg } from '../../wire/encoder.js';
import type { FetchAttributes, NumberRange, UntaggedResponse } from '../../wire/types.js';
import { execute, type SessionContext } from './command.js';

/** What SELECT / EXAMINE reported about the mailbox. */
export interface SelectResult {
  /** Number of messages in the mailbox (EXISTS). */
  exists: number;
  /** The mailbox's UIDVALIDITY (0 if the server sent none); when it changes, all UIDs known before are void. */
  uidValidity: number;
  /** The UID the next new message will get, or null when the server did not say. */
  uidNext: number | null;
  /** null when the server has no CONDSTORE for this mailbox (NOMODSEQ). */
  highestModseq: bigint | null;
  /** Flags defined in the mailbox (FLAGS response), e.g. `\Seen`, `\Answered`, keywords. */
  flags: string[];
  /** Flags the client can change permanently (PERMANENTFLAGS); `\*` means new keywords may be created. Empty when not sent. */
  permanentFlags: string[];
  /** True for EXAMINE or when the server answered `[READ-ONLY]`: no changes can be made. */
  readOnly: boolean;
  /** QRESYNC: UIDs vanished since the given modseq. */
  vanished: NumberRange[];
  /** QRESYNC: FETCH (flags) data received during SELECT/EXAMINE. */
  changed: FetchAttributes[];
}

export interface SelectOptions {
  /** EXAMINE instead of SELECT. */
  readOnly?: boolean;
  /** QRESYNC resynchronisation (used only when QRESYNC is enabled). */
  qresync?: {
    /** The UIDVALIDITY the client's cached state belongs to. */
    uidValidity: number;
    /** The highest mod-sequence the client has seen; changes after it are reported. */
    modseq: bigint;
    /** UID set the client knows (e.g. `1:500`), to narrow the VANISHED report. */
    knownUids?: string;
  };
}

export async function select(session: SessionContext, name: string, options: SelectOptions = {}, signal?: AbortSignal): Promise<SelectResult> {
  const result: SelectResult = {
    exists: 0,
    uidValidity: 0,
    uidNext: null,
    highestModseq: null,
    flags: [],
    permanentFlags: [],
    readOnly: options.readOnly === true,
    vanished: [],
    changed: [],
  };
  let sawNoModseq = false;
  const collect = (data: UntaggedResponse): boolean => {
    switch (data.type) {
      case 'exists':
        result.exists = data.count;
        return true;
      case 'flags':
        result.flags = data.flags;
        return true;
      case 'vanished':
        // Never spread a server-sized list into a call (a long VANISHED overflows the stack).
        for (const range of data.uids) result.vanished.push(range);
        return true;
      case 'fetch':
        result.changed.push(data.attributes);
        return true;
      case 'recent':
        return true;
      case 'condition': {
        const code = data.text.code;
        if (!code || data.condition !== 'OK') return false;
        if (code.name === 'UIDVALIDITY') result.uidValidity = code.value;
        else if (code.name === 'UIDNEXT') result.uidNext = code.value;
        else if (code.name === 'HIGHESTMODSEQ') result.highestModseq = code.value;
        else if (code.name === 'PERMANENTFLAGS') result.permanentFlags = code.flags;
        else if (code.name === 'ATOM' && code.atom === 'NOMODSEQ') sawNoModseq = true;
        else if (code.name === 'ATOM' && code.atom === 'CLOSED') return true;
        else return false;
        return true;
      }
      default:
        return false;
    }
  };
  const readOnlyCode = await execute(
    session,
    {
      name: options.readOnly ? 'EXAMINE' : 'SELECT',
      args: selectArgs(session, name, options),
      exclusive: true,
      collect,
      done: (text) => text.code?.name === 'ATOM' && text.code.atom === 'READ-ONLY',
    },
    signal,
  );
  if (readOnlyCode) result.readOnly = true;
  if (sawNoModseq) result.highestModseq = null;
  return result;
}

function selectArgs(session: SessionContext, name: string, options: SelectOptions): CommandArg[] {
  const args: CommandArg[] = [mailbox(name)];
  if (options.qresync && session.enabled.has('QRESYNC')) {
    const params: CommandArg[] = [atom(String(options.qresync.uidValidity)), atom(String(options.qresync.modseq))];
    if (options.qresync.knownUids) params.push(sequence(options.qresync.knownUids));
    args.push(list(atom('QRESYNC'), list(...params)));
  } else if (session.enabled.has('CONDSTORE') || session.capabilities.has('CONDSTORE')) {
    args.push(list(atom('CONDSTORE')));
  }
  return args;
}
