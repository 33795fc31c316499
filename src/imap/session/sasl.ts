/**
 * SASL payloads for AUTHENTICATE (RFC 4616 PLAIN, Google/Microsoft XOAUTH2, RFC 7628
 * OAUTHBEARER) and decoding of the server's base64 JSON error challenge. Pure functions.
 */

const encoder = new TextEncoder();
const b64 = (text: string): string => Buffer.from(encoder.encode(text)).toString('base64');

export type SaslMechanism = 'PLAIN' | 'XOAUTH2' | 'OAUTHBEARER';

export function plainPayload(user: string, password: string, authzid = ''): string {
  return b64(`${authzid}\u0000${user}\u0000${password}`);
}

export function xoauth2Payload(user: string, token: string): string {
  return b64(`user=${user}\u0001auth=Bearer ${token}\u0001\u0001`);
}

export function oauthbearerPayload(user: string, host: string, port: number, token: string): string {
  const authzid = user.replace(/=/g, '=3D').replace(/,/g, '=2C');
  return b64(`n,a=${authzid},\u0001host=${host}\u0001port=${port}\u0001auth=Bearer ${token}\u0001\u0001`);
}

/** The reply to an error challenge: XOAUTH2 expects an empty line, OAUTHBEARER a single %x01. */
export function errorChallengeReply(mechanism: SaslMechanism): string {
  return mechanism === 'OAUTHBEARER' ? b64('\u0001') : '';
}

/** Decodes `+ base64(JSON)` error challenges, e.g. {"status":"invalid_token","scope":...}. */
export function describeSaslChallenge(text: string): string | null {
  // An empty challenge decodes to '' and fails JSON.parse like any non-JSON one (Node's base64
  // decoder skips the whitespace around it).
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Record<string, unknown>;
    return Object.entries(parsed)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ');
  } catch {
    return null;
  }
}
