/**
 * UIDVALIDITY changed: the old UIDs mean nothing any more and are never reused. Like mbsync, we
 * re-match the messages we hold by Message-ID and size in the new UID space; matched ones move
 * to their new UID, every other location of the old UIDVALIDITY becomes a tombstone, and the
 * caller then fetches whatever is not matched. The cursor restarts at the longest prefix of new
 * UIDs that are all matched, so the cursor invariant holds in the new UID space too.
 */

import { normalizeMessageId } from '../mime/message-id.js';
import type { FolderSession, SyncStore } from './ports.js';

export interface RecoveryInput {
  accountId: number;
  folderId: number;
  oldUidValidity: number;
  newUidValidity: number;
  nowTs: number;
  signal?: AbortSignal;
}

export interface RecoveryOutcome {
  matchedNewUids: Set<number>;
  tombstoned: number;
}

export async function recoverUidValidity(
  session: FolderSession,
  store: SyncStore,
  input: RecoveryInput,
): Promise<RecoveryOutcome> {
  const known = await store.listLocations(input.folderId, input.oldUidValidity);
  const oldUidsByKey = new Map<string, number[]>();
  for (const location of known) {
    const key = `${location.messageId}\u0000${location.size}`;
    const list = oldUidsByKey.get(key);
    if (list) list.push(location.uid);
    else oldUidsByKey.set(key, [location.uid]);
  }
  for (const list of oldUidsByKey.values()) list.sort((a, b) => a - b);

  // Nothing held: no identity FETCH (nothing could match anyway).
  // Stryker disable next-line ArrayDeclaration: equivalent — with no known location no identity matches
  const identities = known.length === 0 ? [] : await session.fetchIdentities(input.signal);
  identities.sort((a, b) => a.uid - b.uid);
  const matches: Array<{ oldUid: number; newUid: number }> = [];
  for (const identity of identities) {
    const messageId = normalizeMessageId(identity.messageIdHeader);
    // Stryker disable next-line ConditionalExpression: equivalent — stored Message-IDs are never "null" (bracketed or a sha256 fallback), so a null key matches nothing either way
    if (messageId === null) continue;
    const candidates = oldUidsByKey.get(`${messageId}\u0000${identity.size}`);
    const oldUid = candidates?.shift();
    if (oldUid !== undefined) matches.push({ oldUid, newUid: identity.uid });
  }
  const matchedNewUids = new Set(matches.map((match) => match.newUid));
  let cursor = 0;
  for (const identity of identities) {
    if (!matchedNewUids.has(identity.uid)) break;
    cursor = identity.uid;
  }
  const { tombstoned } = await store.remapUidValidity({
    accountId: input.accountId,
    folderId: input.folderId,
    oldUidValidity: input.oldUidValidity,
    newUidValidity: input.newUidValidity,
    matches,
    cursor,
    lastSyncAt: input.nowTs,
  });
  return { matchedNewUids, tombstoned };
}
