/**
 * What a full LIST says about the folders the store knows: which were renamed, which are gone,
 * which came back. Pure planning; the caller runs STATUS through `statusOf` and applies the plan.
 *
 * - Gone: a stored folder the LIST no longer shows and that STATUS refuses (a
 *   folder outside what `LIST "" "*"` shows, such as one in a shared namespace, is not gone;
 *   INBOX never is).
 * - Renamed: a gone folder that was synced, and a listed folder the store does not know yet with
 *   the same UIDVALIDITY (STATUS) whose UIDNEXT lies above every UID we hold. Servers keep a
 *   mailbox's UIDVALIDITY across RENAME (Dovecot, Cyrus, Gmail labels), and UIDVALIDITY values
 *   are chosen to differ between mailboxes, so the pair means the same mailbox under a new name:
 *   its rows are kept and nothing is downloaded again. Two candidates with the same UIDVALIDITY
 *   are ambiguous and treated as gone + new.
 * - Back: a folder marked gone that the LIST shows again.
 */

import type { MailboxInfo } from '../imap/session/client.js';

export interface KnownFolderState {
  id: number;
  name: string;
  uidValidity: number | null;
  /** Highest UID the store holds for it (0 when none). */
  highestUid: number;
  synced: boolean;
  deletedAt: number | null;
}

export interface FolderStatusSummary {
  uidValidity: number | null;
  uidNext: number | null;
}

export interface LifecyclePlan {
  renames: Array<{ folderId: number; from: string; to: MailboxInfo }>;
  gone: Array<{ folderId: number; name: string }>;
  back: number[];
}

export async function planFolderLifecycle(
  known: readonly KnownFolderState[],
  listed: readonly MailboxInfo[],
  statusOf: (folder: MailboxInfo) => Promise<FolderStatusSummary | null>,
  stillThere: (name: string) => Promise<boolean>,
): Promise<LifecyclePlan> {
  // Listed at all (a \Noselect parent such as Gmail's "[Gmail]" is there, just not selectable).
  const listedNames = new Set(listed.map((folder) => folder.name));
  const present = new Map(listed.filter((folder) => folder.selectable).map((folder) => [folder.name, folder]));
  const knownNames = new Set(known.filter((folder) => folder.synced).map((folder) => folder.name));
  const missing: KnownFolderState[] = [];
  for (const folder of known) {
    if (listedNames.has(folder.name) || folder.name.toUpperCase() === 'INBOX') continue;
    if (folder.deletedAt === null && (await stillThere(folder.name))) continue;
    missing.push(folder);
  }
  const plan: LifecyclePlan = { renames: [], gone: [], back: [] };
  plan.back = known.filter((folder) => folder.deletedAt !== null && present.has(folder.name)).map((folder) => folder.id);

  const candidates = missing.filter((folder) => folder.synced && folder.uidValidity !== null);
  const renamed = new Set<number>();
  if (candidates.length > 0) {
    for (const fresh of present.values()) {
      if (knownNames.has(fresh.name)) continue;
      const open = candidates.filter((folder) => !renamed.has(folder.id));
      if (open.length === 0) break;
      const status = await statusOf(fresh);
      if (!status || status.uidValidity === null) continue;
      const same = open.filter((folder) => folder.uidValidity === status.uidValidity);
      if (same.length !== 1) continue;
      const match = same[0] as KnownFolderState;
      if (status.uidNext !== null && status.uidNext <= match.highestUid) continue;
      renamed.add(match.id);
      plan.renames.push({ folderId: match.id, from: match.name, to: fresh });
    }
  }
  plan.gone = missing
    .filter((folder) => !renamed.has(folder.id) && folder.deletedAt === null)
    .map((folder) => ({ folderId: folder.id, name: folder.name }));
  return plan;
}
