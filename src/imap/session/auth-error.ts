/**
 * The error a failed LOGIN / AUTHENTICATE becomes: THROTTLED when the server refuses for now
 * (too many connections, [UNAVAILABLE]: the credentials are fine, retry later), AUTH when it
 * rejects the credentials (with the decoded SASL error challenge, if any), else unchanged.
 */

import { AuthError, ThrottledError, type PrxError } from '../../errors.js';
import { tooManyConnections } from './quirks.js';

export function toAuthError(error: PrxError, command: string, challenge: string | null = null): PrxError {
  const details = {
    command,
    ...(error.responseCode ? { responseCode: error.responseCode } : {}),
    ...(error.serverText ? { serverText: error.serverText } : {}),
  };
  if (error.code === 'NO' && (error.responseCode === 'UNAVAILABLE' || tooManyConnections(error.serverText ?? ''))) {
    return new ThrottledError(`${command} refused for now: ${error.serverText ?? error.message}`, details);
  }
  if (error.code === 'NO' || error.code === 'BAD') {
    return new AuthError(`${command} rejected: ${error.serverText ?? error.message}${challenge ? ` (${challenge})` : ''}`, details);
  }
  return error;
}
