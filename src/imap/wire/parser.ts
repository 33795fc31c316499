/**
 * The streaming response parser: framer (framer.ts) + grammar (grammar/parse-response.ts).
 * Bytes in, `ParserEvent`s out, in stream order. Never throws out of push()/end(): a malformed
 * response yields one `error` event and parsing resumes at the next response.
 */
import { LimitError, ProtocolError } from '../../errors.js';
import { createFramer, type Frame } from './framer.js';
import { parseFrame } from './grammar/parse-response.js';
import { DEFAULT_PARSER_LIMITS } from './limits.js';
import type { ParserEvent, ParserLimits } from './types.js';

/** Options of {@link createResponseParser}. */
export interface ResponseParserOptions {
  /** Limits to override; the others keep their {@link DEFAULT_PARSER_LIMITS} value. */
  limits?: Partial<ParserLimits>;
  /** Stream FETCH body-section literals as body-* events (default true). */
  streamBodies?: boolean;
}

/** A streaming parser of server responses, made by {@link createResponseParser}. */
export interface ResponseParser {
  /** Feeds the next bytes received from the server, split anywhere. Events for everything these
   * bytes complete are delivered to the callback before `push` returns; an exception thrown by
   * the callback propagates out of `push`. */
  push(chunk: Uint8Array): void;
  /** End of input; emits an error event if the stream stopped inside a response. */
  end(): void;
  /** True when every byte pushed so far belonged to a completed response (nothing pending). */
  atBoundary(): boolean;
}

const latin1 = new TextDecoder('latin1');

function excerptOf(head: Uint8Array | null): string {
  if (!head) return '';
  return latin1.decode(head.subarray(0, 200)).replace(/[^\x20-\x7e]/g, '.');
}

function tagOf(head: Uint8Array | null): string | null {
  if (!head || head.length === 0) return null;
  const text = latin1.decode(head.subarray(0, 64));
  const match = /^([^\s*+(){%"\\\]]+)\s/.exec(text);
  return match ? (match[1] as string) : null;
}

/**
 * Creates a sans-I/O parser for the server side of an IMAP connection: push the bytes read from
 * the socket and receive each complete response, streamed FETCH body sections and per-response
 * errors as {@link ParserEvent}s, in stream order.
 *
 * @param onEvent - Called synchronously, from `push()` or `end()`, for every event.
 * @param options - Limits and whether to stream body sections (both optional).
 */
export function createResponseParser(onEvent: (event: ParserEvent) => void, options: ResponseParserOptions = {}): ResponseParser {
  const limits: ParserLimits = { ...DEFAULT_PARSER_LIMITS, ...options.limits };
  const emitError = (message: string, head: Uint8Array | null, isLimit: boolean): void => {
    // No stack trace: it would always point here, and a hostile stream yields one per response.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const error = isLimit ? new LimitError(message) : new ProtocolError(message);
    Error.stackTraceLimit = limit;
    onEvent({ type: 'error', error: error as ProtocolError, excerpt: excerptOf(head), tag: tagOf(head) });
  };
  const framer = createFramer(
    {
      frame(frame: Frame) {
        let event: ParserEvent;
        try {
          event = { type: 'response', response: parseFrame(frame, limits) };
        } catch (error) {
          const head = frame.segments[0] ?? null;
          emitError(`malformed response: ${(error as Error).message}`, head, false);
          return;
        }
        onEvent(event);
      },
      frameError: emitError,
      bodyStart(info, size) {
        onEvent({ type: 'body-start', seq: info.seq, section: info.section, binary: info.binary, origin: info.origin, size });
      },
      bodyChunk(seq, data) {
        onEvent({ type: 'body-chunk', seq, data });
      },
      bodyEnd(seq) {
        onEvent({ type: 'body-end', seq });
      },
    },
    limits,
    options.streamBodies ?? true,
  );
  return {
    // Exceptions thrown by `onEvent` propagate to the caller of push(); the parser's own
    // failures never do.
    push(chunk) {
      framer.push(chunk);
    },
    end() {
      framer.end();
    },
    atBoundary() {
      return framer.atBoundary();
    },
  };
}
