/** CAPABILITY (RFC 9051 §6.1.1): the server's capability list, upper-cased. */

import type { ResponseText } from '../../wire/types.js';
import { collectResponses, type SessionContext } from './command.js';

/** The list the server sent, or null when it answered OK without one. */
export async function capability(session: SessionContext, signal?: AbortSignal): Promise<Set<string> | null> {
  const responses = await collectResponses(session, 'CAPABILITY', [], 'capability', signal);
  const last = responses.at(-1);
  return last ? toCapabilitySet(last.capabilities) : null;
}

export function toCapabilitySet(capabilities: readonly string[]): Set<string> {
  return new Set(capabilities.map((c) => c.toUpperCase()));
}

/** A `[CAPABILITY ...]` response code (greeting, LOGIN's OK), or null. */
export function capabilitiesFromCode(text: ResponseText): Set<string> | null {
  return text.code?.name === 'CAPABILITY' ? toCapabilitySet(text.code.capabilities) : null;
}
