/**
 * The async IMAP client: binds the sans-I/O session core and the response parser to a
 * transport, and offers the commands a sync client needs. `openImapSession()` connects, reads
 * the greeting, enforces STARTTLS when asked, authenticates (LOGIN, PLAIN, XOAUTH2,
 * OAUTHBEARER; SASL-IR when offered), ENABLEs CONDSTORE/QRESYNC/UTF8=ACCEPT when offered and
 * turns on COMPRESS=DEFLATE unless told not to.
 *
 * Deadlines: connect and greeting timeouts, and a per-command inactivity timeout (no byte from
 * the server for `commandTimeoutMs` while a command is in flight → TimeoutError; long FETCHes
 * keep it alive as data flows). Every operation takes an AbortSignal; aborting an in-flight
 * command cannot be undone on the wire, so it closes the connection (the caller reconnects).
 */

import { AbortedError, AuthError, isPrxError, LimitError, ProtocolError, ThrottledError, TimeoutError, TlsError, type PrxError } from '../../errors.js';
import { connect as connectTransport } from '../transport/connect.js';
import type { ConnectOptions, Transport } from '../transport/types.js';
import type { TranscriptSink } from '../transcript/recorder.js';
import { atom, list, mailbox, raw, sequence, str, type CommandArg } from '../wire/encoder.js';
import { decodeMailboxName } from '../wire/mailbox-name.js';
import { createResponseParser } from '../wire/parser.js';
import { countInRanges, mergeRanges } from '../wire/sequence-set.js';
import type { FetchAttributes, ListResponse, NumberRange, ParserEvent, ResponseText, StatusAttributes, UntaggedResponse } from '../wire/types.js';
import { createSessionCore, type BodyEvent, type CommandSpec, type SessionCore } from './core.js';
import { describeSaslChallenge, errorChallengeReply, oauthbearerPayload, plainPayload, xoauth2Payload, type SaslMechanism } from './sasl.js';
import { createTrace, type TraceEntry } from './trace.js';
import { validateImapConfig, type ImapConnectionConfig } from './validate-config.js';

export interface ImapSessionOptions extends ImapConnectionConfig {
  connectTimeoutMs?: number;
  greetingTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Use COMPRESS=DEFLATE when the server offers it. Default 'auto': on, except for loopback and
   * private-network hosts, where deflating costs more time than the bytes it saves (measured on
   * loopback Dovecot: 3.3x slower fetch with it). */
  compress?: boolean | 'auto';
  /** Commands allowed on the wire at once (default 32). */
  maxPipelineDepth?: number;
  /** Keep the last N protocol lines (credentials redacted); 0 = off (default 0). */
  traceSize?: number;
  /** Force an authentication method for passwords (default: PLAIN when offered, else LOGIN). */
  passwordMechanism?: 'LOGIN' | 'PLAIN';
  /** Force an OAuth mechanism (default: OAUTHBEARER when offered, else XOAUTH2). */
  oauthMechanism?: 'XOAUTH2' | 'OAUTHBEARER';
  /** Receives every byte of the session in order, credentials replaced by `***` (see
   * `createTranscriptRecorder`, docs/transcripts.md). */
  transcript?: TranscriptSink;
  /** UID SEARCH answers larger than this fail with LIMIT instead of being expanded (default
   * 2,000,000; see MAX_SEARCH_RESULTS). */
  maxSearchResults?: number;
  /** Supplies the byte pipe instead of `connect()` (tests, replay, proxies). The default verifies
   * TLS; a replacement owns that duty. */
  connectTransport?: (options: ConnectOptions) => Promise<Transport>;
  signal?: AbortSignal;
}

export interface MailboxInfo {
  /** The name as the server spells it (use this in commands). */
  name: string;
  /** Decoded from modified UTF-7 for display. */
  displayName: string;
  delimiter: string | null;
  attributes: string[];
  /** e.g. "\\Sent", or null. */
  specialUse: string | null;
  selectable: boolean;
  status?: StatusAttributes;
}

export interface SelectResult {
  exists: number;
  uidValidity: number;
  uidNext: number | null;
  /** null when the server has no CONDSTORE for this mailbox (NOMODSEQ). */
  highestModseq: bigint | null;
  flags: string[];
  permanentFlags: string[];
  readOnly: boolean;
  /** QRESYNC: UIDs vanished since the given modseq. */
  vanished: NumberRange[];
  /** QRESYNC: FETCH (flags) data received during SELECT/EXAMINE. */
  changed: FetchAttributes[];
}

export interface FetchedResponse {
  seq: number;
  attributes: FetchAttributes;
}

export interface FetchHandlers {
  /** Streamed body literals, in order (body-start / body-chunk / body-end carry the seq). */
  body?(event: BodyEvent): void;
  /** Each FETCH response, after its bodies were streamed. */
  message(response: FetchedResponse): void;
}

export type UnsolicitedListener = (data: UntaggedResponse) => void;

const SPECIAL_USE = new Set(['\\all', '\\archive', '\\drafts', '\\flagged', '\\junk', '\\sent', '\\trash', '\\important']);

function abortError(signal: AbortSignal): PrxError {
  const reason = signal.reason;
  return reason instanceof AbortedError ? reason : new AbortedError('operation aborted');
}

export class ImapClient {
  capabilities = new Set<string>();
  enabled = new Set<string>();
  /** Most commands in flight at once so far (pipelining measure). */
  get maxObservedInFlight(): number {
    return this.core.maxObservedInFlight;
  }
  private listeners = new Set<UnsolicitedListener>();
  private closeListeners = new Set<(error: PrxError | null) => void>();
  private lastActivity = Date.now();
  private timer: ReturnType<typeof setInterval>;
  private closedWith: PrxError | null | undefined = undefined;
  private readonly trace;
  private selectCollector: ((data: UntaggedResponse) => boolean) | null = null;
  private idleActive = false;
  /** STARTTLS injection guard (CVE-2011-0411, client side): see startTls(). */
  private readonly starttlsGuard = { awaitingOk: false, sealed: false, injected: false };
  /** Replaced by a fresh parser after the TLS upgrade (set by create()). */
  private resetParser: () => boolean = () => true;

  private constructor(
    private readonly transport: Transport,
    private readonly core: SessionCore,
    private readonly options: ImapSessionOptions,
    trace: ReturnType<typeof createTrace>,
  ) {
    this.trace = trace;
    const timeout = options.commandTimeoutMs ?? 60_000;
    this.timer = setInterval(() => {
      if (this.core.inFlight > 0 && !this.idleActive && !this.readingPaused && Date.now() - this.lastActivity > timeout) {
        this.fail(new TimeoutError(`no response from the server for ${timeout} ms`));
      }
    }, Math.min(1000, timeout));
    this.timer.unref?.();
  }

  /** Wires core + parser + transport together (used by openImapSession). */
  static create(transport: Transport, options: ImapSessionOptions): { client: ImapClient; greeting: Promise<UntaggedResponse> } {
    const trace = createTrace(options.traceSize ?? 0);
    let client: ImapClient;
    let greetingResolve: (data: UntaggedResponse) => void;
    let greetingReject: (error: PrxError) => void;
    const greeting = new Promise<UntaggedResponse>((resolve, reject) => {
      greetingResolve = resolve;
      greetingReject = reject;
    });
    let greeted = false;
    const core = createSessionCore({
      send: (bytes, redacted) => {
        trace.add('C', (redacted ?? new TextDecoder().decode(bytes)).replace(/\r\n$/, ''));
        options.transcript?.client(redacted === null ? bytes : new TextEncoder().encode(redacted));
        transport.write(bytes);
      },
      unsolicited: (data) => {
        if (!greeted) {
          greeted = true;
          if (data.type === 'condition' && (data.condition === 'OK' || data.condition === 'PREAUTH')) greetingResolve(data);
          else if (data.type === 'condition' && data.condition === 'BYE') greetingReject(new ProtocolError(`server refused the connection: ${data.text.text}`));
          else greetingReject(new ProtocolError('this is not an IMAP server (unexpected greeting)'));
          return;
        }
        if (client.selectCollector?.(data)) return;
        for (const listener of client.listeners) listener(data);
      },
      encodeOptions: () => ({
        literalPlus: client.capabilities.has('LITERAL+'),
        literalMinus: client.capabilities.has('LITERAL-'),
        utf8Accept: client.enabled.has('UTF8=ACCEPT'),
      }),
      maxInFlight: options.maxPipelineDepth ?? 32,
    });
    client = new ImapClient(transport, core, options, trace);
    const guard = client.starttlsGuard;
    const onEvent = (event: ParserEvent): void => {
      if (guard.sealed) {
        // A response after the tagged OK to STARTTLS, before the handshake: injected plaintext.
        guard.injected = true;
        return;
      }
      if (event.type === 'response') trace.add('S', summarize(event.response));
      core.receive(event);
      if (guard.awaitingOk && event.type === 'response' && event.response.type === 'tagged') {
        guard.awaitingOk = false;
        guard.sealed = event.response.condition === 'OK';
      }
    };
    let parser = createResponseParser(onEvent);
    client.resetParser = () => {
      const clean = parser.atBoundary();
      parser = createResponseParser(onEvent);
      return clean;
    };
    let firstBytes = true;
    transport.setHandlers({
      data: (chunk) => {
        if (client.closedWith !== undefined) return;
        client.lastActivity = Date.now();
        options.transcript?.server(chunk);
        if (guard.sealed) {
          guard.injected = true;
          return;
        }
        if (firstBytes) {
          firstBytes = false;
          const head = new TextDecoder('latin1').decode(chunk.subarray(0, 8));
          const foreign = /^220[ -]/.test(head) ? 'an SMTP server' : head.startsWith('+OK') ? 'a POP3 server' : head.startsWith('HTTP/') ? 'an HTTP server' : null;
          if (foreign) {
            const error = new ProtocolError(`this is not an IMAP server: it greets like ${foreign}`);
            greetingReject(error);
            client.fail(error);
            return;
          }
        }
        // Nothing thrown while handling server bytes may reach the event loop (it would end the
        // process): it fails this connection with a typed error instead.
        try {
          parser.push(chunk);
        } catch (thrown) {
          client.fail(errorFromHandler(thrown));
        }
      },
      close: (error) => {
        try {
          parser.end();
        } catch (thrown) {
          client.fail(errorFromHandler(thrown));
        }
        const final = error ?? (client.closedWith === undefined ? null : client.closedWith);
        if (!greeted) greetingReject(error ?? new ProtocolError('connection closed before the greeting'));
        client.fail(final ?? new ProtocolError('connection closed'));
      },
    });
    return { client, greeting };
  }

  private readingPaused = false;

  /** Back-pressure: stop reading server bytes (e.g. while the parse queue is full). The
   * inactivity timeout does not run while reading is paused. */
  pauseReading(): void {
    if (this.readingPaused || this.closed) return;
    this.readingPaused = true;
    this.transport.pause();
  }

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

  onUnsolicited(listener: UnsolicitedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (error: PrxError | null) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  private fail(error: PrxError | null): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    clearInterval(this.timer);
    this.core.failAll(error ?? new ProtocolError('connection closed'));
    this.transport.close();
    for (const listener of this.closeListeners) listener(error);
  }

  /** Runs one command, honouring the signal (abort closes the connection). */
  async run(spec: CommandSpec, signal?: AbortSignal): Promise<ResponseText> {
    if (signal?.aborted) throw abortError(signal);
    if (this.closedWith !== undefined) throw this.closedWith ?? new ProtocolError('connection closed');
    this.lastActivity = Date.now();
    const pending = this.core.submit(spec);
    if (!signal) return (await pending).text;
    const onAbort = (): void => this.fail(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return (await pending).text;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** True once the server told us its capabilities with (or during) the login. */
  capabilitiesFromLogin = false;

  private captureCapabilities(text: ResponseText): boolean {
    if (text.code?.name === 'CAPABILITY') {
      this.capabilities = new Set(text.code.capabilities.map((c) => c.toUpperCase()));
      this.capabilitiesFromLogin = true;
      return true;
    }
    return false;
  }

  /** Untagged CAPABILITY sent during LOGIN/AUTHENTICATE (Gmail) counts as the new list. */
  private readonly captureUntaggedCapabilities = (data: UntaggedResponse): boolean => {
    if (data.type !== 'capability') return false;
    this.capabilities = new Set(data.capabilities.map((c) => c.toUpperCase()));
    this.capabilitiesFromLogin = true;
    return true;
  };

  async capability(signal?: AbortSignal): Promise<Set<string>> {
    let seen: string[] | null = null;
    await this.run(
      {
        name: 'CAPABILITY',
        args: [],
        onUntagged: (data) => {
          if (data.type !== 'capability') return false;
          seen = data.capabilities;
          return true;
        },
      },
      signal,
    );
    if (seen) this.capabilities = new Set((seen as string[]).map((c) => c.toUpperCase()));
    return this.capabilities;
  }

  /** STARTTLS and the in-place upgrade; refuses to continue when the server does not offer it. */
  async startTls(signal?: AbortSignal): Promise<void> {
    if (!this.capabilities.has('STARTTLS')) {
      throw new TlsError('the server does not offer STARTTLS; refusing to continue without TLS');
    }
    const guard = this.starttlsGuard;
    guard.awaitingOk = true;
    try {
      await this.run({ name: 'STARTTLS', args: [], exclusive: true }, signal);
    } finally {
      guard.awaitingOk = false;
    }
    // Anything the server sent after its OK and before the handshake (a whole response or part
    // of one) would be taken as protected data: refuse the connection (CVE-2011-0411).
    const clean = this.resetParser();
    if (guard.injected || !clean) {
      const error = new TlsError('the server sent data after its STARTTLS OK, before the TLS handshake (possible command injection); refusing the connection');
      this.fail(error);
      throw error;
    }
    await this.transport.upgradeToTls();
    guard.sealed = false;
    this.capabilities.clear();
    await this.capability(signal);
  }

  async login(user: string, password: string, signal?: AbortSignal): Promise<void> {
    if (this.capabilities.has('LOGINDISABLED')) throw new AuthError('the server disabled LOGIN on this connection');
    try {
      const text = await this.run(
        { name: 'LOGIN', args: [str(user), str(password)], exclusive: true, redactedTrace: 'LOGIN *** ***', onUntagged: this.captureUntaggedCapabilities },
        signal,
      );
      this.captureCapabilities(text);
    } catch (error) {
      throw toAuthError(error, 'LOGIN');
    }
  }

  async authenticate(mechanism: SaslMechanism, payload: string, signal?: AbortSignal): Promise<void> {
    const saslIr = this.capabilities.has('SASL-IR');
    let sentPayload = saslIr;
    let challengeError: string | null = null;
    try {
      const text = await this.run(
        {
          name: 'AUTHENTICATE',
          args: saslIr ? [atom(mechanism), atom(payload === '' ? '=' : payload)] : [atom(mechanism)],
          exclusive: true,
          redactedTrace: `AUTHENTICATE ${mechanism} ***`,
          onUntagged: this.captureUntaggedCapabilities,
          onContinuation: (challenge) => {
            if (!sentPayload) {
              sentPayload = true;
              return new TextEncoder().encode(payload);
            }
            // An error challenge: answer so the server can finish with a tagged NO.
            challengeError = describeSaslChallenge(challenge) ?? challengeError;
            return new TextEncoder().encode(errorChallengeReply(mechanism));
          },
        },
        signal,
      );
      this.captureCapabilities(text);
    } catch (error) {
      throw toAuthError(error, `AUTHENTICATE ${mechanism}`, challengeError);
    }
  }

  async enable(capabilities: string[], signal?: AbortSignal): Promise<Set<string>> {
    const wanted = capabilities.filter((c) => this.capabilities.has(c.toUpperCase()));
    if (wanted.length === 0 || !this.capabilities.has('ENABLE')) return this.enabled;
    let reported: string[] | null = null;
    await this.run(
      {
        name: 'ENABLE',
        args: wanted.map((c) => atom(c)),
        onUntagged: (data) => {
          if (data.type !== 'enabled') return false;
          reported ??= [];
          for (const capability of data.capabilities) reported.push(capability);
          return true;
        },
      },
      signal,
    );
    // iCloud answers OK without ENABLED: treat what we asked for as enabled.
    for (const capability of reported ?? wanted) this.enabled.add(capability.toUpperCase());
    if (this.enabled.has('QRESYNC')) this.enabled.add('CONDSTORE');
    return this.enabled;
  }

  async compress(signal?: AbortSignal): Promise<boolean> {
    if (!this.capabilities.has('COMPRESS=DEFLATE') || this.transport.compressed) return false;
    await this.run({ name: 'COMPRESS', args: [atom('DEFLATE')], exclusive: true }, signal);
    this.transport.startCompression();
    return true;
  }

  async list(options: { reference?: string; pattern?: string; status?: boolean } = {}, signal?: AbortSignal): Promise<MailboxInfo[]> {
    const entries: MailboxInfo[] = [];
    const statuses = new Map<string, StatusAttributes>();
    const wantStatus = options.status === true && this.capabilities.has('LIST-STATUS');
    const specialUse = this.capabilities.has('SPECIAL-USE');
    const returnOptions: CommandArg[] = [];
    if (specialUse) returnOptions.push(atom('SPECIAL-USE'));
    if (wantStatus) returnOptions.push(atom('STATUS'), list(atom('MESSAGES'), atom('UIDNEXT'), atom('UIDVALIDITY'), ...(this.capabilities.has('CONDSTORE') ? [atom('HIGHESTMODSEQ')] : [])));
    const collect = (data: UntaggedResponse): boolean => {
      if (data.type === 'list' && data.command === 'LIST') {
        entries.push(toMailboxInfo(data, this.enabled.has('UTF8=ACCEPT')));
        return true;
      }
      if (data.type === 'status') {
        statuses.set(data.mailbox, data.attributes);
        return true;
      }
      return false;
    };
    const base = [str(options.reference ?? ''), str(options.pattern ?? '*')];
    try {
      await this.run({ name: 'LIST', args: returnOptions.length > 0 ? [...base, atom('RETURN'), list(...returnOptions)] : base, onUntagged: collect }, signal);
    } catch (error) {
      // ProtonMail Bridge answers LIST ... RETURN (SPECIAL-USE) with BAD: retry plainly.
      if ((error as PrxError).code !== 'BAD' || returnOptions.length === 0) throw error;
      entries.length = 0;
      await this.run({ name: 'LIST', args: base, onUntagged: collect }, signal);
    }
    for (const entry of entries) {
      const status = statuses.get(entry.name);
      if (status) entry.status = status;
    }
    return entries;
  }

  async status(name: string, items: string[], signal?: AbortSignal): Promise<StatusAttributes> {
    let attributes: StatusAttributes = {};
    await this.run(
      {
        name: 'STATUS',
        args: [mailbox(name), list(...items.map((item) => atom(item)))],
        onUntagged: (data) => {
          if (data.type !== 'status') return false;
          attributes = data.attributes;
          return true;
        },
      },
      signal,
    );
    return attributes;
  }

  /** SELECT or EXAMINE, with CONDSTORE or QRESYNC parameters when enabled. */
  async select(
    name: string,
    options: { readOnly?: boolean; qresync?: { uidValidity: number; modseq: bigint; knownUids?: string } } = {},
    signal?: AbortSignal,
  ): Promise<SelectResult> {
    const result: SelectResult = {
      exists: 0,
      uidValidity: 0,
      uidNext: null,
      highestModseq: null,
      flags: [],
      permanentFlags: [],
      readOnly: options.readOnly === true,
      vanished: [],
      changed: [],
    };
    const args: CommandArg[] = [mailbox(name)];
    if (options.qresync && this.enabled.has('QRESYNC')) {
      const params: CommandArg[] = [atom(String(options.qresync.uidValidity)), atom(String(options.qresync.modseq))];
      if (options.qresync.knownUids) params.push(sequence(options.qresync.knownUids));
      args.push(list(atom('QRESYNC'), list(...params)));
    } else if (this.enabled.has('CONDSTORE') || this.capabilities.has('CONDSTORE')) {
      args.push(list(atom('CONDSTORE')));
    }
    let sawNoModseq = false;
    const collect = (data: UntaggedResponse): boolean => {
      switch (data.type) {
        case 'exists':
          result.exists = data.count;
          return true;
        case 'flags':
          result.flags = data.flags;
          return true;
        case 'vanished':
          // Never spread a server-sized list into a call (a long VANISHED overflows the stack).
          for (const range of data.uids) result.vanished.push(range);
          return true;
        case 'fetch':
          result.changed.push(data.attributes);
          return true;
        case 'recent':
          return true;
        case 'condition': {
          const code = data.text.code;
          if (!code || data.condition !== 'OK') return false;
          if (code.name === 'UIDVALIDITY') result.uidValidity = code.value;
          else if (code.name === 'UIDNEXT') result.uidNext = code.value;
          else if (code.name === 'HIGHESTMODSEQ') result.highestModseq = code.value;
          else if (code.name === 'PERMANENTFLAGS') result.permanentFlags = code.flags;
          else if (code.name === 'ATOM' && code.atom === 'NOMODSEQ') sawNoModseq = true;
          else if (code.name === 'ATOM' && code.atom === 'CLOSED') return true;
          else return false;
          return true;
        }
        default:
          return false;
      }
    };
    // Untagged data of SELECT arrives before its tagged OK and is claimed here.
    this.selectCollector = collect;
    try {
      const text = await this.run({ name: options.readOnly ? 'EXAMINE' : 'SELECT', args, exclusive: true, onUntagged: collect }, signal);
      if (text.code?.name === 'ATOM' && text.code.atom === 'READ-ONLY') result.readOnly = true;
    } finally {
      this.selectCollector = null;
    }
    if (sawNoModseq) result.highestModseq = null;
    return result;
  }

  /**
   * UID SEARCH; uses ESEARCH (RETURN (ALL)) when offered. Returns UIDs ascending. An answer of
   * more than `maxSearchResults` UIDs (SEARCH numbers or ESEARCH ranges alike) fails with LIMIT
   * before anything is expanded; below the cap the expansion is one typed-array pass.
   */
  async uidSearch(criteria: CommandArg[], signal?: AbortSignal): Promise<number[]> {
    const cap = this.options.maxSearchResults ?? MAX_SEARCH_RESULTS;
    const ids: number[] = [];
    const ranges: NumberRange[] = [];
    let rangeCount = 0;
    let tooMany = 0;
    const esearch = this.capabilities.has('ESEARCH');
    const args = esearch ? [atom('RETURN'), list(atom('ALL')), ...criteria] : criteria;
    await this.run(
      {
        name: 'UID SEARCH',
        args,
        onUntagged: (data) => {
          if (data.type === 'search') {
            if (tooMany > 0 || ids.length + data.ids.length + rangeCount > cap) {
              tooMany = Math.max(tooMany, ids.length + data.ids.length + rangeCount);
              return true;
            }
            // No spread: a SEARCH of a big mailbox holds more numbers than a call has arguments.
            for (const id of data.ids) ids.push(id);
            return true;
          }
          if (data.type === 'esearch') {
            if (tooMany > 0) return true;
            // Counted per response (overlaps between responses count twice: only a hostile
            // server sends those), merged once at the end.
            const count = rangeCount + countInRanges(data.all ?? []);
            if (ids.length + count > cap) {
              tooMany = ids.length + count;
              return true;
            }
            for (const range of data.all ?? []) ranges.push(range);
            rangeCount = count;
            return true;
          }
          return false;
        },
      },
      signal,
    );
    if (tooMany > 0) throw new LimitError(`UID SEARCH: the server reported ${tooMany} results (more than ${cap}); refusing to expand them`);
    return sortedUnique(ids, mergeRanges(ranges), rangeCount);
  }

  /**
   * UID FETCH with streaming bodies. `items` is the parenthesised item list (built by the
   * library); CHANGEDSINCE / VANISHED modifiers when asked. FETCH responses without a UID
   * (unsolicited flag updates) are passed to the unsolicited listeners instead.
   */
  async uidFetch(
    set: string,
    items: CommandArg[],
    handlers: FetchHandlers,
    options: { changedSince?: bigint; vanished?: boolean } = {},
    signal?: AbortSignal,
  ): Promise<NumberRange[]> {
    const args: CommandArg[] = [sequence(set), list(...items)];
    const vanished: NumberRange[] = [];
    if (options.changedSince !== undefined) {
      const modifiers: CommandArg[] = [atom('CHANGEDSINCE'), atom(String(options.changedSince))];
      if (options.vanished && this.enabled.has('QRESYNC')) modifiers.push(atom('VANISHED'));
      args.push(list(...modifiers));
    }
    await this.run(
      {
        name: 'UID FETCH',
        args,
        onUntagged: (data) => {
          if (data.type === 'fetch' && data.attributes.uid !== undefined) {
            handlers.message({ seq: data.seq, attributes: data.attributes });
            return true;
          }
          if (data.type === 'vanished' && data.earlier) {
            for (const range of data.uids) vanished.push(range);
            return true;
          }
          return false;
        },
        ...(handlers.body ? { onBody: (event: BodyEvent) => handlers.body?.(event) } : {}),
      },
      signal,
    );
    return vanished;
  }

  async append(name: string, message: Uint8Array, flags: string[] = [], signal?: AbortSignal): Promise<ResponseText> {
    return this.run(
      { name: 'APPEND', args: [mailbox(name), list(...flags.map((f) => atom(f))), { kind: 'literal', value: message }] },
      signal,
    );
  }

  async uidStore(set: string, action: '+FLAGS' | '-FLAGS' | 'FLAGS', flags: string[], signal?: AbortSignal): Promise<void> {
    await this.run(
      { name: 'UID STORE', args: [sequence(set), atom(`${action}.SILENT`), list(...flags.map((f) => atom(f)))] },
      signal,
    );
  }

  async uidExpunge(set: string, signal?: AbortSignal): Promise<void> {
    await this.run({ name: 'UID EXPUNGE', args: [sequence(set)] }, signal);
  }

  async namespace(signal?: AbortSignal): Promise<Extract<UntaggedResponse, { type: 'namespace' }> | null> {
    if (!this.capabilities.has('NAMESPACE')) return null;
    let result: Extract<UntaggedResponse, { type: 'namespace' }> | null = null;
    await this.run(
      {
        name: 'NAMESPACE',
        args: [],
        onUntagged: (data) => {
          if (data.type !== 'namespace') return false;
          result = data;
          return true;
        },
      },
      signal,
    );
    return result;
  }

  /** RFC 2971 ID: sends ours (name/version only), returns the server's. */
  async id(params: Record<string, string> = { name: 'prx-email' }, signal?: AbortSignal): Promise<Record<string, string | null> | null> {
    if (!this.capabilities.has('ID')) return null;
    let result: Record<string, string | null> | null = null;
    const items = Object.entries(params).flatMap(([key, value]) => [str(key), str(value)]);
    await this.run(
      {
        name: 'ID',
        args: [items.length > 0 ? list(...items) : atom('NIL')],
        onUntagged: (data) => {
          if (data.type !== 'id') return false;
          result = data.params;
          return true;
        },
      },
      signal,
    );
    return result;
  }

  /** UID MOVE (RFC 6851), or COPY + STORE \Deleted + UID EXPUNGE when MOVE is missing. */
  async uidMove(set: string, destination: string, signal?: AbortSignal): Promise<void> {
    if (this.capabilities.has('MOVE')) {
      await this.run({ name: 'UID MOVE', args: [sequence(set), mailbox(destination)] }, signal);
      return;
    }
    await this.run({ name: 'UID COPY', args: [sequence(set), mailbox(destination)] }, signal);
    await this.uidStore(set, '+FLAGS', ['\\Deleted'], signal);
    await this.uidExpunge(set, signal);
  }

  async noop(signal?: AbortSignal): Promise<void> {
    await this.run({ name: 'NOOP', args: [] }, signal);
  }

  /**
   * IDLE until `stop` is called, the signal aborts, or `maxIdleMs` (default 5 min) passes —
   * whichever is first — then DONE. Unsolicited data keeps flowing to the listeners meanwhile.
   */
  async idle(options: { maxIdleMs?: number; livenessMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (!this.capabilities.has('IDLE')) {
      await this.noop(options.signal);
      return;
    }
    let resolveStarted!: () => void;
    const started = new Promise<void>((resolve) => (resolveStarted = resolve));
    // A stop asked for before IDLE is under way (new mail that came with "+ idling", say) is
    // kept and honoured as soon as it is.
    let stopRequested = false;
    this.stopIdle = () => {
      stopRequested = true;
    };
    const done = this.run({
      name: 'IDLE',
      args: [],
      exclusive: true,
      onContinuation: () => {
        this.idleActive = true;
        resolveStarted();
        return null;
      },
    });
    // A server that ends IDLE without ever sending "+" (OK, NO or BAD straight away) must not
    // leave us waiting for a continuation that never comes.
    done.then(resolveStarted, resolveStarted);
    await started;
    let probe = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, options.maxIdleMs ?? 5 * 60_000);
      // Liveness: servers send "* OK Still here" every few minutes; silence longer than
      // livenessMs ends IDLE so the NOOP probe below can tell a dead connection.
      const livenessMs = options.livenessMs ?? 4 * 60_000;
      const liveness = setInterval(() => {
        if (Date.now() - this.lastActivity > livenessMs) {
          probe = true;
          finish();
        }
      }, Math.min(livenessMs, 10_000));
      liveness.unref?.();
      const onAbort = (): void => finish();
      const client = this;
      function finish(): void {
        clearTimeout(timer);
        clearInterval(liveness);
        client.stopIdle = null;
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      this.stopIdle = finish;
      if (options.signal?.aborted || stopRequested) finish();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      done.then(finish, finish);
    });
    this.stopIdle = null;
    if (this.idleActive && !this.closed) {
      this.idleActive = false;
      this.lastActivity = Date.now();
      const done = new TextEncoder().encode('DONE\r\n');
      this.options.transcript?.client(done);
      this.transport.write(done);
    }
    this.idleActive = false;
    await done;
    if (probe) {
      // No data for too long: a NOOP that does not come back closes the connection (TIMEOUT),
      // which reaches onClose listeners as the signal to reconnect.
      await this.noop();
    }
  }

  /** Ends a running idle() early (safe to call from an unsolicited-data listener at any point
   * of idle(), including before the server's "+ idling" has been processed). */
  stopIdle: (() => void) | null = null;

  async logout(): Promise<void> {
    if (this.closed) return;
    try {
      await this.run({ name: 'LOGOUT', args: [], exclusive: true });
    } catch {
      // The connection goes away either way.
    }
    this.closedWith = null;
    clearInterval(this.timer);
    this.transport.close();
  }

  close(): void {
    this.fail(null);
  }
}

/** Under UTF8=ACCEPT the server's names are UTF-8 already: the display name is the name. */
function toMailboxInfo(data: ListResponse, utf8Accept: boolean): MailboxInfo {
  const lower = data.attributes.map((a) => a.toLowerCase());
  const special = data.attributes.find((a) => SPECIAL_USE.has(a.toLowerCase())) ?? null;
  return {
    name: data.mailbox,
    displayName: utf8Accept ? data.mailbox : decodeMailboxName(data.mailbox),
    delimiter: data.delimiter,
    attributes: data.attributes,
    specialUse: special,
    selectable: !lower.includes('\\noselect') && !lower.includes('\\nonexistent'),
  };
}

/** More UIDs than a real mailbox holds: a SEARCH/ESEARCH answer above this is refused, not
 * expanded (2 million UIDs expand and sort in well under a second). */
const MAX_SEARCH_RESULTS = 2_000_000;

/** SEARCH numbers plus merged ESEARCH ranges (covering at most `rangeCount` UIDs) → ascending
 * unique UIDs, via one Uint32Array. */
function sortedUnique(ids: readonly number[], ranges: readonly NumberRange[], rangeCount: number): number[] {
  const all = new Uint32Array(ids.length + rangeCount);
  let n = 0;
  for (const id of ids) if (Number.isInteger(id) && id > 0 && id <= 0xffffffff) all[n++] = id;
  for (const range of ranges) for (let uid = range.start; uid <= range.end && uid <= 0xffffffff; uid++) all[n++] = uid;
  const sorted = all.subarray(0, n);
  if (ids.length > 0) sorted.sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const uid = sorted[i] as number;
    if (i === 0 || uid !== sorted[i - 1]) out.push(uid);
  }
  return out;
}

/** Any exception thrown while handling server bytes, as the typed error that fails the
 * connection: LIMIT for resource exhaustion (RangeError: stack, array or string size), PROTOCOL
 * otherwise. */
function errorFromHandler(thrown: unknown): PrxError {
  if (isPrxError(thrown)) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (thrown instanceof RangeError) return new LimitError(`server data exceeded a runtime limit: ${message}`, { cause: thrown });
  return new ProtocolError(`server data could not be handled: ${message}`, { cause: thrown });
}

const TOO_MANY_CONNECTIONS = /too many (simultaneous )?connections|maximum number of connections/i;

function toAuthError(error: unknown, command: string, challenge: string | null = null): PrxError {
  const prx = error as PrxError;
  const details = {
    command,
    ...(prx?.responseCode ? { responseCode: prx.responseCode } : {}),
    ...(prx?.serverText ? { serverText: prx.serverText } : {}),
  };
  if (prx?.code === 'NO' && (prx.responseCode === 'UNAVAILABLE' || TOO_MANY_CONNECTIONS.test(prx.serverText ?? ''))) {
    // Gmail's 15-connection limit, Dovecot's per-user+IP limit: the credentials are fine; retry
    // later (the runner backs off), do not ask the user for a new password.
    return new ThrottledError(`${command} refused for now: ${prx.serverText ?? prx.message}`, details);
  }
  if (prx?.code === 'NO' || prx?.code === 'BAD') {
    return new AuthError(`${command} rejected: ${prx.serverText ?? prx.message}${challenge ? ` (${challenge})` : ''}`, {
      command,
      ...(prx.responseCode ? { responseCode: prx.responseCode } : {}),
      ...(prx.serverText ? { serverText: prx.serverText } : {}),
    });
  }
  return prx;
}

function summarize(response: import('../wire/types.js').Response): string {
  if (response.type === 'tagged') return `${response.tag} ${response.condition} ${response.text.text}`;
  if (response.type === 'continuation') return '+ ***';
  const data = response.data;
  if (data.type === 'fetch') return `* ${data.seq} FETCH (uid ${data.attributes.uid ?? '?'})`;
  if (data.type === 'condition') return `* ${data.condition} ${data.text.text}`;
  return `* ${data.type.toUpperCase()}`;
}

async function authenticateWith(client: ImapClient, options: ImapSessionOptions, forceRefresh: boolean): Promise<void> {
  const { auth, user } = options;
  if (auth.password !== undefined && auth.password !== '') {
    const usePlain = options.passwordMechanism === 'PLAIN' || (options.passwordMechanism !== 'LOGIN' && client.capabilities.has('AUTH=PLAIN'));
    if (usePlain) await client.authenticate('PLAIN', plainPayload(user, auth.password), options.signal);
    else await client.login(user, auth.password, options.signal);
    return;
  }
  const token = auth.oauthTokenProvider ? await auth.oauthTokenProvider({ user, forceRefresh }) : (auth.oauthToken as string);
  const preferBearer = options.oauthMechanism !== 'XOAUTH2';
  if (options.oauthMechanism === 'OAUTHBEARER' || (preferBearer && client.capabilities.has('AUTH=OAUTHBEARER'))) {
    await client.authenticate('OAUTHBEARER', oauthbearerPayload(user, options.host, options.port, token), options.signal);
  } else if (options.oauthMechanism === 'XOAUTH2' || client.capabilities.has('AUTH=XOAUTH2')) {
    await client.authenticate('XOAUTH2', xoauth2Payload(user, token), options.signal);
  } else {
    throw new AuthError('the server offers neither AUTH=OAUTHBEARER nor AUTH=XOAUTH2');
  }
}

/** Loopback, private (RFC 1918 / RFC 4193 / link-local) and .local hosts. */
export function isLocalNetworkHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h === '::1') return true;
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (v4) {
    const a = Number(v4[1]);
    const b = Number(v4[2]);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  return /^f[cd][0-9a-f]{2}:/.test(h) || /^fe80:/.test(h);
}

/** Connects, authenticates and prepares a session; see the module header. */
export async function openImapSession(options: ImapSessionOptions): Promise<ImapClient> {
  validateImapConfig(options);
  const mode = options.tls?.mode ?? 'implicit';
  const transport = await (options.connectTransport ?? connectTransport)({
    host: options.host,
    port: options.port,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const { client, greeting } = ImapClient.create(transport, options);
  try {
    const greetingTimeout = options.greetingTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = await Promise.race([
      greeting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`no greeting within ${greetingTimeout} ms`)), greetingTimeout);
      }),
    ]).finally(() => clearTimeout(timer));
    const preauth = first.type === 'condition' && first.condition === 'PREAUTH';
    if (first.type === 'condition' && first.text.code?.name === 'CAPABILITY') {
      client.capabilities = new Set(first.text.code.capabilities.map((c) => c.toUpperCase()));
    } else await client.capability(options.signal);
    if (mode === 'starttls') {
      if (preauth) throw new TlsError('server sent PREAUTH on a connection that must use STARTTLS');
      await client.startTls(options.signal);
    }
    if (!preauth) {
      try {
        await authenticateWith(client, options, false);
      } catch (error) {
        if ((error as PrxError).code !== 'AUTH' || !options.auth.oauthTokenProvider) throw error;
        await authenticateWith(client, options, true);
      }
      // Capabilities change at login (RFC 9051 §6.2.3); ask unless the server already said.
      if (!client.capabilitiesFromLogin) await client.capability(options.signal);
    }
    await client.enable(['QRESYNC', 'CONDSTORE', 'UTF8=ACCEPT'], options.signal);
    if (options.compress === true || ((options.compress ?? 'auto') === 'auto' && !isLocalNetworkHost(options.host))) {
      await client.compress(options.signal);
    }
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}
