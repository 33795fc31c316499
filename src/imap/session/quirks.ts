/**
 * Server quirks: every rule that exists because one server family (Outlook, Gmail, iCloud,
 * ProtonMail Bridge, Dovecot limits) answers differently from RFC 9051, named after it. The rules
 * are keyed by what the server sends (response text, missing responses), not by its greeting,
 * and apply to every server: the same answer from a proxy or a white-label host means the same.
 * The protocol core and the commands stay generic and call these. Pure functions.
 */

import type { ResponseText, UntaggedResponse } from '../wire/types.js';

/** Outlook / Office 365: "Suggested Backoff Time: N milliseconds" in a NO means throttling. */
export function outlookBackoffMs(text: ResponseText): number | null {
  const match = /Suggested Backoff Time:\s*(\d+)\s*milli/i.exec(text.text);
  return match ? Number(match[1]) : null;
}

/** Outlook / Office 365 after a successful login: "User is authenticated but not connected"
 * means the credentials or token do not give access to this mailbox (IMAP disabled, wrong
 * scope, shared mailbox) — an auth problem, not a bug. */
export function outlookNotConnected(text: ResponseText): boolean {
  return /authenticated but not connected/i.test(text.text);
}

/** Gmail's 15-connection limit, Dovecot's per-user+IP limit: a refused login that is not about
 * the credentials (retry later). */
export function tooManyConnections(serverText: string): boolean {
  return /too many (simultaneous )?connections|maximum number of connections/i.test(serverText);
}

/** Gmail sends the post-login capability list as untagged CAPABILITY during LOGIN/AUTHENTICATE
 * instead of in the tagged OK: the list, or null when `data` is something else. */
export function capabilitiesDuringLogin(data: UntaggedResponse): string[] | null {
  return data.type === 'capability' ? data.capabilities : null;
}

/** iCloud answers ENABLE with a tagged OK and no ENABLED response: what we asked for counts as
 * enabled. */
export function enabledWithoutReport(asked: readonly string[], reported: readonly string[] | null): readonly string[] {
  return reported ?? asked;
}

/** ProtonMail Bridge answers `LIST ... RETURN (...)` with BAD: the caller retries a plain LIST. */
export function listReturnRefused(code: string): boolean {
  return code === 'BAD';
}
