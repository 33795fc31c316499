/**
 * The I/O shell around the sans-I/O connection: moves bytes between the transport and the
 * connection, owns the timers (command inactivity watchdog) and the AbortSignal handling, and
 * offers each command (one module per command under ./commands) as a method. Aborting an
 * in-flight command cannot be undone on the wire, so it closes the connection.
 */

import { AbortedError, ProtocolError, TimeoutError, TlsError, type PrxError } from '../../errors.js';
import type { Transport } from '../transport/types.js';
import type { NumberRange, ResponseText, UntaggedResponse } from '../wire/types.js';
import { append } from './commands/append.js';
import { capability } from './commands/capability.js';
import type { SessionContext } from './commands/command.js';
import { compress } from './commands/compress.js';
import { enable } from './commands/enable.js';
import { uidExpunge } from './commands/expunge.js';
import { uidFetch, type FetchHandlers, type FetchOptions } from './commands/fetch.js';
import { idle, type IdleHost, type IdleOptions } from './commands/idle.js';
import { listMailboxes, type ListOptions, type MailboxInfo } from './commands/list.js';
import { logout } from './commands/logout.js';
import { noop } from './commands/noop.js';
import { uidSearch, type SearchQuery } from './commands/search.js';
import { select, type SelectOptions, type SelectResult } from './commands/select.js';
import { startTls } from './commands/starttls.js';
import { status, type MailboxStatus, type StatusItem } from './commands/status.js';
import { uidStore, type StoreAction } from './commands/store.js';
import { createConnection, errorFromHandler, type Connection, type ConnectionEvent, type Greeting } from './connection.js';
import type { CommandSpec } from './core.js';
import type { ImapSessionOptions } from './session-options.js';
import { createTrace, type Trace, type TraceEntry } from './trace.js';

export type UnsolicitedListener = (data: UntaggedResponse) => void;

function abortError(signal: AbortSignal): PrxError {
  const reason = signal.reason;
  return reason instanceof AbortedError ? reason : new AbortedError('operation aborted');
}

/** An open, logged-in IMAP session, from `openImapSession()`. Commands may be called concurrently: they are pipelined on the one connection. Each command method takes an optional AbortSignal; aborting closes the connection (an in-flight command cannot be taken back), and the command rejects with code `ABORTED`. A command the server refuses rejects with code `NO` or `BAD`; no answer for `commandTimeoutMs` closes the connection with `TIMEOUT`. */
export class ImapClient implements SessionContext, IdleHost {
  /** The server's capabilities, upper-cased (`IMAP4REV1`, `IDLE`, `QRESYNC`, `AUTH=PLAIN`, ...), as last announced. */
  capabilities = new Set<string>();
  /** Extensions turned on with ENABLE (RFC 5161), upper-cased; QRESYNC implies CONDSTORE. */
  enabled = new Set<string>();
  /** Ends a running idle() early (safe to call from an unsolicited-data listener at any point
   * of idle(), including before the server's "+ idling" has been processed). */
  stopIdle: (() => void) | null = null;
  lastActivity = Date.now();
  /** Resolves with the server's greeting (OK or PREAUTH); rejects when there is none. */
  readonly greeting: Promise<Greeting>;

  private readonly connection: Connection;
  private readonly trace: Trace;
  private readonly listeners = new Set<UnsolicitedListener>();
  private readonly closeListeners = new Set<(error: PrxError | null) => void>();
  private readonly timer: ReturnType<typeof setInterval>;
  private closedWith: PrxError | null | undefined = undefined;
  private readingPaused = false;
  private settleGreeting: { resolve(greeting: Greeting): void; reject(error: PrxError): void } | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly options: ImapSessionOptions,
  ) {
    this.trace = createTrace(options.traceSize ?? 0);
    this.greeting = new Promise<Greeting>((resolve, reject) => (this.settleGreeting = { resolve, reject }));
    this.greeting.catch(() => undefined);
    this.connection = createConnection({
      encodeOptions: () => ({
        literalPlus: this.capabilities.has('LITERAL+'),
        literalMinus: this.capabilities.has('LITERAL-'),
        utf8Accept: this.enabled.has('UTF8=ACCEPT'),
      }),
      maxInFlight: options.maxPipelineDepth ?? 32,
      // Only a trace that keeps lines is handed over: with none, no line is decoded or
      // summarised for it (every response and every write would be).
      ...((options.traceSize ?? 0) > 0 ? { trace: this.trace } : {}),
      ...(options.transcript ? { transcript: options.transcript } : {}),
    });
    const timeout = options.commandTimeoutMs ?? 60_000;
    this.timer = setInterval(() => {
      const waiting = this.connection.inFlight > 0 && !this.connection.idling && !this.readingPaused;
      if (waiting && Date.now() - this.lastActivity > timeout) this.fail(new TimeoutError(`no response from the server for ${timeout} ms`));
    }, Math.min(1000, timeout));
    this.timer.unref?.();
    transport.setHandlers({
      data: (chunk) => {
        if (this.closed) return;
        this.lastActivity = Date.now();
        this.connection.receive(chunk);
        this.drain();
      },
      close: (error) => {
        this.connection.end();
        this.drain();
        const final = error ?? (this.closedWith === undefined ? null : this.closedWith);
        this.settleGreeting?.reject(error ?? new ProtocolError('connection closed before the greeting'));
        this.fail(final ?? new ProtocolError('connection closed'));
      },
    });
  }

  /** Acts on everything the connection has for us; nothing thrown here reaches the event loop. */
  private drain(): void {
    try {
      for (let event = this.connection.nextEvent(); event !== null && !this.closed; event = this.connection.nextEvent()) this.dispatch(event);
    } catch (thrown) {
      this.fail(errorFromHandler(thrown));
    }
  }

  private dispatch(event: ConnectionEvent): void {
    switch (event.type) {
      case 'write':
        this.transport.write(event.bytes);
        return;
      case 'greeting':
        this.settleGreeting?.resolve(event.greeting);
        this.settleGreeting = null;
        return;
      case 'unsolicited':
        for (const listener of this.listeners) listener(event.data);
        return;
      case 'failed':
        this.settleGreeting?.reject(event.error);
        this.fail(event.error);
        return;
    }
  }

  /** Most commands in flight at once so far (pipelining measure). */
  get maxObservedInFlight(): number {
    return this.connection.maxObservedInFlight;
  }

  /** Back-pressure: stop reading server bytes (e.g. while the parse queue is full). The
   * inactivity timeout does not run while reading is paused. */
  pauseReading(): void {
    if (this.readingPaused || this.closed) return;
    this.readingPaused = true;
    this.transport.pause();
  }

  /** Undoes `pauseReading()`: reads server bytes again and restarts the inactivity timeout. */
  resumeReading(): void {
    if (!this.readingPaused) return;
    this.readingPaused = false;
    this.lastActivity = Date.now();
    if (!this.closed) this.transport.resume();
  }

  /** Recent protocol lines (credentials redacted), when `traceSize` > 0. */
  traceEntries(): TraceEntry[] {
    return this.trace.entries();
  }

  /** Calls `listener` with every untagged response that no running command claims (EXISTS, EXPUNGE, FETCH flag changes during IDLE, ...). Returns a function that removes the listener. */
  onUnsolicited(listener: UnsolicitedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` once when the connection ends: with the error that ended it, or null after `logout()` or `close()`. Returns a function that removes the listener. */
  onClose(listener: (error: PrxError | null) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** True once the connection has ended (logout, close, error, abort or timeout); every further command rejects. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  private fail(error: PrxError | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    clearInterval(this.timer);
    this.connection.failAll(error ?? new ProtocolError('connection closed'));
    this.transport.close();
    for (const listener of this.closeListeners) listener(error);
  }

  /** Runs one command, honouring the signal (abort closes the connection). */
  async run(spec: CommandSpec, signal?: AbortSignal): Promise<ResponseText> {
    if (signal?.aborted) throw abortError(signal);
    if (this.closedWith !== undefined) throw this.closedWith ?? new ProtocolError('connection closed');
    this.lastActivity = Date.now();
    const pending = this.connection.send(spec);
    this.drain();
    if (!signal) return (await pending).text;
    const onAbort = (): void => this.fail(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return (await pending).text;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** IdleHost: DONE goes through the connection (and the trace) like every other byte. */
  idleDone(): void {
    if (this.closed || !this.connection.idleDone()) return;
    this.lastActivity = Date.now();
    this.drain();
  }

  setStopIdle(stop: (() => void) | null): void {
    this.stopIdle = stop;
  }

  /** Asks the server for its capabilities (keeps the current set if it sends none). */
  async capability(signal?: AbortSignal): Promise<Set<string>> {
    this.capabilities = (await capability(this, signal)) ?? this.capabilities;
    return this.capabilities;
  }

  /** STARTTLS and the in-place upgrade; refuses to continue when the server does not offer it.
   * Plaintext the server sends after its OK, before the handshake, refuses the connection
   * (CVE-2011-0411). */
  async startTls(signal?: AbortSignal): Promise<void> {
    this.connection.expectStartTls(true);
    try {
      await startTls(this, signal);
    } finally {
      this.connection.expectStartTls(false);
    }
    if (!this.connection.tlsStarting()) {
      const error = new TlsError('the server sent data after its STARTTLS OK, before the TLS handshake (possible command injection); refusing the connection');
      this.fail(error);
      throw error;
    }
    await this.transport.upgradeToTls();
    this.connection.tlsStarted();
    this.capabilities.clear();
    await this.capability(signal);
  }

  /** ENABLE (RFC 5161) for those of `wanted` that the server offers; resolves to everything enabled so far. Does nothing when the server lacks ENABLE. */
  async enable(wanted: string[], signal?: AbortSignal): Promise<Set<string>> {
    for (const name of await enable(this, wanted, signal)) this.enabled.add(name);
    return this.enabled;
  }

  /** Turns on COMPRESS=DEFLATE (RFC 4978) when the server offers it; resolves to false when it does not or compression is already on. */
  async compress(signal?: AbortSignal): Promise<boolean> {
    if (this.transport.compressed || !(await compress(this, signal))) return false;
    this.transport.startCompression();
    return true;
  }

  /** LIST (RFC 9051 §6.3.9; special-use attributes and, with `options.status`, LIST-STATUS counters when the server supports them): the mailboxes matching `options.pattern` (default `*`, all). */
  list(options: ListOptions = {}, signal?: AbortSignal): Promise<MailboxInfo[]> {
    return listMailboxes(this, options, signal);
  }

  /** STATUS (RFC 9051 §6.3.11) of a mailbox without selecting it; only the requested `items` are filled in. */
  status(name: string, items: readonly StatusItem[], signal?: AbortSignal): Promise<MailboxStatus> {
    return status(this, name, items, signal);
  }

  /** SELECT or EXAMINE, with CONDSTORE or QRESYNC parameters when enabled. */
  select(name: string, options: SelectOptions = {}, signal?: AbortSignal): Promise<SelectResult> {
    return select(this, name, options, signal);
  }

  /** UID SEARCH; UIDs ascending. More than `maxSearchResults` fails with LIMIT. */
  uidSearch(query: SearchQuery, signal?: AbortSignal): Promise<number[]> {
    return uidSearch(this, query, this.options.maxSearchResults, signal);
  }

  /** UID FETCH with streaming bodies; returns the VANISHED (EARLIER) ranges. */
  uidFetch(set: string, options: FetchOptions, handlers: FetchHandlers, signal?: AbortSignal): Promise<NumberRange[]> {
    return uidFetch(this, set, options, handlers, signal);
  }

  /** APPEND (RFC 9051 §6.3.12): uploads `message` (raw RFC 5322 bytes) to the mailbox with the given flags; resolves to the tagged OK's text, which carries `[APPENDUID ...]` under UIDPLUS. */
  append(name: string, message: Uint8Array, flags: string[] = [], signal?: AbortSignal): Promise<ResponseText> {
    return append(this, name, message, flags, signal);
  }

  /** UID STORE ... FLAGS.SILENT (RFC 9051 §6.4.6): adds, removes or replaces `flags` on the messages of the UID set (e.g. `1:5,9`) in the selected mailbox. */
  uidStore(set: string, action: StoreAction, flags: string[], signal?: AbortSignal): Promise<void> {
    return uidStore(this, set, action, flags, signal);
  }

  /** UID EXPUNGE (RFC 4315): permanently removes the messages of the UID set that have the `\Deleted` flag from the selected mailbox. */
  uidExpunge(set: string, signal?: AbortSignal): Promise<void> {
    return uidExpunge(this, set, signal);
  }

  /** NOOP: one round trip to the server; unsolicited updates that were pending arrive with it. Useful as a liveness probe. */
  noop(signal?: AbortSignal): Promise<void> {
    return noop(this, signal);
  }

  /** IDLE until `stopIdle()`, the signal, `maxIdleMs` or a liveness timeout; see commands/idle. */
  idle(options: IdleOptions = {}): Promise<void> {
    return idle(this, options);
  }

  /** LOGOUT, then closes the connection. Never rejects; does nothing when already closed. */
  async logout(): Promise<void> {
    if (this.closed) return;
    await logout(this);
    this.closedWith = null;
    clearInterval(this.timer);
    this.transport.close();
  }

  /** Closes the connection at once, without LOGOUT; commands in flight reject. */
  close(): void {
    this.fail(null);
  }
}
