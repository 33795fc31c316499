/**
 * The public face of src/store: `openStore()` returns a `Store` bundling the database handle and
 * the repository functions bound to it. Every method returns a promise (the engine port is
 * asynchronous).
 */

import * as accounts from './accounts.js';
import * as lifecycle from './folder-lifecycle.js';
import { openDatabase, type Database, type OpenDatabaseOptions } from './database.js';
import * as queries from './message-queries.js';
import * as search from './message-search.js';
import * as runner from './runner-state.js';
import * as sync from './sync-repository.js';
import * as threads from './threads.js';
import type { FolderSyncState, KnownLocation, SyncBatch, UidValidityRemap } from '../sync/ports.js';

export type { AccountRow, FolderRow } from './accounts.js';
export type { FolderLifecycleRow } from './folder-lifecycle.js';
export type { Database, OpenDatabaseOptions, Queryable } from './database.js';
export type { EngineName } from './engine/types.js';
export type { FolderCounts, ListMessagesRequest, StoredMessage } from './message-queries.js';
export type { SearchRequest, SearchResult } from './message-search.js';
export type { RunnerJobState } from './runner-state.js';
export { escapeLike } from './message-queries.js';
export { parseSearchQuery } from './search-query.js';

export interface Store {
  readonly db: Database;
  upsertAccount(account: { email: string; provider: string | null; settings: Record<string, unknown> }, nowTs: number): Promise<number>;
  getAccount(id: number): Promise<accounts.AccountRow | null>;
  listAccounts(): Promise<accounts.AccountRow[]>;
  ensureFolder(accountId: number, name: string, details?: Parameters<typeof accounts.ensureFolder>[3]): Promise<number>;
  listFolders(accountId: number): Promise<accounts.FolderRow[]>;
  getFolder(accountId: number, name: string): Promise<accounts.FolderRow | null>;
  listFolderLifecycle(accountId: number): Promise<lifecycle.FolderLifecycleRow[]>;
  markFolderDeleted(accountId: number, folderId: number, at: number): Promise<number>;
  renameFolder(accountId: number, folderId: number, to: Parameters<typeof lifecycle.renameFolder>[3]): Promise<void>;
  markFolderPresent(folderId: number): Promise<void>;
  findFolderState(accountId: number, folder: string): Promise<FolderSyncState | null>;
  loadFolderState(accountId: number, folder: string, displayName?: string): Promise<FolderSyncState>;
  listLocations(folderId: number, uidValidity: number): Promise<KnownLocation[]>;
  applyBatch(batch: SyncBatch): Promise<void>;
  remapUidValidity(change: UidValidityRemap): Promise<{ tombstoned: number }>;
  recordFailure(accountId: number, folderId: number, error: string, at: number): Promise<void>;
  listMessages(request: queries.ListMessagesRequest): Promise<queries.StoredMessage[]>;
  getMessage(id: number): Promise<queries.StoredMessage | null>;
  /** The first stored message with this Message-ID (different messages may share one: each is
   * its own row, see docs/store.md "Message identity"; `listMessages` / search return them all). */
  getMessageByMessageId(accountId: number, messageId: string): Promise<queries.StoredMessage | null>;
  /** The conversation of a message, oldest first (X-GM-THRID, else References / In-Reply-To;
   * see threads.ts): live messages only unless `includeDeleted`, the message itself always. */
  getThread(messageRowId: number, options?: { includeDeleted?: boolean }): Promise<queries.StoredMessage[]>;
  /** Full-text search (bm25-ranked with a highlighted snippet; see docs/store.md for the syntax). */
  searchMessages(request: search.SearchRequest): Promise<search.SearchResult[]>;
  countMessages(accountId: number): Promise<number>;
  folderCounts(accountId: number): Promise<queries.FolderCounts[]>;
  getRunnerState(key: string): Promise<runner.RunnerJobState | null>;
  putRunnerState(key: string, state: runner.RunnerJobState): Promise<void>;
  /** sql.js with a file: save the image now. File engine: every commit is already on disk. */
  save(): Promise<void>;
  saveIfDirty(): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens (or creates) a store. `path` is a file (the page-level file engine unless
 * `engine: 'sqljs'`) or ':memory:' (sql.js). Corrupt or foreign files are refused with
 * CorruptDatabaseError and never overwritten. */
export async function openStore(path: string, options: OpenDatabaseOptions = {}): Promise<Store> {
  const db = await openDatabase(path, options);
  return {
    db,
    upsertAccount: (account, nowTs) => accounts.upsertAccount(db, account, nowTs),
    getAccount: (id) => accounts.getAccount(db, id),
    listAccounts: () => accounts.listAccounts(db),
    ensureFolder: (accountId, name, details) => accounts.ensureFolder(db, accountId, name, details),
    listFolders: (accountId) => accounts.listFolders(db, accountId),
    getFolder: (accountId, name) => accounts.getFolder(db, accountId, name),
    listFolderLifecycle: (accountId) => lifecycle.listFolderLifecycle(db, accountId),
    markFolderDeleted: (accountId, folderId, at) => lifecycle.markFolderDeleted(db, accountId, folderId, at),
    renameFolder: (accountId, folderId, to) => lifecycle.renameFolder(db, accountId, folderId, to),
    markFolderPresent: (folderId) => lifecycle.markFolderPresent(db, folderId),
    findFolderState: (accountId, folder) => sync.findFolderState(db, accountId, folder),
    loadFolderState: (accountId, folder, displayName) => sync.loadFolderState(db, accountId, folder, displayName),
    listLocations: (folderId, uidValidity) => sync.listLocations(db, folderId, uidValidity),
    applyBatch: (batch) => sync.applyBatch(db, batch),
    remapUidValidity: (change) => sync.remapUidValidity(db, change),
    recordFailure: (accountId, folderId, error, at) => sync.recordFailure(db, accountId, folderId, error, at),
    listMessages: (request) => queries.listMessages(db, request),
    getMessage: (id) => queries.getMessage(db, id),
    getMessageByMessageId: (accountId, messageId) => queries.getMessageByMessageId(db, accountId, messageId),
    getThread: async (messageRowId, options = {}) => {
      const ids = await threads.threadIds(db, messageRowId, { liveOnly: options.includeDeleted !== true });
      const messages: queries.StoredMessage[] = [];
      for (const id of ids) {
        const message = await queries.getMessage(db, id);
        if (message !== null) messages.push(message);
      }
      return messages;
    },
    searchMessages: (request) => search.searchMessages(db, request),
    countMessages: (accountId) => queries.countMessages(db, accountId),
    folderCounts: (accountId) => queries.folderCounts(db, accountId),
    getRunnerState: (key) => runner.getRunnerState(db, key),
    putRunnerState: (key, state) => runner.putRunnerState(db, key, state),
    save: () => db.save(),
    saveIfDirty: () => db.saveIfDirty(),
    close: () => db.close(),
  };
}
