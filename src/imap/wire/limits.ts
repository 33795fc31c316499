/** Default parser limits: generous for real mail, bounded against hostile servers. */
import type { ParserLimits } from './types.js';

export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineLength: 16 * 1024 * 1024,
  maxLiteralSize: 64 * 1024 * 1024,
  maxStreamedLiteralSize: 4 * 1024 * 1024 * 1024,
  maxDepth: 64,
  maxTokens: 2_000_000,
};
