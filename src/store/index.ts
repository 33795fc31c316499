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

/** An open store, from `openStore()`: the database handle and every read and write of the library's data, each returning a promise. */
export interface Store {
  /** The underlying database handle, for raw SQL and engine details. */
  readonly db: Database;
  /** Creates the account with this e-mail, or updates its provider and settings; returns its id. `settings` must not hold secrets; `nowTs` is Unix seconds. */
  upsertAccount(account: { email: string; provider: string | null; settings: Record<string, unknown> }, nowTs: number): Promise<number>;
  /** The account with this id, or null. */
  getAccount(id: number): Promise<accounts.AccountRow | null>;
  /** Every account, by id. */
  listAccounts(): Promise<accounts.AccountRow[]>;
  /** Creates the folder row when missing (display name defaults to `name`) or updates the given details; returns the folder's id. */
  ensureFolder(accountId: number, name: string, details?: Parameters<typeof accounts.ensureFolder>[3]): Promise<number>;
  /** The account's known folders, by name (folders deleted on the server included). */
  listFolders(accountId: number): Promise<accounts.FolderRow[]>;
  /** The account's folder with this server name, or null. */
  getFolder(accountId: number, name: string): Promise<accounts.FolderRow | null>;
  /** Every folder of the account, by id, with what detecting renames and deletions on the server needs: highest stored UID, whether it was ever synced, when it was marked deleted. */
  listFolderLifecycle(accountId: number): Promise<lifecycle.FolderLifecycleRow[]>;
  /** Marks a folder gone from the server in one transaction: tombstones its live locations and sets its sync status to 'deleted'; message rows stay. `at` is Unix seconds. Returns how many locations were tombstoned (0 when already marked). */
  markFolderDeleted(accountId: number, folderId: number, at: number): Promise<number>;
  /** Records a rename on the server: the folder keeps its row, sync state and locations under the new name. */
  renameFolder(accountId: number, folderId: number, to: Parameters<typeof lifecycle.renameFolder>[3]): Promise<void>;
  /** Clears a folder's deleted mark (it is on the server again); its next sync starts over. */
  markFolderPresent(folderId: number): Promise<void>;
  /** The folder's sync state (covered UID range, UIDVALIDITY, modseq), or null when the store has no row for it; creates nothing. */
  findFolderState(accountId: number, folder: string): Promise<FolderSyncState | null>;
  /** The folder's sync state, creating the folder row when missing (`displayName` defaults to the name); cursor 0 when never synced. */
  loadFolderState(accountId: number, folder: string, displayName?: string): Promise<FolderSyncState>;
  /** The folder's live locations under this UIDVALIDITY, by UID, with flags, modseq, Message-ID and size of each message. */
  listLocations(folderId: number, uidValidity: number): Promise<KnownLocation[]>;
  /** Stores a sync batch in one transaction (all or nothing): new messages and their locations, flag updates, expunged UIDs tombstoned, and the folder's new sync state; a batch with `folderId` null creates the folder row (from `newFolder`) in that transaction. Resolves to the folder's row id. */
  applyBatch(batch: SyncBatch): Promise<number>;
  /**
   * Applies a UIDVALIDITY change (RFC 3501) in one transaction: moves the re-matched locations to
   * their new UIDs, tombstones every other location of the old UIDVALIDITY, and restarts the
   * folder's state at `change.cursor` with no modseq.
   */
  remapUidValidity(change: UidValidityRemap): Promise<{
    /** Locations of the old UIDVALIDITY that were not re-matched and are now tombstoned. */
    tombstoned: number;
  }>;
  /** Records a failed sync of the folder (status 'error' and the error text) without touching its cursor. `at` is Unix seconds. */
  recordFailure(accountId: number, folderId: number, error: string, at: number): Promise<void>;
  /**
   * A page of the account's messages, newest first by Date header (live only unless `includeDeleted`).
   * @throws ConfigError (code `CONFIG`) when `limit` is not 1-500.
   */
  listMessages(request: queries.ListMessagesRequest): Promise<queries.StoredMessage[]>;
  /** The message with this row id, deleted or not, or null. */
  getMessage(id: number): Promise<queries.StoredMessage | null>;
  /** The first stored message with this Message-ID (different messages may share one: each is
   * its own row, see docs/store.md "Message identity"; `listMessages` / search return them all). */
  getMessageByMessageId(accountId: number, messageId: string): Promise<queries.StoredMessage | null>;
  /** The conversation of a message, oldest first (X-GM-THRID, else References / In-Reply-To;
   * see threads.ts): live messages only unless `includeDeleted`, the message itself always. */
  getThread(messageRowId: number, options?: { includeDeleted?: boolean }): Promise<queries.StoredMessage[]>;
  /** Full-text search (bm25-ranked with a highlighted snippet; see docs/store.md for the syntax). */
  searchMessages(request: search.SearchRequest): Promise<search.SearchResult[]>;
  /** How many messages the account has stored, deleted ones included. */
  countMessages(accountId: number): Promise<number>;
  /** Per folder of the account: live and tombstoned locations, cursor, last sync time, status (`never` when never synced) and last error. */
  folderCounts(accountId: number): Promise<queries.FolderCounts[]>;
  /** The sync runner's persisted state for a job key (`accountId::folder`), or null when the job never ran. */
  getRunnerState(key: string): Promise<runner.RunnerJobState | null>;
  /** Saves the sync runner's state for a job key. */
  putRunnerState(key: string, state: runner.RunnerJobState): Promise<void>;
  /** Saves several jobs' runner states in one transaction (states equal to the stored ones are not rewritten). */
  putRunnerStates(entries: ReadonlyArray<readonly [string, runner.RunnerJobState]>): Promise<void>;
  /** sql.js with a file: save the image now. File engine: every commit is already on disk. */
  save(): Promise<void>;
  /** Saves like `save()` but only when something changed since the last save; resolves to whether it saved. */
  saveIfDirty(): Promise<boolean>;
  /** Closes the database (sql.js: without saving; call `save()` or `saveIfDirty()` first). */
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
    putRunnerStates: (entries) => runner.putRunnerStates(db, entries),
    save: () => db.save(),
    saveIfDirty: () => db.saveIfDirty(),
    close: () => db.close(),
  };
}
