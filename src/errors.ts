/**
 * Typed errors shared by every layer of prx-email.
 *
 * Every error the library throws or reports is a `PrxError` with a stable `code` that callers may
 * switch on (and that the CLI prints in `--json` mode). Messages never contain credentials: code
 * that builds an error from server text or a command must pass it through the session's redaction
 * first (AUTHENTICATE payloads and LOGIN arguments are never put into errors).
 */

/** The stable `code` of every {@link PrxError}: what kind of failure it is (see each member's comment). */
export type ErrorCode =
  | 'TLS' // certificate / hostname verification or handshake failure
  | 'NETWORK' // connection refused, reset, unexpected EOF, DNS
  | 'TIMEOUT' // connect, greeting, command or idle liveness deadline passed
  | 'AUTH' // credentials rejected (LOGIN / AUTHENTICATE NO, OAuth error challenge)
  | 'PROTOCOL' // malformed server data, not an IMAP server, unexpected response
  | 'NO' // a command ended with tagged NO
  | 'BAD' // a command ended with tagged BAD
  | 'BYE' // the server closed the session with BYE
  | 'THROTTLED' // the server asked us to slow down (Office 365 "Suggested Backoff Time")
  | 'LIMIT' // a configured limit was exceeded (line length, literal size, nesting depth...)
  | 'ABORTED' // the caller's AbortSignal fired
  | 'CONFIG' // invalid configuration passed by the caller
  | 'STORAGE' // SQLite / file persistence failure
  | 'LOCKED' // another process held the database file's write lock past the busy timeout
  | 'CORRUPT_DB'; // the database file is not a prx-email database or is damaged

/** Optional context of a {@link PrxError}, beside its code and message. */
export interface PrxErrorDetails {
  /** IMAP command name that failed, e.g. `UID FETCH` (never its arguments). */
  command?: string;
  /** Response code atom from the server, e.g. `AUTHENTICATIONFAILED`, `TRYCREATE`. */
  responseCode?: string;
  /** Human text the server sent with the status response (redacted where needed). */
  serverText?: string;
  /** For THROTTLED: the server's suggested wait, in milliseconds. */
  retryAfterMs?: number;
  /** Underlying error, if any. */
  cause?: unknown;
}

/** The base class of every error prx-email throws or reports; switch on its {@link PrxError.code}. */
export class PrxError extends Error {
  /** What kind of failure this is; stable across releases. */
  readonly code: ErrorCode;
  /** IMAP command name that failed, e.g. `UID FETCH` (never its arguments). */
  readonly command: string | undefined;
  /** Response code atom from the server, e.g. `AUTHENTICATIONFAILED`. */
  readonly responseCode: string | undefined;
  /** Human text the server sent with the status response (redacted where needed). */
  readonly serverText: string | undefined;
  /** For THROTTLED: the server's suggested wait, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  /** An error of kind `code`; `details.cause` becomes the standard `Error.cause`. */
  constructor(code: ErrorCode, message: string, details: PrxErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.command = details.command;
    this.responseCode = details.responseCode;
    this.serverText = details.serverText;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The JSON form (what the CLI prints in `--json` mode): the code and the message only. */
  toJSON(): PrxErrorJson {
    return { code: this.code, message: this.message };
  }
}

/** What {@link PrxError.toJSON} returns. */
export interface PrxErrorJson {
  /** The error's {@link ErrorCode}. */
  code: ErrorCode;
  /** The error's message (never contains credentials). */
  message: string;
}

/** `TLS`: certificate or hostname verification, or the handshake, failed. */
export class TlsError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('TLS', message, details);
  }
}
/** `NETWORK`: connection refused or reset, unexpected EOF, DNS failure. */
export class NetworkError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('NETWORK', message, details);
  }
}
/** `TIMEOUT`: a connect, greeting, command or idle liveness deadline passed. */
export class TimeoutError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('TIMEOUT', message, details);
  }
}
/** `AUTH`: the server rejected the credentials (LOGIN / AUTHENTICATE NO, OAuth error challenge). */
export class AuthError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('AUTH', message, details);
  }
}
/** `PROTOCOL`: malformed server data, not an IMAP server, or an unexpected response. */
export class ProtocolError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('PROTOCOL', message, details);
  }
}
/** `NO` / `BAD`: a command completed with tagged NO (`code: 'NO'`) or BAD (`code: 'BAD'`). */
export class CommandError extends PrxError {
  constructor(code: 'NO' | 'BAD', message: string, details?: PrxErrorDetails) {
    super(code, message, details);
  }
}
/** `BYE`: the server closed the session with BYE. */
export class ByeError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('BYE', message, details);
  }
}
/** `THROTTLED`: the server asked the client to slow down (see {@link PrxError.retryAfterMs}). */
export class ThrottledError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('THROTTLED', message, details);
  }
}
/** `LIMIT`: a configured limit was exceeded (line length, literal size, nesting depth...). */
export class LimitError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('LIMIT', message, details);
  }
}
/** `ABORTED`: the caller's AbortSignal fired. */
export class AbortedError extends PrxError {
  constructor(message = 'operation aborted', details?: PrxErrorDetails) {
    super('ABORTED', message, details);
  }
}
/** `CONFIG`: invalid configuration passed by the caller. */
export class ConfigError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('CONFIG', message, details);
  }
}
/** `STORAGE`: SQLite or file persistence failure. */
export class StorageError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('STORAGE', message, details);
  }
}
/** `LOCKED`: another process held the database file's lock for longer than the busy timeout. */
export class LockedError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('LOCKED', message, details);
  }
}
/** `CORRUPT_DB`: the database file is not a prx-email database or is damaged. */
export class CorruptDatabaseError extends PrxError {
  constructor(message: string, details?: PrxErrorDetails) {
    super('CORRUPT_DB', message, details);
  }
}

/** Whether `value` is a {@link PrxError} (of any kind). */
export function isPrxError(value: unknown): value is PrxError {
  return value instanceof PrxError;
}
