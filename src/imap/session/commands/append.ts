/** APPEND (RFC 9051 §6.3.12): uploads a message (a literal; LITERAL+ when offered). */

import { atom, list, mailbox } from '../../wire/encoder.js';
import type { ResponseText } from '../../wire/types.js';
import { execute, type SessionContext } from './command.js';

/** The tagged OK's text (carries [APPENDUID ...] under UIDPLUS). */
export async function append(session: SessionContext, name: string, message: Uint8Array, flags: readonly string[] = [], signal?: AbortSignal): Promise<ResponseText> {
  const args = [mailbox(name), list(...flags.map((f) => atom(f))), { kind: 'literal' as const, value: message }];
  return execute(session, { name: 'APPEND', args, done: (text) => text }, signal);
}
