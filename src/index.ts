/**
 * prx-email: a local, queryable copy of IMAP mailboxes. The package root exports the public API:
 * the store, the plugin (accounts, sync, runner), the typed errors, and the low-level IMAP client.
 */
export { openStore, type Store, type StoredMessage } from './store/index.js';
export { EmailPlugin, type AccountConfig, type EmailPluginOptions, type Logger, type SyncRequest } from './sync/email-plugin.js';
export type { FolderSyncResult } from './sync/folder-sync.js';
export type { SyncJob, SyncRunnerConfig, SyncRunnerReport } from './sync/runner.js';
export { PROVIDERS, type ProviderName } from './sync/providers.js';
export { parseMessage, type MessageRecord, type AttachmentMeta } from './mime/index.js';
export * from './errors.js';
export { openImapSession, ImapClient, type ImapSessionOptions, type MailboxInfo } from './imap/session/client.js';
export { createTranscriptRecorder, formatTranscript, parseTranscript, type Transcript, type TranscriptRecorder } from './imap/transcript/index.js';
export * from './sync/service/index.js';
