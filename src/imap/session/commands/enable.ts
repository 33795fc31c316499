/** ENABLE (RFC 5161): turns on the extensions asked for that the server offers. */

import { atom } from '../../wire/encoder.js';
import { enabledWithoutReport } from '../quirks.js';
import { collectResponses, type SessionContext } from './command.js';

/** The extensions now enabled (upper-cased; QRESYNC implies CONDSTORE, RFC 7162 §3.2.3), or
 * an empty list when nothing asked for is offered or ENABLE itself is missing. */
export async function enable(session: SessionContext, wanted: readonly string[], signal?: AbortSignal): Promise<string[]> {
  const offered = wanted.filter((c) => session.capabilities.has(c.toUpperCase()));
  if (offered.length === 0 || !session.capabilities.has('ENABLE')) return [];
  const responses = await collectResponses(session, 'ENABLE', offered.map((c) => atom(c)), 'enabled', signal);
  const reported = responses.length === 0 ? null : responses.flatMap((r) => r.capabilities);
  const enabled = enabledWithoutReport(offered, reported).map((c) => c.toUpperCase());
  if (enabled.includes('QRESYNC')) enabled.push('CONDSTORE');
  return enabled;
}
