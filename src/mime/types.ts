/**
 * The message record: what src/mime extracts from one raw RFC 5322 message, and what src/store
 * persists in the `messages` table. Types only.
 */

/** One attachment or inline part of a message: its metadata, never its content. */
export interface AttachmentMeta {
  /** The part's file name as the message gives it, or null. */
  filename: string | null;
  /** The part's MIME type, e.g. `application/pdf`. */
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Content-ID with angle brackets kept, or null. */
  contentId: string | null;
  /** "attachment" | "inline" | null when the part has no Content-Disposition. */
  disposition: string | null;
  /** Lower-case hex SHA-256 of the decoded content. */
  sha256: string;
}

/** What {@link parseMessage} extracts from one raw message (and the store keeps). */
export interface MessageRecord {
  /** Message-ID header with angle brackets kept, e.g. "<abc@example.com>"; when the header is
   * absent: "sha256:" + lower-case hex SHA-256 of the raw bytes (stable across syncs/folders). */
  messageId: string;
  /** True when messageId is the sha256 fallback. */
  messageIdIsFallback: boolean;
  /** Subject header, decoded, or null when absent. */
  subject: string | null;
  /** First From address as `Name <addr>` (or bare `addr` when there is no name). */
  sender: string | null;
  /** Bare address of the first From address. */
  senderAddress: string | null;
  /** All To addresses, comma-separated (`Name <addr>, addr2`). */
  recipients: string | null;
  /** All Cc addresses, in the same form as `recipients`. */
  cc: string | null;
  /** All Bcc addresses, in the same form as `recipients`. */
  bcc: string | null;
  /** Date header as Unix milliseconds, or null when absent/unparseable. */
  date: number | null;
  /** In-Reply-To header, brackets kept, or null. */
  inReplyTo: string | null;
  /** Full References list, brackets kept, space-separated. */
  references: string | null;
  /** Body text: the text/plain body when not blank, else text derived from the HTML body; null
   * when neither exists or the message is `truncated`. */
  bodyText: string | null;
  /** Body HTML from the text/html part only; null when there is none or the message is `truncated`. */
  bodyHtml: string | null;
  /** First 120 characters of the body text (or text derived from HTML), whitespace collapsed. */
  snippet: string;
  /** Metadata of every attachment and inline part (empty when `truncated`). */
  attachments: AttachmentMeta[];
  /** Size of the raw message in bytes. */
  size: number;
  /** Non-null when the message could not be fully parsed (the record holds what did parse). */
  parseError: string | null;
  /** True when only the headers were parsed because the message exceeded the size limit. */
  truncated: boolean;
}
