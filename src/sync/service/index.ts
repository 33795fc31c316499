/**
 * The sync service's public surface: the service, its config file and secret sources.
 */
export { createSyncService } from './sync-service.js';
export type { AccountStatus, FolderStatus, ServiceAccount, ServiceErrorEvent, ServiceEvents, ServiceState, StateEvent, SyncedEvent, SyncService, SyncServiceOptions, SyncTrigger } from './sync-service.js';
export { DEFAULT_SCHEDULE, loadServiceConfig, validateServiceConfig } from './config.js';
export type { FolderSelector, SecretSource, ServiceAccountConfig, ServiceConfig, ServiceSchedule } from './config.js';
export { resolveSecret } from './secrets.js';
export { resolveServiceAccount, resolveServiceAccounts } from './accounts.js';
