/**
 * Choosing how to log in: PLAIN when offered else LOGIN for passwords (or the forced
 * `passwordMechanism`); OAUTHBEARER when offered else XOAUTH2 for tokens (or the forced
 * `oauthMechanism`). A token provider whose token is refused (AUTH) is asked again with
 * `forceRefresh` and the login retried once.
 */

import { AuthError, isPrxError } from '../../errors.js';
import { authenticate } from './commands/authenticate.js';
import type { SessionContext } from './commands/command.js';
import { login } from './commands/login.js';
import { oauthbearerPayload, plainPayload, xoauth2Payload } from './sasl.js';
import type { ImapConnectionConfig } from './validate-config.js';

export interface AuthOptions extends ImapConnectionConfig {
  passwordMechanism?: 'LOGIN' | 'PLAIN';
  oauthMechanism?: 'XOAUTH2' | 'OAUTHBEARER';
  signal?: AbortSignal;
}

/** Logs in; returns the capabilities the server announced with the login, or null. */
export async function logIn(session: SessionContext, options: AuthOptions): Promise<Set<string> | null> {
  try {
    return await logInOnce(session, options, false);
  } catch (error) {
    if (!isPrxError(error) || error.code !== 'AUTH' || !options.auth.oauthTokenProvider) throw error;
    return logInOnce(session, options, true);
  }
}

async function logInOnce(session: SessionContext, options: AuthOptions, forceRefresh: boolean): Promise<Set<string> | null> {
  const { auth, user, signal } = options;
  if (auth.password !== undefined && auth.password !== '') {
    const usePlain = options.passwordMechanism === 'PLAIN' || (options.passwordMechanism !== 'LOGIN' && session.capabilities.has('AUTH=PLAIN'));
    if (usePlain) return authenticate(session, 'PLAIN', plainPayload(user, auth.password), signal);
    return login(session, user, auth.password, signal);
  }
  const token = auth.oauthTokenProvider ? await auth.oauthTokenProvider({ user, forceRefresh }) : (auth.oauthToken as string);
  const preferBearer = options.oauthMechanism !== 'XOAUTH2';
  if (options.oauthMechanism === 'OAUTHBEARER' || (preferBearer && session.capabilities.has('AUTH=OAUTHBEARER'))) {
    return authenticate(session, 'OAUTHBEARER', oauthbearerPayload(user, options.host, options.port, token), signal);
  }
  if (options.oauthMechanism === 'XOAUTH2' || session.capabilities.has('AUTH=XOAUTH2')) {
    return authenticate(session, 'XOAUTH2', xoauth2Payload(user, token), signal);
  }
  throw new AuthError('the server offers neither AUTH=OAUTHBEARER nor AUTH=XOAUTH2');
}
