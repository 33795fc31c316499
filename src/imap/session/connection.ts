/**
 * The IMAP connection without I/O (modelled on h11's `Connection` and imap-next's `Client`): one
 * object owns the response parser (framer included), the command core and the connection state
 * — greeting, STARTTLS sealing, IDLE. Server bytes go in through `receive()`; everything that
 * comes out — bytes to write, the greeting, unsolicited data, a fatal error — is pulled with
 * `nextEvent()`; commands go in through `send()` and `idleDone()`. Every byte written, IDLE's
 * DONE included, leaves through `nextEvent()` and is recorded in the trace and the transcript
 * (credentials redacted) on the way. Sockets and timers belong to the caller (imap-client.ts).
 *
 * Server bytes are parsed on `receive()` but handed to the core one response at a time from
 * `nextEvent()`, so the caller sees unsolicited data in stream order relative to the responses
 * commands collect. Nothing thrown while handling server bytes escapes: it becomes a `failed`
 * event (LIMIT for runtime limits, PROTOCOL otherwise).
 */

import { isPrxError, LimitError, ProtocolError, type PrxError } from '../../errors.js';
import type { TranscriptSink } from '../transcript/recorder.js';
import type { EncodeOptions } from '../wire/encoder.js';
import { createResponseParser, type ResponseParser } from '../wire/parser.js';
import type { ParserEvent, Response, UntaggedResponse } from '../wire/types.js';
import { createSessionCore, type CommandResult, type CommandSpec } from './core.js';
import type { Trace } from './trace.js';

export type Greeting = Extract<UntaggedResponse, { type: 'condition' }>;

export type ConnectionEvent =
  | { type: 'write'; bytes: Uint8Array }
  | { type: 'greeting'; greeting: Greeting }
  | { type: 'unsolicited'; data: UntaggedResponse }
  /** The connection cannot go on (foreign greeting, STARTTLS injection, unhandleable data). */
  | { type: 'failed'; error: PrxError };

export interface ConnectionOptions {
  encodeOptions(): EncodeOptions;
  maxInFlight?: number;
  trace?: Trace;
  transcript?: TranscriptSink;
}

const encoder = new TextEncoder();

export function createConnection(options: ConnectionOptions) {
  const output = createQueue<ConnectionEvent>();
  const parsed = createQueue<ParserEvent>();
  let greeted = false;
  let firstBytes = true;
  /** STARTTLS injection guard (CVE-2011-0411, client side). */
  const starttls = { awaitingOk: false, sealed: false, injected: false };

  const core = createSessionCore({
    send: (bytes, redacted) => {
      options.trace?.add('C', (redacted ?? new TextDecoder().decode(bytes)).replace(/\r\n$/, ''));
      options.transcript?.client(redacted === null ? bytes : encoder.encode(redacted));
      output.push({ type: 'write', bytes });
    },
    unsolicited: (data) => {
      if (greeted) {
        output.push({ type: 'unsolicited', data });
        return;
      }
      greeted = true;
      if (data.type === 'condition' && (data.condition === 'OK' || data.condition === 'PREAUTH')) output.push({ type: 'greeting', greeting: data });
      else if (data.type === 'condition' && data.condition === 'BYE') fail(new ProtocolError(`server refused the connection: ${data.text.text}`));
      else fail(new ProtocolError('this is not an IMAP server (unexpected greeting)'));
    },
    encodeOptions: options.encodeOptions,
    maxInFlight: options.maxInFlight ?? 32,
  });

  const fail = (error: PrxError): void => {
    output.push({ type: 'failed', error });
  };

  let parser: ResponseParser = createResponseParser((event) => parsed.push(event));

  const feed = (event: ParserEvent): void => {
    if (starttls.sealed) {
      // A response after the tagged OK to STARTTLS, before the handshake: injected plaintext.
      starttls.injected = true;
      return;
    }
    if (event.type === 'response') options.trace?.add('S', summarize(event.response));
    core.receive(event);
    if (starttls.awaitingOk && event.type === 'response' && event.response.type === 'tagged') {
      starttls.awaitingOk = false;
      starttls.sealed = event.response.condition === 'OK';
    }
  };

  return {
    /** Server bytes, in order. */
    receive(chunk: Uint8Array): void {
      options.transcript?.server(chunk);
      if (starttls.sealed) {
        starttls.injected = true;
        return;
      }
      if (firstBytes) {
        firstBytes = false;
        const foreign = foreignGreeting(chunk);
        if (foreign) return fail(new ProtocolError(`this is not an IMAP server: it greets like ${foreign}`));
      }
      try {
        parser.push(chunk);
      } catch (thrown) {
        fail(errorFromHandler(thrown));
      }
    },

    /** The server closed the connection: a partial response left in the parser is an error. */
    end(): void {
      try {
        parser.end();
      } catch (thrown) {
        fail(errorFromHandler(thrown));
      }
    },

    /** The next thing for the caller to act on, or null when there is nothing to do. */
    nextEvent(): ConnectionEvent | null {
      for (;;) {
        const event = output.take();
        if (event) return event;
        const next = parsed.take();
        if (!next) return null;
        try {
          feed(next);
        } catch (thrown) {
          fail(errorFromHandler(thrown));
        }
      }
    },

    /** Queues a command; its bytes come out of nextEvent() when the pipeline allows. */
    send(spec: CommandSpec): Promise<CommandResult> {
      return core.submit(spec);
    },

    /** Ends a running IDLE with DONE; false when no IDLE is under way. */
    idleDone(): boolean {
      return core.idleDone();
    },

    /** Fails every pending command (the caller is closing the connection). */
    failAll(error: PrxError): void {
      core.failAll(error);
    },

    /** STARTTLS: from its tagged OK on, any further server byte is refused until tlsStarted(). */
    expectStartTls(armed: boolean): void {
      starttls.awaitingOk = armed;
    },

    /** After the STARTTLS OK: a fresh parser for the protected stream. False when plaintext
     * arrived after the OK (a whole response or part of one): the connection must be refused. */
    tlsStarting(): boolean {
      const clean = parser.atBoundary() && parsed.size === 0 && !starttls.injected;
      parser = createResponseParser((event) => parsed.push(event));
      return clean;
    },

    tlsStarted(): void {
      starttls.sealed = false;
    },

    get idling(): boolean {
      return core.idling;
    },
    get inFlight(): number {
      return core.inFlight;
    },
    get maxObservedInFlight(): number {
      return core.maxObservedInFlight;
    },
  };
}

export type Connection = ReturnType<typeof createConnection>;

/** A FIFO with a read index: Array#shift is linear, and one 64 KiB chunk of small FETCH
 * responses holds thousands of events. */
function createQueue<T>() {
  let items: T[] = [];
  let head = 0;
  return {
    push(item: T): void {
      items.push(item);
    },
    take(): T | undefined {
      if (head >= items.length) return undefined;
      const item = items[head++] as T;
      if (head === items.length) {
        items = [];
        head = 0;
      }
      return item;
    },
    get size(): number {
      return items.length - head;
    },
  };
}

/** SMTP, POP3 and HTTP servers answer a connection with a recognisable first line. */
function foreignGreeting(chunk: Uint8Array): string | null {
  const head = new TextDecoder('latin1').decode(chunk.subarray(0, 8));
  if (/^220[ -]/.test(head)) return 'an SMTP server';
  if (head.startsWith('+OK')) return 'a POP3 server';
  if (head.startsWith('HTTP/')) return 'an HTTP server';
  return null;
}

/** Any exception thrown while handling server bytes, as the typed error that fails the
 * connection: LIMIT for resource exhaustion (RangeError: stack, array or string size), PROTOCOL
 * otherwise. */
export function errorFromHandler(thrown: unknown): PrxError {
  if (isPrxError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown instanceof RangeError) return new LimitError(`server data exceeded a runtime limit: ${message}`, { cause: thrown });
  return new ProtocolError(`server data could not be handled: ${message}`, { cause: thrown });
}

/** One trace line per response; continuations and bodies are never copied. */
function summarize(response: Response): string {
  if (response.type === 'tagged') return `${response.tag} ${response.condition} ${response.text.text}`;
  if (response.type === 'continuation') return '+ ***';
  const data = response.data;
  if (data.type === 'fetch') return `* ${data.seq} FETCH (uid ${data.attributes.uid ?? '?'})`;
  if (data.type === 'condition') return `* ${data.condition} ${data.text.text}`;
  return `* ${data.type.toUpperCase()}`;
}
