/** The low-level IMAP client and wire layer, for callers who want IMAP without the sync engine. */
export {
  openImapSession,
  ImapClient,
  type ImapSessionOptions,
  type MailboxInfo,
  type MailboxStatus,
  type SelectResult,
  type SelectOptions,
  type FetchOptions,
  type FetchItem,
  type FetchBody,
  type FetchHandlers,
  type SearchQuery,
  type StatusItem,
} from './session/client.js';
export { validateImapConfig, type ImapConnectionConfig, type ImapAuth } from './session/validate-config.js';
export * from './wire/index.js';
export * from './transcript/index.js';
