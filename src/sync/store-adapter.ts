/**
 * Binds the sync engine's `SyncStore` port to the store (every batch is committed in one
 * transaction; the sql.js engine saves its image per its autosave policy).
 */

import type { Store } from '../store/index.js';
import type { SyncStore } from './ports.js';

export function createSyncStore(store: Store): SyncStore {
  return {
    findFolderState: (accountId, folder) => store.findFolderState(accountId, folder),
    loadFolderState: (accountId, folder, displayName) => store.loadFolderState(accountId, folder, displayName),
    listLocations: (folderId, uidValidity) => store.listLocations(folderId, uidValidity),
    applyBatch: (batch) => store.applyBatch(batch),
    remapUidValidity: (change) => store.remapUidValidity(change),
    recordFailure: (accountId, folderId, error, at) => store.recordFailure(accountId, folderId, error, at),
  };
}
