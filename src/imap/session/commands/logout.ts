/** LOGOUT (RFC 9051 §6.1.3): the server's BYE is expected, not an error. */

import { execute, type SessionContext } from './command.js';

/** Never throws: the connection goes away either way. */
export async function logout(session: SessionContext): Promise<void> {
  try {
    await execute(session, { name: 'LOGOUT', args: [], exclusive: true, done: () => undefined });
  } catch {
    // Closed, BYE before OK, or NO: nothing left to do on this connection.
  }
}
