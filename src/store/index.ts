/**
 * The public face of src/store: `openStore()` returns a `Store` bundling the database handle and
 * the repository functions bound to it.
 */

import * as accounts from './accounts.js';
import * as lifecycle from './folder-lifecycle.js';
import { openDatabase, type Database, type OpenDatabaseOptions } from './database.js';
import * as queries from './message-queries.js';
import * as runner from './runner-state.js';
import * as sync from './sync-repository.js';
import * as threads from './threads.js';

export type { AccountRow, FolderRow } from './accounts.js';
export type { FolderLifecycleRow } from './folder-lifecycle.js';
export type { Database, OpenDatabaseOptions } from './database.js';
export type { FolderCounts, ListMessagesRequest, SearchMessagesRequest, StoredMessage } from './message-queries.js';
export type { RunnerJobState } from './runner-state.js';
export type { StoreBatch, StoredFolderState, StoredLocation, UidValidityRemap } from './sync-repository.js';
export { escapeLike } from './message-queries.js';

export interface Store {
  readonly db: Database;
  upsertAccount(account: { email: string; provider: string | null; settings: Record<string, unknown> }, nowTs: number): number;
  getAccount(id: number): accounts.AccountRow | null;
  listAccounts(): accounts.AccountRow[];
  ensureFolder(accountId: number, name: string, details?: Parameters<typeof accounts.ensureFolder>[3]): number;
  listFolders(accountId: number): accounts.FolderRow[];
  getFolder(accountId: number, name: string): accounts.FolderRow | null;
  listFolderLifecycle(accountId: number): lifecycle.FolderLifecycleRow[];
  markFolderDeleted(accountId: number, folderId: number, at: number): number;
  renameFolder(accountId: number, folderId: number, to: Parameters<typeof lifecycle.renameFolder>[3]): void;
  markFolderPresent(folderId: number): void;
  findFolderState(accountId: number, folder: string): sync.StoredFolderState | null;
  loadFolderState(accountId: number, folder: string, displayName?: string): sync.StoredFolderState;
  listLocations(folderId: number, uidValidity: number): sync.StoredLocation[];
  applyBatch(batch: sync.StoreBatch): void;
  remapUidValidity(change: sync.UidValidityRemap): { tombstoned: number };
  recordFailure(accountId: number, folderId: number, error: string, at: number): void;
  listMessages(request: queries.ListMessagesRequest): queries.StoredMessage[];
  getMessage(id: number): queries.StoredMessage | null;
  getMessageByMessageId(accountId: number, messageId: string): queries.StoredMessage | null;
  /** The conversation of a message, oldest first (References / In-Reply-To; see threads.ts):
   * live messages only unless `includeDeleted`, the message itself always. */
  getThread(messageRowId: number, options?: { includeDeleted?: boolean }): queries.StoredMessage[];
  searchMessages(request: queries.SearchMessagesRequest): queries.StoredMessage[];
  countMessages(accountId: number): number;
  folderCounts(accountId: number): queries.FolderCounts[];
  getRunnerState(key: string): runner.RunnerJobState | null;
  putRunnerState(key: string, state: runner.RunnerJobState): void;
  save(): void;
  saveIfDirty(): boolean;
  close(): void;
}

/** Opens (or creates) a store. `path` is a file or ':memory:'. Corrupt or foreign files are
 * refused with CorruptDatabaseError and never overwritten. */
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
    getThread: (messageRowId, options = {}) =>
      threads
        .threadIds(db, messageRowId, { liveOnly: options.includeDeleted !== true })
        .map((id) => queries.getMessage(db, id))
        .filter((message): message is queries.StoredMessage => message !== null),
    searchMessages: (request) => queries.searchMessages(db, request),
    countMessages: (accountId) => queries.countMessages(db, accountId),
    folderCounts: (accountId) => queries.folderCounts(db, accountId),
    getRunnerState: (key) => runner.getRunnerState(db, key),
    putRunnerState: (key, state) => runner.putRunnerState(db, key, state),
    save: () => db.save(),
    saveIfDirty: () => db.saveIfDirty(),
    close: () => db.close(),
  };
}
