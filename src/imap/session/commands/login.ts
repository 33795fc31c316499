/**
 * LOGIN (RFC 9051 §6.2.3): user and password as strings, never in the trace or the transcript
 * (`LOGIN *** ***`). Refused before anything is sent when the server says LOGINDISABLED.
 */

import { AuthError } from '../../../errors.js';
import { str } from '../../wire/encoder.js';
import { toAuthError } from '../auth-error.js';
import { collectLoginCapabilities } from './login-capabilities.js';
import { execute, type SessionContext } from './command.js';

/** The capabilities the server announced with the login (untagged or in the OK), or null. */
export async function login(session: SessionContext, user: string, password: string, signal?: AbortSignal): Promise<Set<string> | null> {
  if (session.capabilities.has('LOGINDISABLED')) throw new AuthError('the server disabled LOGIN on this connection');
  const announced = collectLoginCapabilities();
  return execute(
    session,
    {
      name: 'LOGIN',
      args: [str(user), str(password)],
      exclusive: true,
      redactedTrace: 'LOGIN *** ***',
      collect: announced.collect,
      done: announced.done,
      failed: (error) => toAuthError(error, 'LOGIN'),
    },
    signal,
  );
}
