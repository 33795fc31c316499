/** Default parser limits: generous for real mail, bounded against hostile servers. */
import type { ParserLimits } from './types.js';

/** The limits a parser uses unless overridden: responses up to 16 MiB of lines and buffered
 * literals, buffered literals up to 64 MiB, streamed body sections up to 4 GiB, nesting 64 deep,
 * 2,000,000 tokens per response. */
export const DEFAULT_PARSER_LIMITS: ParserLimits = {
  maxLineLength: 16 * 1024 * 1024,
  maxLiteralSize: 64 * 1024 * 1024,
  maxStreamedLiteralSize: 4 * 1024 * 1024 * 1024,
  maxDepth: 64,
  maxTokens: 2_000_000,
};
