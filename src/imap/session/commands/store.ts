/** UID STORE (RFC 9051 §6.4.6), always .SILENT: adds, removes or replaces flags. */

import { atom, list, sequence } from '../../wire/encoder.js';
import { execute, type SessionContext } from './command.js';

export type StoreAction = 'add' | 'remove' | 'replace';

const ITEM: Record<StoreAction, string> = { add: '+FLAGS.SILENT', remove: '-FLAGS.SILENT', replace: 'FLAGS.SILENT' };

export async function uidStore(session: SessionContext, set: string, action: StoreAction, flags: readonly string[], signal?: AbortSignal): Promise<void> {
  const args = [sequence(set), atom(ITEM[action]), list(...flags.map((f) => atom(f)))];
  await execute(session, { name: 'UID STORE', args, done: () => undefined }, signal);
}
