/**
 * What the streaming response parser emits (`ParserEvent`) and the bounds it enforces
 * (`ParserLimits`). Types only; part of the contract in `types.ts`, which re-exports them.
 */

import type { ProtocolError } from '../../errors.js';
import type { Response } from './types.js';

/**
 * Events emitted by the streaming response parser, in stream order.
 *
 * For a FETCH response whose body section arrives as a literal, the parser emits
 * `body-start`, zero or more `body-chunk`, `body-end` (all carrying the FETCH's sequence number)
 * as the bytes arrive, and finally the complete `response` whose `bodySections` contains a
 * `StreamedBodySection` in that place. Attributes that come after the literal in the same FETCH
 * (some servers send UID last) are therefore only known at the `response` event.
 *
 * A malformed response yields one `error` event and parsing resumes at the next response
 * boundary; the stream is never desynchronised by one bad response.
 */
export type ParserEvent =
  | {
      /** A complete response was parsed. */
      type: 'response';
      /** The response. */
      response: Response;
    }
  | {
      /** A streamed body section begins; its bytes follow as `body-chunk` events. */
      type: 'body-start';
      /** Sequence number of the message (from `* seq FETCH`). */
      seq: number;
      /** Section spec, upper-cased, as it will appear in the final `StreamedBodySection`. */
      section: string;
      /** `BINARY[...]` rather than `BODY[...]`. */
      binary: boolean;
      /** Start offset in octets of a partial fetch, or `null` for a whole section. */
      origin: number | null;
      /** Length of the section in octets (the literal's announced size). */
      size: number;
    }
  /** `data` is a view into the pushed chunk; copy it if you keep it past the callback. */
  | {
      /** The next bytes of the streamed section, in order. */
      type: 'body-chunk';
      /** Sequence number of the message. */
      seq: number;
      /** The bytes: a view into the pushed chunk; copy it if you keep it past the callback. */
      data: Uint8Array;
    }
  | {
      /** The streamed section is complete. */
      type: 'body-end';
      /** Sequence number of the message. */
      seq: number;
    }
  | {
      /** A response could not be parsed, exceeded a {@link ParserLimits} limit, or was cut off
       * by `end()`; it is skipped. */
      type: 'error';
      /** What went wrong: `code` `'PROTOCOL'` for malformed data, `'LIMIT'` for a line or
       * literal over its limit (then the object is a `LimitError`, despite the static type). */
      error: ProtocolError;
      /** First bytes of the offending response (at most 200), for diagnostics. */
      excerpt: string;
      /** Tag of the offending response, when it could be read (so the session can fail that
       * command rather than leave it hanging). */
      tag: string | null;
    };

/** Bounds the response parser enforces against hostile or broken servers; see
 * `DEFAULT_PARSER_LIMITS` for the defaults. Exceeding one yields an `error` event for that
 * response, which is skipped: code `LIMIT` for the three sizes, `PROTOCOL` for depth and tokens. */
export interface ParserLimits {
  /** Largest response accepted, in bytes: its lines plus its buffered (non-streamed) literals. */
  maxLineLength: number;
  /** Largest literal the parser will buffer in memory (non-streamed literals), in bytes. */
  maxLiteralSize: number;
  /** Largest literal that is streamed to the consumer as body chunks, in bytes. */
  maxStreamedLiteralSize: number;
  /** Deepest parenthesis nesting accepted (BODYSTRUCTURE of nested multiparts). */
  maxDepth: number;
  /** Most tokens (atoms, strings, numbers, lists) in one response. */
  maxTokens: number;
}
