/**
 * An in-memory SyncStore (the engine's store port) that keeps the same rules as the sql.js
 * store: one message row per identity (Message-ID and fingerprint, see `messageKey`; a truncated
 * row is completed only by a full copy of the same message), one location per (folder,
 * uidvalidity, uid), tombstones, and all-or-nothing batches. Test-only; the real adapter is
 * tested against sql.js.
 */

import type { MessageRecord } from '../../src/mime/types.js';
import type { FolderSyncState, KnownLocation, SyncBatch, SyncStore } from '../../src/sync/ports.js';

/** The key of a message row: its identity, Message-ID and fingerprint. */
export function messageKey(record: Pick<MessageRecord, 'messageId' | 'fingerprint'>): string {
  return `${record.messageId}\n${record.fingerprint}`;
}

export interface MemoryLocation {
  folderId: number;
  uidValidity: number;
  uid: number;
  messageId: string;
  /** `messageKey` of its row in `messages`. */
  key: string;
  flags: string[];
  modseq: bigint | null;
  deletedAt: number | null;
}

export interface MemorySyncStore extends SyncStore {
  /** Message rows by `messageKey`. */
  messages: Map<string, MessageRecord>;
  locations: MemoryLocation[];
  states: Map<number, FolderSyncState>;
  batchesApplied: number;
  /** Make the next applyBatch throw (simulates a crash before commit). */
  failNextApply: boolean;
}

export function createMemorySyncStore(): MemorySyncStore {
  const folders = new Map<string, number>();
  const store: MemorySyncStore = {
    messages: new Map(),
    locations: [],
    states: new Map(),
    batchesApplied: 0,
    failNextApply: false,
    async findFolderState(accountId, folder) {
      return folders.has(`${accountId}::${folder}`) ? store.loadFolderState(accountId, folder) : null;
    },
    async loadFolderState(accountId, folder) {
      const key = `${accountId}::${folder}`;
      let folderId = folders.get(key);
      if (folderId === undefined) {
        folderId = folders.size + 1;
        folders.set(key, folderId);
        store.states.set(folderId, { folderId, cursor: 0, coveredFrom: 1, uidValidity: null, uidNext: null, highestModseq: null, liveCount: 0 });
      }
      const state = store.states.get(folderId) as FolderSyncState;
      const liveCount = store.locations.filter(
        (l) => l.folderId === folderId && l.uidValidity === state.uidValidity && l.deletedAt === null,
      ).length;
      return { ...state, liveCount };
    },
    async listLocations(folderId, uidValidity): Promise<KnownLocation[]> {
      return store.locations
        .filter((l) => l.folderId === folderId && l.uidValidity === uidValidity && l.deletedAt === null)
        .map((l) => ({
          uid: l.uid,
          flags: [...l.flags],
          modseq: l.modseq,
          messageId: l.messageId,
          size: (store.messages.get(l.key) as MessageRecord).size,
        }));
    },
    async applyBatch(input: SyncBatch) {
      if (store.failNextApply) {
        store.failNextApply = false;
        throw new Error('simulated crash before commit');
      }
      // A folder's first batch creates its row (like the store, in the same all-or-nothing step).
      const folderId = input.folderId !== null ? input.folderId : (await store.loadFolderState(input.accountId, input.newFolder.name)).folderId;
      const batch = { ...input, folderId };
      for (const m of batch.messages) {
        const key = messageKey(m.record);
        const row = store.messages.get(key);
        if (!row || (row.truncated && !m.record.truncated)) store.messages.set(key, m.record);
        const existing = store.locations.find(
          (l) => l.folderId === batch.folderId && l.uidValidity === batch.uidValidity && l.uid === m.uid,
        );
        if (existing) {
          existing.messageId = m.record.messageId;
          existing.key = key;
          existing.flags = m.flags;
          existing.modseq = m.modseq;
        } else {
          store.locations.push({
            folderId: batch.folderId,
            uidValidity: batch.uidValidity,
            uid: m.uid,
            messageId: m.record.messageId,
            key,
            flags: m.flags,
            modseq: m.modseq,
            deletedAt: null,
          });
        }
      }
      for (const update of batch.flagUpdates) {
        const l = store.locations.find(
          (x) => x.folderId === batch.folderId && x.uidValidity === batch.uidValidity && x.uid === update.uid,
        );
        if (l) {
          l.flags = update.flags;
          l.modseq = update.modseq;
        }
      }
      for (const uid of batch.expungedUids) {
        const l = store.locations.find(
          (x) => x.folderId === batch.folderId && x.uidValidity === batch.uidValidity && x.uid === uid,
        );
        if (l && l.deletedAt === null) l.deletedAt = batch.state.lastSyncAt;
      }
      const previous = store.states.get(batch.folderId) as FolderSyncState;
      store.states.set(batch.folderId, {
        ...previous,
        ...batch.state,
        coveredFrom: batch.state.coveredFrom ?? previous.coveredFrom,
        folderId: batch.folderId,
      });
      store.batchesApplied++;
      return folderId;
    },
    async remapUidValidity(change) {
      const matchedOld = new Map(change.matches.map((m) => [m.oldUid, m.newUid]));
      let tombstoned = 0;
      for (const l of store.locations) {
        if (l.folderId !== change.folderId || l.uidValidity !== change.oldUidValidity || l.deletedAt !== null) continue;
        const newUid = matchedOld.get(l.uid);
        if (newUid === undefined) {
          l.deletedAt = change.lastSyncAt;
          tombstoned++;
        } else {
          store.locations.push({ ...l, uidValidity: change.newUidValidity, uid: newUid });
          l.deletedAt = change.lastSyncAt;
        }
      }
      store.states.set(change.folderId, {
        folderId: change.folderId,
        cursor: change.cursor,
        coveredFrom: 1,
        uidValidity: change.newUidValidity,
        uidNext: null,
        highestModseq: null,
        liveCount: 0,
      });
      return { tombstoned };
    },
    async recordFailure() {},
  };
  return store;
}
