/** UID EXPUNGE (RFC 4315 / RFC 9051 §6.4.9): removes the \Deleted messages of a UID set. */

import { sequence } from '../../wire/encoder.js';
import { execute, type SessionContext } from './command.js';

export async function uidExpunge(session: SessionContext, set: string, signal?: AbortSignal): Promise<void> {
  await execute(session, { name: 'UID EXPUNGE', args: [sequence(set)], done: () => undefined }, signal);
}
