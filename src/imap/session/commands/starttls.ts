/**
 * STARTTLS (RFC 9051 §6.2.1), the protocol half: refuses to go on when the server does not offer
 * it (no credentials are ever sent in plain text); the caller seals the connection against
 * injected plaintext and upgrades the transport.
 */

import { TlsError } from '../../../errors.js';
import { execute, type SessionContext } from './command.js';

export async function startTls(session: SessionContext, signal?: AbortSignal): Promise<void> {
  if (!session.capabilities.has('STARTTLS')) {
    throw new TlsError('the server does not offer STARTTLS; refusing to continue without TLS');
  }
  await execute(session, { name: 'STARTTLS', args: [], exclusive: true, done: () => undefined }, signal);
}
