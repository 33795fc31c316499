/**
 * Recording wrappers around the sync engine's two ports (FolderSession, SyncStore): every call is
 * logged with its arguments as a short string, so a test can assert exactly which round trips and
 * which store reads and transactions a sync made. Optional tweaks post-process the wrapped
 * session's answers (a server listing out of order, announcing other sizes, delivering in another
 * order) or the state the store reports. Test-only.
 */

import type {
  FetchedMessage,
  FolderSession,
  FolderSnapshot,
  FolderSyncState,
  ServerUid,
  SyncBatch,
  SyncStore,
} from '../../src/sync/ports.js';

export interface SessionTweaks {
  open?: (snapshot: FolderSnapshot) => FolderSnapshot;
  listUids?: (entries: ServerUid[], fromUid: number) => ServerUid[];
  listUidRange?: (entries: ServerUid[], fromUid: number, toUid: number) => ServerUid[];
  /** Rewrites (or reorders) the messages a FETCH delivers, before the engine sees them. */
  fetchMessages?: (messages: FetchedMessage[]) => FetchedMessage[];
}

export type RecordingSession = FolderSession & { calls: string[] };

export function recordSession(inner: FolderSession, tweaks: SessionTweaks = {}): RecordingSession {
  const calls: string[] = [];
  return {
    calls,
    condstore: inner.condstore,
    qresync: inner.qresync,
    async open(folder, params, signal) {
      calls.push(`open(${folder},${params === null ? 'null' : `${params.uidValidity}/${params.modseq}`})`);
      const snapshot = await inner.open(folder, params, signal);
      return tweaks.open ? tweaks.open(snapshot) : snapshot;
    },
    async listUids(fromUid, signal) {
      calls.push(`listUids(${fromUid})`);
      const entries = await inner.listUids(fromUid, signal);
      return tweaks.listUids ? tweaks.listUids(entries, fromUid) : entries;
    },
    async listUidRange(fromUid, toUid, signal) {
      calls.push(`listUidRange(${fromUid},${toUid})`);
      const entries = await inner.listUidRange(fromUid, toUid, signal);
      return tweaks.listUidRange ? tweaks.listUidRange(entries, fromUid, toUid) : entries;
    },
    async highestUidBefore(belowUid, sinceMs, signal) {
      calls.push(`highestUidBefore(${belowUid})`);
      return inner.highestUidBefore(belowUid, sinceMs, signal);
    },
    async searchUids(upTo, signal) {
      calls.push(`searchUids(${upTo})`);
      return inner.searchUids(upTo, signal);
    },
    async fetchFlags(upTo, changedSince, signal) {
      calls.push(`fetchFlags(${upTo},${changedSince})`);
      return inner.fetchFlags(upTo, changedSince, signal);
    },
    async fetchMessages(uids, headersOnly, onMessage, signal) {
      calls.push(`fetchMessages(${uids.join(',')}${headersOnly.size > 0 ? ` headers:${[...headersOnly].join(',')}` : ''})`);
      if (!tweaks.fetchMessages) return inner.fetchMessages(uids, headersOnly, onMessage, signal);
      const delivered: FetchedMessage[] = [];
      await inner.fetchMessages(uids, headersOnly, (message) => delivered.push(message), signal);
      for (const message of tweaks.fetchMessages(delivered)) onMessage(message);
    },
    async fetchIdentities(signal) {
      calls.push('fetchIdentities()');
      return inner.fetchIdentities(signal);
    },
  };
}

export type RecordingStore = SyncStore & { calls: string[]; batches: SyncBatch[] };

/** `state` rewrites what findFolderState reports (a store holding another state than the engine wrote). */
export function recordStore(inner: SyncStore, state?: (state: FolderSyncState) => FolderSyncState): RecordingStore {
  const calls: string[] = [];
  const batches: SyncBatch[] = [];
  return {
    calls,
    batches,
    async findFolderState(accountId, folder) {
      calls.push('findFolderState');
      const found = await inner.findFolderState(accountId, folder);
      return found !== null && state ? state(found) : found;
    },
    async loadFolderState(accountId, folder, displayName) {
      calls.push('loadFolderState');
      return inner.loadFolderState(accountId, folder, displayName);
    },
    async listLocations(folderId, uidValidity) {
      calls.push(`listLocations(${folderId},${uidValidity})`);
      return inner.listLocations(folderId, uidValidity);
    },
    async applyBatch(batch) {
      batches.push(batch);
      calls.push(`applyBatch(${batch.folderId === null ? `new ${batch.newFolder.name}` : batch.folderId})`);
      return inner.applyBatch(batch);
    },
    async remapUidValidity(change) {
      calls.push('remapUidValidity');
      return inner.remapUidValidity(change);
    },
    async recordFailure(accountId, folderId, error, at) {
      calls.push(`recordFailure(${folderId},${error})`);
      return inner.recordFailure(accountId, folderId, error, at);
    },
  };
}
