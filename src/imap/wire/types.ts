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
 *
 * The data of FETCH responses lives in `fetch-data.ts`, the parser's events and limits in
 * `parser-events.ts`; both are re-exported here.
 */

import type { FetchAttributes } from './fetch-data.js';

export type * from './fetch-data.js';
export type * from './parser-events.js';

/** An inclusive range of UIDs or sequence numbers; `end >= start`. `*` is resolved by the server
 * and does not appear in server data. */
export interface NumberRange {
  /** First number of the range (inclusive, at least 1 in valid server data). */
  start: number;
  /** Last number of the range (inclusive); equals `start` for a single number. A `*` upper
   * bound in server data, which servers should not send, is read as `start`. */
  end: number;
}

/** A set as it appears in server data (VANISHED, COPYUID, ESEARCH ALL). */
export type NumberSet = NumberRange[];

/** Condition of a tagged response (RFC 3501 §7.1): `OK` the command succeeded, `NO` it failed
 * (e.g. no such mailbox, permission denied), `BAD` the server rejected it as a protocol error. */
export type StatusCondition = 'OK' | 'NO' | 'BAD';
/** Condition of an untagged status response (RFC 3501 §7.1): the tagged ones plus `BYE` (the
 * server is closing the connection) and `PREAUTH` (greeting of an already authenticated
 * connection). The greeting itself is an untagged `OK`, `PREAUTH` or `BYE`. */
export type UntaggedCondition = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

/** Response codes (`[...]` after a status condition). */
export type ResponseCode =
  | {
      /** `UIDVALIDITY`: the mailbox's UID validity value (RFC 3501 §2.3.1.1) — UIDs from an
       * earlier session are only valid while it stays the same. `UIDNEXT`: the UID the next
       * message added to the mailbox will at least get. `UNSEEN` (IMAP4rev1 only): the sequence
       * number of the first message without `\Seen`. */
      name: 'UIDVALIDITY' | 'UIDNEXT' | 'UNSEEN';
      /** The code's number (a 32-bit unsigned value on the wire). */
      value: number;
    }
  | {
      /** `HIGHESTMODSEQ` (CONDSTORE, RFC 7162 §3.1.2.1): the highest mod-sequence of any message
       * in the selected mailbox. */
      name: 'HIGHESTMODSEQ';
      /** The mod-sequence, a 63-bit unsigned value, hence `bigint`. */
      value: bigint;
    }
  | {
      /** `PERMANENTFLAGS` (RFC 3501 §7.1): the flags the client can change permanently in the
       * selected mailbox. */
      name: 'PERMANENTFLAGS';
      /** Flags as sent, case preserved, e.g. `["\\Seen", "\\Deleted", "\\*"]`; `\*` means new
       * keywords can be created. Empty when no flag can be stored permanently. */
      flags: string[];
    }
  | {
      /** `CAPABILITY`: the server's capability list, sent in a greeting or a LOGIN/AUTHENTICATE
       * result so the client need not ask with a CAPABILITY command. */
      name: 'CAPABILITY';
      /** Capability names as sent, e.g. `["IMAP4rev1", "IDLE", "AUTH=PLAIN"]`. */
      capabilities: string[];
    }
  | {
      /** `BADCHARSET`: a SEARCH named a charset the server does not support. */
      name: 'BADCHARSET';
      /** The charsets the server does support; empty when it did not list them. */
      charsets: string[];
    }
  | {
      /** `APPENDUID` (UIDPLUS, RFC 4315 §3): the UIDs an APPEND assigned. */
      name: 'APPENDUID';
      /** UIDVALIDITY of the destination mailbox. */
      uidValidity: number;
      /** UIDs of the appended message(s) in the destination mailbox. */
      uids: NumberSet;
    }
  | {
      /** `COPYUID` (UIDPLUS, RFC 4315 §3): the UIDs a COPY or MOVE assigned. */
      name: 'COPYUID';
      /** UIDVALIDITY of the destination mailbox. */
      uidValidity: number;
      /** UIDs of the copied messages in the source mailbox, in the order the server listed them. */
      source: NumberSet;
      /** UIDs the copies got in the destination mailbox, in the same order as `source`. */
      destination: NumberSet;
    }
  | {
      /** `MODIFIED` (CONDSTORE, RFC 7162 §3.1.3): messages a STORE with UNCHANGEDSINCE did not
       * change because they were modified since the given mod-sequence. */
      name: 'MODIFIED';
      /** Those messages: UIDs after UID STORE, sequence numbers after STORE. */
      set: NumberSet;
    }
  | {
      /** Codes without data we care about (ALERT, PARSE, READ-ONLY, READ-WRITE, TRYCREATE,
       * NOMODSEQ, CLOSED, AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, UNAVAILABLE, EXPIRED,
       * PRIVACYREQUIRED, CONTACTADMIN, NOPERM, INUSE, EXPUNGEISSUED, CORRUPTION, SERVERBUG,
       * CLIENTBUG, CANNOT, LIMIT, OVERQUOTA, ALREADYEXISTS, NONEXISTENT, UIDNOTSTICKY, ...),
       * unknown codes, and known codes whose data could not be read. The code itself is in
       * `atom`. */
      name: 'ATOM';
      /** The code's name, upper-cased, e.g. `"TRYCREATE"`, `"READ-ONLY"`. */
      atom: string;
      /** The raw remainder inside the brackets after the name, or `null` when there is none.
       * For a known code whose data could not be decoded, everything inside the brackets. */
      text: string | null;
    };

/** The `resp-text` of a status response (RFC 3501 §7.1): an optional response code and a
 * human-readable message. */
export interface ResponseText {
  /** The bracketed response code, decoded; `null` when the response has none. */
  code: ResponseCode | null;
  /** Human-readable text (may be empty: some servers omit it). */
  text: string;
}

/** A LIST or LSUB response (RFC 3501 §7.2.2–7.2.3, LIST-EXTENDED RFC 5258): one mailbox. */
export interface ListResponse {
  /** Discriminant of {@link UntaggedResponse}. */
  type: 'list';
  /** Which response it was: `LIST`, or `LSUB` (subscribed mailboxes, IMAP4rev1). */
  command: 'LIST' | 'LSUB';
  /** Attributes as sent, e.g. ["\\HasNoChildren", "\\Sent"]; case preserved. */
  attributes: string[];
  /** Hierarchy delimiter, e.g. `"/"` or `"."`; `null` when the server sent NIL (flat names). */
  delimiter: string | null;
  /** The mailbox name as sent: modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT is enabled,
   * not decoded here (use `decodeMailboxName` for display). Pass it back unchanged in commands. */
  mailbox: string;
  /** RFC 5258 extended data, e.g. CHILDINFO / OLDNAME, keyed by upper-cased tag; raw values
   * (strings, byte arrays for literals, nested arrays for lists, `null` for NIL). */
  extended: Record<string, unknown>;
}

/** The attributes of a STATUS response (RFC 3501 §6.3.10, §7.2.4). Each is present only when the
 * server returned it, normally because it was requested. */
export interface StatusAttributes {
  /** MESSAGES: number of messages in the mailbox. */
  messages?: number;
  /** RECENT: number of messages with `\Recent` (IMAP4rev1 only). */
  recent?: number;
  /** UIDNEXT: the UID the next message added to the mailbox will at least get. */
  uidNext?: number;
  /** UIDVALIDITY: the mailbox's UID validity value; a change means all cached UIDs are void. */
  uidValidity?: number;
  /** UNSEEN: number of messages without `\Seen`. */
  unseen?: number;
  /** DELETED (RFC 9051): number of messages with `\Deleted`. */
  deleted?: number;
  /** SIZE (RFC 8438 STATUS=SIZE): total size of the mailbox in octets. */
  size?: number;
  /** HIGHESTMODSEQ (CONDSTORE, RFC 7162): the mailbox's highest mod-sequence. */
  highestModseq?: bigint;
}

/** One namespace of a NAMESPACE response (RFC 2342): where mailboxes of that kind live. */
export interface NamespaceDescriptor {
  /** Mailbox name prefix of the namespace as sent (modified UTF-7 not decoded), e.g. `""`,
   * `"INBOX."`, `"Other Users/"`; `""` when the server sent it as something other than a
   * quoted string or atom. */
  prefix: string;
  /** Hierarchy delimiter in the namespace; `null` when the server sent NIL (flat names). */
  delimiter: string | null;
}

/** The data of an untagged (`* ...`) response, told apart by `type`. */
export type UntaggedResponse =
  | {
      /** `* OK|NO|BAD|BYE|PREAUTH [code] text` (RFC 3501 §7.1): a status response; also the
       * server greeting. */
      type: 'condition';
      /** The status condition. */
      condition: UntaggedCondition;
      /** Response code and human-readable text. */
      text: ResponseText;
    }
  | {
      /** `* CAPABILITY ...` (RFC 3501 §7.2.1). */
      type: 'capability';
      /** Capability names as sent, e.g. `"IMAP4rev1"`, `"CONDSTORE"`, `"AUTH=XOAUTH2"`. */
      capabilities: string[];
    }
  | {
      /** `* ENABLED ...` (RFC 5161): the answer to an ENABLE command. */
      type: 'enabled';
      /** The capabilities the server actually enabled, as sent, e.g. `"QRESYNC"`. */
      capabilities: string[];
    }
  | ListResponse
  | {
      /** `* STATUS mailbox (...)` (RFC 3501 §7.2.4). */
      type: 'status';
      /** The mailbox name as sent (modified UTF-7 unless UTF8=ACCEPT; not decoded). */
      mailbox: string;
      /** The returned status items. */
      attributes: StatusAttributes;
    }
  | {
      /** `* SEARCH ...` (RFC 3501 §7.2.5): the result of SEARCH or UID SEARCH. */
      type: 'search';
      /** Matching messages: sequence numbers after SEARCH, UIDs after UID SEARCH; may be empty. */
      ids: number[];
      /** Highest mod-sequence of the matches, from a trailing `(MODSEQ n)` (CONDSTORE, RFC 7162
       * §3.1.5); `null` when absent. */
      modseq: bigint | null;
    }
  | {
      /** `* ESEARCH ...` (ESEARCH RFC 4731, IMAP4rev2): a search result with only the requested
       * RETURN items. */
      type: 'esearch';
      /** Tag of the command this answers (the `(TAG "...")` correlator), or `null`. */
      tag: string | null;
      /** True when the numbers are UIDs (`UID` indicator), false for sequence numbers. */
      uid: boolean;
      /** MIN: lowest matching number; absent when not requested or nothing matched. */
      min?: number;
      /** MAX: highest matching number; absent when not requested or nothing matched. */
      max?: number;
      /** COUNT: how many messages matched. */
      count?: number;
      /** ALL: every matching number, as ranges. */
      all?: NumberSet;
      /** MODSEQ (CONDSTORE): highest mod-sequence of the matches. */
      modseq?: bigint;
    }
  | {
      /** `* FLAGS (...)` (RFC 3501 §7.2.6): the flags defined in the selected mailbox. */
      type: 'flags';
      /** Flags as sent, case preserved, e.g. `"\\Seen"`, `"$Junk"`. */
      flags: string[];
    }
  | {
      /** `* n EXISTS` (RFC 3501 §7.3.1): the number of messages in the selected mailbox changed. */
      type: 'exists';
      /** The new number of messages in the mailbox. */
      count: number;
    }
  | {
      /** `* n RECENT` (RFC 3501 §7.3.2, IMAP4rev1 only). */
      type: 'recent';
      /** Number of messages with `\Recent` in the selected mailbox. */
      count: number;
    }
  | {
      /** `* n EXPUNGE` (RFC 3501 §7.4.1): a message was removed from the selected mailbox. */
      type: 'expunge';
      /** Its sequence number; every higher sequence number shifts down by one. */
      seq: number;
    }
  | {
      /** `* VANISHED [(EARLIER)] uids` (QRESYNC, RFC 7162 §3.2.10): messages expunged, by UID;
       * sent instead of EXPUNGE once QRESYNC is enabled. */
      type: 'vanished';
      /** True for `VANISHED (EARLIER)`: part of a resynchronisation answer (SELECT ... QRESYNC,
       * UID FETCH ... VANISHED) about earlier expunges, not a live notification; sequence numbers
       * do not shift. */
      earlier: boolean;
      /** UIDs of the vanished messages (may include UIDs that never existed). */
      uids: NumberSet;
    }
  | {
      /** `* n FETCH (...)` (RFC 3501 §7.4.2): data about one message. */
      type: 'fetch';
      /** The message's sequence number (its UID, if sent, is in `attributes.uid`). */
      seq: number;
      /** The data items the server sent. */
      attributes: FetchAttributes;
    }
  | {
      /** `* ID (...)` (RFC 2971): the server's identification. */
      type: 'id';
      /** Field/value pairs as sent, e.g. `{ name: "Dovecot", version: "2.3" }` (a value is `null`
       * for NIL); `null` when the server sent `ID NIL`. */
      params: Record<string, string | null> | null;
    }
  | {
      /** `* NAMESPACE personal other shared` (RFC 2342). Each list is `null` when the server
       * sent NIL (no namespace of that kind). */
      type: 'namespace';
      /** The user's own mailboxes. */
      personal: NamespaceDescriptor[] | null;
      /** Other users' mailboxes. */
      other: NamespaceDescriptor[] | null;
      /** Shared mailboxes. */
      shared: NamespaceDescriptor[] | null;
    }
  /** Well-formed untagged data of a kind we do not model (QUOTA, METADATA, X-...). */
  | {
      /** Untagged data of a kind not modelled here (QUOTA, METADATA, X-..., `* n XYZ`). */
      type: 'other';
      /** The response keyword, upper-cased, e.g. `"QUOTA"`. */
      name: string;
      /** The rest of the response as text, up to its first literal if it has one (for
       * `* n XYZ ...`, the whole `n XYZ ...`). */
      raw: string;
    };

/** The tagged completion of a command (RFC 3501 §7.1): `tag OK|NO|BAD [code] text`. */
export interface TaggedResponse {
  /** Discriminant of {@link Response}. */
  type: 'tagged';
  /** The tag of the command this completes, as sent, e.g. `"A12"`. */
  tag: string;
  /** Whether the command succeeded (`OK`), failed (`NO`) or was rejected (`BAD`). */
  condition: StatusCondition;
  /** Response code and human-readable text. */
  text: ResponseText;
}

/** A command continuation request (`+ ...`, RFC 3501 §7.5): the server is ready for the rest of
 * the command (a synchronising literal, IDLE, or the next SASL step). */
export interface ContinuationRequest {
  /** Discriminant of {@link Response}. */
  type: 'continuation';
  /** Text after "+ " (may be empty, may be base64 for SASL). */
  text: string;
}

/** One complete server response, told apart by `type`: a command's tagged completion, a
 * continuation request, or untagged data. */
export type Response =
  | TaggedResponse
  | ContinuationRequest
  | {
      /** Discriminant: an untagged (`* ...`) response. */
      type: 'untagged';
      /** The decoded untagged data. */
      data: UntaggedResponse;
    };
