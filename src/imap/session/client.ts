/**
 * The session layer's public surface: `openImapSession()` (./open.ts) returns an `ImapClient`
 * (./imap-client.ts), whose commands live one per module under ./commands. Re-exports only.
 */

export { openImapSession } from './open.js';
export { ImapClient, type UnsolicitedListener } from './imap-client.js';
export type { ImapSessionOptions } from './session-options.js';
export { isLocalNetworkHost } from './network.js';
export type { MailboxInfo, ListOptions } from './commands/list.js';
export type { SelectResult, SelectOptions } from './commands/select.js';
export type { FetchOptions, FetchItem, FetchBody, FetchHandlers, FetchedResponse } from './commands/fetch.js';
export type { SearchQuery } from './commands/search.js';
export type { StatusItem, MailboxStatus } from './commands/status.js';
export type { StoreAction } from './commands/store.js';
export type { IdleOptions } from './commands/idle.js';
