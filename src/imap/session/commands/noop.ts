/** NOOP (RFC 9051 §6.1.2): a round trip; pending unsolicited data arrives with it. */

import { execute, type SessionContext } from './command.js';

export async function noop(session: SessionContext, signal?: AbortSignal): Promise<void> {
  await execute(session, { name: 'NOOP', args: [], done: () => undefined }, signal);
}
