/**
 * The session core: IMAP command flow as a state machine that never does I/O (h11-style).
 * Parser events go in through `receive()`; bytes to send come out through `send`; command
 * results come out as settled promises; unsolicited data comes out through `unsolicited`.
 *
 * It owns: tag generation; the command queue and pipelining (up to `maxInFlight` commands on the
 * wire; an `exclusive` command — SELECT, EXAMINE, STARTTLS, LOGIN, AUTHENTICATE, COMPRESS, IDLE,
 * LOGOUT — waits until nothing is in flight and nothing is sent after it until it completes, per
 * RFC 9051 §5.5); synchronising literals (the next part waits for `+`); continuation requests for
 * AUTHENTICATE and IDLE, and IDLE's DONE (`idleDone()`); routing of untagged data to the command
 * that asked for it (oldest first) and of streamed body literals to the oldest in-flight command
 * that takes bodies; and failing commands with typed errors (tagged NO/BAD, BYE, EOF, malformed
 * responses; server-specific texts via ./quirks.ts). The connection (./connection.ts) wraps it.
 */

import { AuthError, ByeError, CommandError, ProtocolError, ThrottledError, type PrxError } from '../../errors.js';
import type { CommandArg, CommandPart, EncodeOptions } from '../wire/encoder.js';
import { encodeCommand } from '../wire/encoder.js';
import type { ParserEvent, ResponseText, TaggedResponse, UntaggedResponse } from '../wire/types.js';
import { outlookBackoffMs, outlookNotConnected } from './quirks.js';

export type BodyEvent = Extract<ParserEvent, { type: 'body-start' | 'body-chunk' | 'body-end' }>;

export interface CommandSpec {
  name: string;
  args: CommandArg[];
  /** No pipelining around this command (state-changing commands). */
  exclusive?: boolean;
  /** Offered each untagged response while in flight; return true to claim it. */
  onUntagged?(data: UntaggedResponse): boolean;
  /** Receives streamed body literals while it is the oldest in-flight command that takes them. */
  onBody?(event: BodyEvent): void;
  /** A `+` continuation arrived that is not a literal request: return the line to send
   * (without CRLF), or null to send nothing (IDLE). */
  onContinuation?(text: string): Uint8Array | null;
  /** Text used in the trace instead of the real bytes (credentials). */
  redactedTrace?: string;
  /** IDLE (RFC 2177): after the server's `+`, the command runs until `idleDone()` sends DONE. */
  idle?: boolean;
}

export interface CommandResult {
  tag: string;
  text: ResponseText;
}

interface Pending {
  tag: string;
  spec: CommandSpec;
  parts: CommandPart[];
  nextPart: number;
  resolve(result: CommandResult): void;
  reject(error: PrxError): void;
  /** A malformed response arrived while this command was the oldest in flight. */
  poisoned: PrxError | null;
  /** IDLE only: 'waiting' for `+`, 'idling' after it, 'done' once DONE was sent. */
  idleState: 'waiting' | 'idling' | 'done';
}

export interface SessionCoreOptions {
  /**
   * Bytes for the server. `redacted` is null when the bytes may be shown as they are (traces,
   * transcripts); for a command carrying credentials it is the same wire text with them replaced
   * by `***` (the tag and command name stay).
   */
  send(bytes: Uint8Array, redacted: string | null): void;
  unsolicited(data: UntaggedResponse): void;
  encodeOptions(): EncodeOptions;
  maxInFlight?: number;
  tagPrefix?: string;
}

export function commandErrorFor(name: string, response: TaggedResponse): PrxError {
  const code = response.text.code;
  const atom = code === null ? undefined : code.name === 'ATOM' ? code.atom : code.name;
  const details = { command: name, serverText: response.text.text, ...(atom ? { responseCode: atom } : {}) };
  if (outlookNotConnected(response.text)) {
    return new AuthError(
      `${name} refused: the server accepted the login but cannot open the mailbox ("${response.text.text}"); check that IMAP is enabled for the account and the token's scope and mailbox address`,
      details,
    );
  }
  const backoffMs = outlookBackoffMs(response.text);
  if (backoffMs !== null) {
    return new ThrottledError(`${name} throttled by the server: ${response.text.text}`, {
      ...details,
      retryAfterMs: backoffMs,
    });
  }
  return new CommandError(
    response.condition === 'BAD' ? 'BAD' : 'NO',
    `${name} failed: ${response.condition}${atom ? ` [${atom}]` : ''} ${response.text.text}`.trim(),
    details,
  );
}

const DONE = new TextEncoder().encode('DONE\r\n');

export function createSessionCore(options: SessionCoreOptions) {
  const maxInFlight = options.maxInFlight ?? 32;
  const prefix = options.tagPrefix ?? 'A';
  let counter = 0;
  const queue: Pending[] = [];
  const inFlight: Pending[] = [];
  /** The command whose parts are not all sent (it waits for a continuation). */
  let sending: Pending | null = null;
  let failedWith: PrxError | null = null;
  let maxObservedInFlight = 0;

  const sendPart = (pending: Pending): void => {
    const part = pending.parts[pending.nextPart++] as CommandPart;
    const index = pending.nextPart - 1;
    const redacted =
      pending.spec.redactedTrace === undefined
        ? null
        : index === 0
          ? `${pending.tag} ${pending.spec.redactedTrace}\r\n`
          : '***\r\n';
    options.send(part.bytes, redacted);
    sending = part.waitForContinuation ? pending : null;
  };

  const canStart = (next: Pending): boolean => {
    if (sending !== null) return false;
    if (inFlight.length >= maxInFlight) return false;
    if (inFlight.some((p) => p.spec.exclusive)) return false;
    if (next.spec.exclusive && inFlight.length > 0) return false;
    return true;
  };

  const pump = (): void => {
    while (queue.length > 0 && failedWith === null) {
      const next = queue[0] as Pending;
      if (!canStart(next)) return;
      queue.shift();
      inFlight.push(next);
      maxObservedInFlight = Math.max(maxObservedInFlight, inFlight.length);
      sendPart(next);
    }
  };

  const failAll = (error: PrxError): void => {
    if (failedWith === null) failedWith = error;
    for (const pending of [...inFlight.splice(0), ...queue.splice(0)]) pending.reject(error);
    sending = null;
  };

  const complete = (response: TaggedResponse): void => {
    const index = inFlight.findIndex((p) => p.tag === response.tag);
    if (index < 0) {
      options.unsolicited({ type: 'other', name: 'UNKNOWN-TAG', raw: `${response.tag} ${response.condition} ${response.text.text}` });
      return;
    }
    const [pending] = inFlight.splice(index, 1) as [Pending];
    if (sending === pending) sending = null;
    if (response.condition !== 'OK') pending.reject(commandErrorFor(pending.spec.name, response));
    else if (pending.poisoned) pending.reject(pending.poisoned);
    else pending.resolve({ tag: response.tag, text: response.text });
    pump();
  };

  const receive = (event: ParserEvent): void => {
    switch (event.type) {
      case 'response': {
        const response = event.response;
        if (response.type === 'tagged') return complete(response);
        if (response.type === 'continuation') {
          const target = sending ?? inFlight.find((p) => p.spec.onContinuation) ?? null;
          if (!target) return;
          if (target.nextPart < target.parts.length) {
            sendPart(target);
            return;
          }
          if (target.spec.idle && target.idleState === 'waiting') target.idleState = 'idling';
          const reply = target.spec.onContinuation?.(response.text) ?? null;
          if (reply !== null) {
            const line = new Uint8Array(reply.length + 2);
            line.set(reply);
            line.set([0x0d, 0x0a], reply.length);
            options.send(line, target.spec.redactedTrace === undefined ? null : '***\r\n');
          }
          return;
        }
        const data = response.data;
        if (data.type === 'condition' && data.condition === 'BYE') {
          options.unsolicited(data);
          // LOGOUT expects BYE; anything else in flight fails.
          const others = inFlight.filter((p) => p.spec.name !== 'LOGOUT');
          if (others.length > 0 || queue.length > 0) {
            const error = new ByeError(`server closed the session: ${data.text.text}`, { serverText: data.text.text });
            for (const pending of others) {
              inFlight.splice(inFlight.indexOf(pending), 1);
              pending.reject(error);
            }
            for (const pending of queue.splice(0)) pending.reject(error);
          }
          return;
        }
        for (const pending of inFlight) {
          if (pending.spec.onUntagged?.(data)) return;
        }
        options.unsolicited(data);
        return;
      }
      case 'body-start':
      case 'body-chunk':
      case 'body-end': {
        const target = inFlight.find((p) => p.spec.onBody);
        target?.spec.onBody?.(event);
        return;
      }
      case 'error': {
        const tagged = event.tag === null ? undefined : inFlight.find((p) => p.tag === event.tag);
        const target = tagged ?? inFlight[0];
        if (!target) {
          options.unsolicited({ type: 'other', name: 'PARSE-ERROR', raw: event.excerpt });
          return;
        }
        const error = new ProtocolError(`${target.spec.name}: ${event.error.message} (${event.excerpt.slice(0, 80)})`, {
          command: target.spec.name,
        });
        if (tagged) {
          inFlight.splice(inFlight.indexOf(tagged), 1);
          if (sending === tagged) sending = null;
          tagged.reject(error);
          pump();
        } else target.poisoned ??= error;
        return;
      }
    }
  };

  const submit = (spec: CommandSpec): Promise<CommandResult> => {
    if (failedWith !== null) return Promise.reject(failedWith);
    const tag = `${prefix}${++counter}`;
    const parts = encodeCommand(tag, spec.name, spec.args, options.encodeOptions());
    return new Promise<CommandResult>((resolve, reject) => {
      queue.push({ tag, spec, parts, nextPart: 0, resolve, reject, poisoned: null, idleState: 'waiting' });
      pump();
    });
  };

  const idling = (): Pending | undefined => inFlight.find((p) => p.spec.idle && p.idleState === 'idling');

  /** Ends a running IDLE: sends DONE (once, and only after the server's `+`). */
  const idleDone = (): boolean => {
    const pending = idling();
    if (!pending || failedWith !== null) return false;
    pending.idleState = 'done';
    options.send(DONE, null);
    return true;
  };

  return {
    submit,
    receive,
    failAll,
    idleDone,
    /** An IDLE is under way (the server sent `+`, DONE is not sent yet). */
    get idling(): boolean {
      return idling() !== undefined;
    },
    get inFlight(): number {
      return inFlight.length;
    },
    get queued(): number {
      return queue.length;
    },
    get maxObservedInFlight(): number {
      return maxObservedInFlight;
    },
    get failed(): PrxError | null {
      return failedWith;
    },
  };
}

export type SessionCore = ReturnType<typeof createSessionCore>;
