/**
 * The data of FETCH responses (RFC 3501 §7.4.2): ENVELOPE and its addresses, BODYSTRUCTURE and
 * its parts, body sections (inline or streamed) and the attributes of one FETCH. Types only; part
 * of the contract in `types.ts`, which re-exports them.
 */


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
