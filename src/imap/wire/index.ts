/** Public API of the IMAP wire layer (sans-I/O). */
export { createResponseParser, type ResponseParser, type ResponseParserOptions } from './parser.js';
export { DEFAULT_PARSER_LIMITS } from './limits.js';
export { encodeCommand, atom, str, list, mailbox, raw, sequence, type CommandArg, type CommandPart, type EncodeOptions } from './encoder.js';
export { compressNumbers, formatSequenceSet } from './sequence-set.js';
export { decodeMailboxName, encodeMailboxName } from './mailbox-name.js';
export type * from './types.js';
