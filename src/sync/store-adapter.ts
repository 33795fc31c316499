/**
 * Binds the sync engine's `SyncStore` port to the sql.js store (synchronous calls wrapped as
 * promises; every batch is committed in one transaction and the file saved per the store's
 * autosave policy).
 */

import type { Store } from '../store/index.js';
import type { SyncStore } from './ports.js';

export function createSyncStore(store: Store): SyncStore {
  return {
    findFolderState: async (accountId, folder) => store.findFolderState(accountId, folder),
    loadFolderState: async (accountId, folder, displayName) => store.loadFolderState(accountId, folder, displayName),
    listLocations: async (folderId, uidValidity) => store.listLocations(folderId, uidValidity),
    applyBatch: async (batch) => store.applyBatch(batch),
    remapUidValidity: async (change) => store.remapUidValidity(change),
    recordFailure: async (accountId, folderId, error, at) => store.recordFailure(accountId, folderId, error, at),
  };
}
