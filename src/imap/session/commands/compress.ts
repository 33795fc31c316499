/** COMPRESS DEFLATE (RFC 4978), the protocol half: the caller switches the transport on OK. */

import { atom } from '../../wire/encoder.js';
import { execute, type SessionContext } from './command.js';

/** True when the server agreed (compression starts right after), false when not offered. */
export async function compress(session: SessionContext, signal?: AbortSignal): Promise<boolean> {
  if (!session.capabilities.has('COMPRESS=DEFLATE')) return false;
  await execute(session, { name: 'COMPRESS', args: [atom('DEFLATE')], exclusive: true, done: () => undefined }, signal);
  return true;
}
