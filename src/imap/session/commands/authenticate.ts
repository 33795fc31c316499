/**
 * AUTHENTICATE (RFC 9051 §6.2.2) with one SASL payload (PLAIN, XOAUTH2, OAUTHBEARER): the
 * initial response inline under SASL-IR (RFC 4959), else after the first `+`. An error challenge
 * (`+ base64(JSON)`) is answered so the server can finish with NO, and decoded into the AUTH
 * error. The payload never reaches the trace or the transcript.
 */

import { atom } from '../../wire/encoder.js';
import { toAuthError } from '../auth-error.js';
import { describeSaslChallenge, errorChallengeReply, type SaslMechanism } from '../sasl.js';
import { collectLoginCapabilities } from './login-capabilities.js';
import { execute, type SessionContext } from './command.js';

const encoder = new TextEncoder();

/** The capabilities the server announced with the login (untagged or in the OK), or null. */
export async function authenticate(session: SessionContext, mechanism: SaslMechanism, payload: string, signal?: AbortSignal): Promise<Set<string> | null> {
  const saslIr = session.capabilities.has('SASL-IR');
  let sentPayload = saslIr;
  let challengeError: string | null = null;
  const announced = collectLoginCapabilities();
  return execute(
    session,
    {
      name: 'AUTHENTICATE',
      args: saslIr ? [atom(mechanism), atom(payload === '' ? '=' : payload)] : [atom(mechanism)],
      exclusive: true,
      redactedTrace: `AUTHENTICATE ${mechanism} ***`,
      collect: announced.collect,
      onContinuation: (challenge) => {
        if (!sentPayload) {
          sentPayload = true;
          return encoder.encode(payload);
        }
        challengeError = describeSaslChallenge(challenge) ?? challengeError;
        return encoder.encode(errorChallengeReply(mechanism));
      },
      done: announced.done,
      failed: (error) => toAuthError(error, `AUTHENTICATE ${mechanism}`, challengeError),
    },
    signal,
  );
}
