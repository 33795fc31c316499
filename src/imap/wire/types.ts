/**
 * The typed model of what an IMAP server sends: every response the parser can produce, and the
 * events it emits while streaming. This file is the contract between the wire layer (producer)
 * and the session/sync layers (consumers); it holds types only, no logic.
 *
 * Conventions:
 * - Numbers that are 32-bit on the wire (UIDs, sequence numbers, counts) are `number`;
 *   64-bit ones (MODSEQ, HIGHESTMODSEQ) are `bigint`.
 * - Mailbox names are the server's spelling, as a JS string decoded from the wire bytes as UTF-8
 *   (modified UTF-7 is NOT decoded here; see `mailbox-name.ts`).
 * - Byte values that may be binary (body sections, literals) are `Uint8Array`.
 * - Sets of UIDs/sequence numbers are kept as ranges so `1:100000` costs O(1).
 */

import type { ProtocolError } from '../../errors.js';

/** An inclusive range of UIDs or sequence numbers; `end >= start`. `*` is resolved by the server
 * and never appears in server data except in `SequenceRangeWithStar`. */
export interface NumberRange {
  start: number;
  end: number;
}

/** A set as it appears in server data (VANISHED, COPYUID, ESEARCH ALL). */
export type NumberSet = NumberRange[];

export type StatusCondition = 'OK' | 'NO' | 'BAD';
export type UntaggedCondition = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

/** Response codes (`[...]` after a status condition). */
export type ResponseCode =
  | { name: 'UIDVALIDITY' | 'UIDNEXT' | 'UNSEEN'; value: number }
  | { name: 'HIGHESTMODSEQ'; value: bigint }
  | { name: 'PERMANENTFLAGS'; flags: string[] }
  | { name: 'CAPABILITY'; capabilities: string[] }
  | { name: 'BADCHARSET'; charsets: string[] }
  | { name: 'APPENDUID'; uidValidity: number; uids: NumberSet }
  | { name: 'COPYUID'; uidValidity: number; source: NumberSet; destination: NumberSet }
  | { name: 'MODIFIED'; set: NumberSet }
  | {
      /** Codes without data we care about (ALERT, PARSE, READ-ONLY, READ-WRITE, TRYCREATE,
       * NOMODSEQ, CLOSED, AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, UNAVAILABLE, EXPIRED,
       * PRIVACYREQUIRED, CONTACTADMIN, NOPERM, INUSE, EXPUNGEISSUED, CORRUPTION, SERVERBUG,
       * CLIENTBUG, CANNOT, LIMIT, OVERQUOTA, ALREADYEXISTS, NONEXISTENT, UIDNOTSTICKY, ...) and
       * unknown codes. `name` is upper-cased; `text` is the raw remainder inside the brackets. */
      name: 'ATOM';
      atom: string;
      text: string | null;
    };

export interface ResponseText {
  code: ResponseCode | null;
  /** Human-readable text (may be empty: some servers omit it). */
  text: string;
}

export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface BodyParameters {
  [name: string]: string;
}

export interface BodyDisposition {
  type: string;
  params: BodyParameters;
}

interface BodyCommonExtension {
  disposition?: BodyDisposition | null;
  language?: string[] | null;
  location?: string | null;
}

export interface SinglePartBody extends BodyCommonExtension {
  kind: 'single';
  type: string; // lower-cased, e.g. "text"
  subtype: string; // lower-cased, e.g. "plain"
  params: BodyParameters;
  id: string | null;
  description: string | null;
  encoding: string; // lower-cased; "" when the server sent NIL
  size: number;
  /** text/* only */
  lines?: number;
  /** message/rfc822 only */
  envelope?: Envelope;
  body?: BodyStructure;
  md5?: string | null;
}

export interface MultiPartBody extends BodyCommonExtension {
  kind: 'multi';
  parts: BodyStructure[];
  subtype: string; // lower-cased, e.g. "alternative"
  params?: BodyParameters;
}

export type BodyStructure = SinglePartBody | MultiPartBody;

/** A body section value delivered inside the FETCH response (not streamed). */
export interface InlineBodySection {
  /** Section spec as the server echoed it, upper-cased, e.g. "", "HEADER", "1.2.MIME",
   * "HEADER.FIELDS (SUBJECT FROM)". For `RFC822`, `RFC822.HEADER`, `RFC822.TEXT` the item name. */
  section: string;
  /** `BINARY[...]` rather than `BODY[...]`. */
  binary: boolean;
  /** `<origin>` for partial fetches. */
  origin: number | null;
  value: Uint8Array | null;
  streamed: false;
}

/** A body section whose bytes were delivered as `body-start` / `body-chunk` / `body-end` events
 * before this FETCH response was emitted. */
export interface StreamedBodySection {
  section: string;
  binary: boolean;
  origin: number | null;
  size: number;
  streamed: true;
}

export type BodySection = InlineBodySection | StreamedBodySection;

export interface FetchAttributes {
  uid?: number;
  flags?: string[];
  /** Raw INTERNALDATE string, e.g. "17-Jul-1996 02:44:25 -0700". */
  internalDate?: string;
  rfc822Size?: number;
  modseq?: bigint;
  envelope?: Envelope;
  bodyStructure?: BodyStructure;
  bodySections?: BodySection[];
  /** BINARY.SIZE[section] values. */
  binarySizes?: { section: string; size: number }[];
  /** Gmail extensions, when present. */
  xGmMsgId?: bigint;
  xGmThrId?: bigint;
  xGmLabels?: string[];
  /** RFC 8474 OBJECTID, when present. */
  emailId?: string;
  threadId?: string | null;
}

export interface ListResponse {
  type: 'list';
  command: 'LIST' | 'LSUB';
  /** Attributes as sent, e.g. ["\\HasNoChildren", "\\Sent"]; case preserved. */
  attributes: string[];
  delimiter: string | null;
  mailbox: string;
  /** RFC 5258 extended data, e.g. CHILDINFO / OLDNAME; raw values. */
  extended: Record<string, unknown>;
}

export interface StatusAttributes {
  messages?: number;
  recent?: number;
  uidNext?: number;
  uidValidity?: number;
  unseen?: number;
  deleted?: number;
  size?: number;
  highestModseq?: bigint;
}

export interface NamespaceDescriptor {
  prefix: string;
  delimiter: string | null;
}

export type UntaggedResponse =
  | { type: 'condition'; condition: UntaggedCondition; text: ResponseText }
  | { type: 'capability'; capabilities: string[] }
  | { type: 'enabled'; capabilities: string[] }
  | ListResponse
  | { type: 'status'; mailbox: string; attributes: StatusAttributes }
  | { type: 'search'; ids: number[]; modseq: bigint | null }
  | {
      type: 'esearch';
      tag: string | null;
      uid: boolean;
      min?: number;
      max?: number;
      count?: number;
      all?: NumberSet;
      modseq?: bigint;
    }
  | { type: 'flags'; flags: string[] }
  | { type: 'exists'; count: number }
  | { type: 'recent'; count: number }
  | { type: 'expunge'; seq: number }
  | { type: 'vanished'; earlier: boolean; uids: NumberSet }
  | { type: 'fetch'; seq: number; attributes: FetchAttributes }
  | { type: 'id'; params: Record<string, string | null> | null }
  | {
      type: 'namespace';
      personal: NamespaceDescriptor[] | null;
      other: NamespaceDescriptor[] | null;
      shared: NamespaceDescriptor[] | null;
    }
  /** Well-formed untagged data of a kind we do not model (QUOTA, METADATA, X-...). */
  | { type: 'other'; name: string; raw: string };

export interface TaggedResponse {
  type: 'tagged';
  tag: string;
  condition: StatusCondition;
  text: ResponseText;
}

export interface ContinuationRequest {
  type: 'continuation';
  /** Text after "+ " (may be empty, may be base64 for SASL). */
  text: string;
}

export type Response =
  | TaggedResponse
  | ContinuationRequest
  | { type: 'untagged'; data: UntaggedResponse };

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
  | { type: 'response'; response: Response }
  | {
      type: 'body-start';
      seq: number;
      section: string;
      binary: boolean;
      origin: number | null;
      size: number;
    }
  /** `data` is a view into the pushed chunk; copy it if you keep it past the callback. */
  | { type: 'body-chunk'; seq: number; data: Uint8Array }
  | { type: 'body-end'; seq: number }
  | {
      type: 'error';
      error: ProtocolError;
      /** First bytes of the offending response (at most 200), for diagnostics. */
      excerpt: string;
      /** Tag of the offending response, when it could be read (so the session can fail that
       * command rather than leave it hanging). */
      tag: string | null;
    };

export interface ParserLimits {
  /** Longest line (bytes between literals) accepted. */
  maxLineLength: number;
  /** Largest literal the parser will buffer in memory (non-streamed literals). */
  maxLiteralSize: number;
  /** Largest literal that is streamed to the consumer as body chunks. */
  maxStreamedLiteralSize: number;
  /** Deepest parenthesis nesting accepted (BODYSTRUCTURE of nested multiparts). */
  maxDepth: number;
  /** Most tokens (atoms, strings, numbers, lists) in one response. */
  maxTokens: number;
}
