/** Public API of src/mime. */
export { parseMessage, type ParseOptions } from './parse-message.js';
export { htmlToText, decodeEntities } from './html-to-text.js';
export { makeSnippet, SNIPPET_LENGTH } from './snippet.js';
export { normalizeMessageId } from './message-id.js';
export { headerFingerprint } from './fingerprint.js';
export { repairWindows1252, runtimeDecodesWindows1252AsLatin1 } from './windows-1252.js';
export type { AttachmentMeta, MessageRecord } from './types.js';
export { createParsePool, defaultParseWorkers, type ParsePool } from './parse-pool.js';
