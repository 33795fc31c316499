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

/**
 * One address of an ENVELOPE address list (RFC 3501 §7.4.2). Each part is the raw string as
 * sent (decoded as UTF-8; RFC 2047 encoded-words are not decoded), or `null` for NIL.
 *
 * Group syntax (`Team: a@x, b@y;`) appears as special entries with `host === null`: a non-null
 * `mailbox` starts a group and holds its name; a null `mailbox` ends it.
 */
export interface Address {
  /** Display name (the phrase before `<...>`), e.g. `"Alice Example"`; `null` when absent. */
  name: string | null;
  /** Source route (RFC 822 at-domain-list); obsolete, almost always `null`. */
  adl: string | null;
  /** Local part of the address (before `@`), or the group name of a group-start entry. */
  mailbox: string | null;
  /** Domain of the address (after `@`); `null` for group markers. */
  host: string | null;
}

/**
 * The ENVELOPE FETCH item (RFC 3501 §7.4.2): the main header fields of a message as parsed by
 * the server. Strings are raw header values as sent (decoded as UTF-8; RFC 2047 encoded-words are
 * not decoded); `null` means the server sent NIL, usually because the header is absent.
 */
export interface Envelope {
  /** The `Date:` header, unparsed, e.g. `"Wed, 17 Jul 1996 02:23:25 -0700"`. */
  date: string | null;
  /** The `Subject:` header. */
  subject: string | null;
  /** The `From:` addresses. */
  from: Address[] | null;
  /** The `Sender:` addresses; servers fill in `From` when the header is absent. */
  sender: Address[] | null;
  /** The `Reply-To:` addresses; servers fill in `From` when the header is absent. */
  replyTo: Address[] | null;
  /** The `To:` addresses. */
  to: Address[] | null;
  /** The `Cc:` addresses. */
  cc: Address[] | null;
  /** The `Bcc:` addresses (normally only present on drafts and sent mail). */
  bcc: Address[] | null;
  /** The `In-Reply-To:` header as sent, with angle brackets (may hold several message IDs). */
  inReplyTo: string | null;
  /** The `Message-ID:` header as sent, with angle brackets, e.g. `"<abc@example.com>"`. */
  messageId: string | null;
}

/** MIME parameters of a BODYSTRUCTURE part (Content-Type or Content-Disposition parameters, e.g.
 * `charset`, `boundary`, `filename`): names lower-cased, values as sent (RFC 2231 continuations and
 * encodings are not decoded); a NIL value becomes `""`. */
export interface BodyParameters {
  [name: string]: string;
}

/** The Content-Disposition of a body part (BODYSTRUCTURE extension data, RFC 3501 §7.4.2). */
export interface BodyDisposition {
  /** Disposition type, lower-cased: usually `"inline"` or `"attachment"`. */
  type: string;
  /** Disposition parameters, e.g. `filename`, `size`. */
  params: BodyParameters;
}

/** BODYSTRUCTURE extension data shared by single and multipart parts (RFC 3501 §7.4.2): present
 * only when the server sent it (`undefined` otherwise, and always with the short BODY form);
 * `null` when sent as NIL. */
interface BodyCommonExtension {
  /** Content-Disposition of the part; `undefined` when not sent, `null` for NIL. */
  disposition?: BodyDisposition | null;
  /** Content-Language tags, e.g. `["en"]` (a single string from the server is wrapped in an
   * array); `undefined` when not sent, `null` for NIL. */
  language?: string[] | null;
  /** Content-Location URI of the part; `undefined` when not sent, `null` for NIL. */
  location?: string | null;
}

/**
 * A non-multipart part of a BODYSTRUCTURE (RFC 3501 §7.4.2, `body-type-1part`).
 *
 * The extension fields (`md5`, `disposition`, `language`, `location`) come only with
 * BODYSTRUCTURE, not with the short BODY form, and only as far as the server sends them: they are
 * `undefined` when not sent and `null` when sent as NIL.
 */
export interface SinglePartBody extends BodyCommonExtension {
  /** Discriminant: a single (non-multipart) part. */
  kind: 'single';
  /** MIME media type, lower-cased; `"application"` when the server sent NIL. */
  type: string; // lower-cased, e.g. "text"
  /** MIME subtype, lower-cased; `"octet-stream"` when the server sent NIL. */
  subtype: string; // lower-cased, e.g. "plain"
  /** Content-Type parameters, e.g. `charset`, `name`. */
  params: BodyParameters;
  /** The `Content-ID` header, or `null`. */
  id: string | null;
  /** The `Content-Description` header, or `null`. */
  description: string | null;
  /** Content-Transfer-Encoding, lower-cased (`"7bit"`, `"base64"`, `"quoted-printable"`, ...). */
  encoding: string; // lower-cased; "" when the server sent NIL
  /** Size of the part's body in octets, as transferred (i.e. still encoded); 0 when the server
   * sent something unreadable. */
  size: number;
  /** Size of the body in text lines (for `message/rfc822` and `message/global`: of the
   * encapsulated message); only present for those types and for `text/*` parts. */
  lines?: number;
  /** Envelope of the encapsulated message; only for `message/rfc822` and `message/global`. */
  envelope?: Envelope;
  /** Structure of the encapsulated message of a `message/rfc822` or `message/global` part;
   * `undefined` for other types. */
  body?: BodyStructure;
  /** The `Content-MD5` header (extension data); `undefined` when not sent, `null` for NIL. */
  md5?: string | null;
}

/**
 * A multipart part of a BODYSTRUCTURE (RFC 3501 §7.4.2, `body-type-mpart`). Extension fields
 * (`params`, `disposition`, `language`, `location`) come only with BODYSTRUCTURE and only as far
 * as the server sends them: `undefined` when not sent; sent as NIL, `params` is `{}` and the
 * others are `null`.
 */
export interface MultiPartBody extends BodyCommonExtension {
  /** Discriminant: a multipart part. */
  kind: 'multi';
  /** The sub-parts in order; part `n` (1-based) is section `n` relative to this part. May be
   * empty (some servers send an empty multipart as `(NIL "alternative")`). */
  parts: BodyStructure[];
  /** Multipart subtype, lower-cased (`"mixed"`, `"alternative"`, `"related"`, ...); `"mixed"`
   * when the server sent NIL. */
  subtype: string; // lower-cased, e.g. "alternative"
  /** Content-Type parameters (extension data), e.g. `boundary`; `undefined` when not sent. */
  params?: BodyParameters;
}

/** The MIME structure of a message, from the BODYSTRUCTURE (or BODY) FETCH item (RFC 3501
 * §7.4.2): a tree of multipart and single parts, told apart by `kind`. Parts nested deeper than
 * 64 levels are replaced by an empty `multipart/mixed`. */
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
  /** The section's bytes: a literal's bytes unchanged, a quoted string's text as UTF-8 (for
   * `BINARY[...]`, already decoded from its transfer encoding by the server); `null` when the
   * server sent NIL, e.g. for a section that does not exist. */
  value: Uint8Array | null;
  /** Discriminant: the bytes are in `value`. */
  streamed: false;
}

/** A body section whose bytes were delivered as `body-start` / `body-chunk` / `body-end` events
 * before this FETCH response was emitted. */
export interface StreamedBodySection {
  /** Section spec as the server echoed it, upper-cased (see {@link InlineBodySection.section}). */
  section: string;
  /** `BINARY[...]` rather than `BODY[...]`. */
  binary: boolean;
  /** Start offset in octets of a partial fetch (`BODY[]<origin>`), or `null` for a whole
   * section. */
  origin: number | null;
  /** Length of the section in octets: the total of its `body-chunk` events. */
  size: number;
  /** Discriminant: the bytes went out as `body-*` parser events, not in this object. */
  streamed: true;
}

/** One body section item of a FETCH response (`BODY[...]`, `BINARY[...]`, `RFC822*`): inline
 * bytes or a record of bytes already streamed, told apart by `streamed`. A section the server
 * sends as a literal is streamed unless the parser was created with `streamBodies: false`; one
 * sent as a quoted string or NIL is always inline. */
export type BodySection = InlineBodySection | StreamedBodySection;

/**
 * The data items of one FETCH response (RFC 3501 §7.4.2, RFC 9051 §7.5.2), decoded. A field is
 * present only when the server sent the item, which is normally when it was asked for (servers
 * may add unsolicited FLAGS, UID or MODSEQ).
 */
export interface FetchAttributes {
  /** The message's UID (RFC 3501 §2.3.1.1). */
  uid?: number;
  /** FLAGS: system flags (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`) and
   * keywords (`$Forwarded`, `$Junk`, ...) as sent, case preserved. */
  flags?: string[];
  /** Raw INTERNALDATE string, e.g. "17-Jul-1996 02:44:25 -0700". */
  internalDate?: string;
  /** RFC822.SIZE: the message's size in octets. */
  rfc822Size?: number;
  /** MODSEQ (CONDSTORE, RFC 7162 §3.1.4): the message's mod-sequence, as a `bigint`. */
  modseq?: bigint;
  /** ENVELOPE: the parsed main header fields. */
  envelope?: Envelope;
  /** BODYSTRUCTURE (with extension data) or BODY (without): the MIME structure. */
  bodyStructure?: BodyStructure;
  /** Body section items (`BODY[...]`, `BINARY[...]`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`),
   * in the order the server sent them. */
  bodySections?: BodySection[];
  /** BINARY.SIZE[section] values. */
  binarySizes?: {
    /** Section spec as echoed, upper-cased, e.g. `"1"`, `""`. */
    section: string;
    /** Size in octets of the section after the server removed its transfer encoding (RFC 3516). */
    size: number;
  }[];
  /** X-GM-MSGID (Gmail): the message's unique 64-bit ID, the same in every label/folder. */
  xGmMsgId?: bigint;
  /** X-GM-THRID (Gmail): the 64-bit ID of the conversation the message belongs to. */
  xGmThrId?: bigint;
  /** X-GM-LABELS (Gmail): the message's labels as sent, e.g. `"\\Important"`, `"Work"`; not
   * modified-UTF-7 decoded. */
  xGmLabels?: string[];
  /** EMAILID (RFC 8474 OBJECTID): the server's ID for the message, the same in every mailbox
   * that holds a copy. */
  emailId?: string;
  /** THREADID (RFC 8474 OBJECTID): the server's thread ID for the message; `null` when the
   * server sent NIL (it does not compute threads). */
  threadId?: string | null;
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
