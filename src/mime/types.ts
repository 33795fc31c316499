/**
 * The message record: what src/mime extracts from one raw RFC 5322 message, and what src/store
 * persists in the `messages` table. Types only.
 */

export interface AttachmentMeta {
  filename: string | null;
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

export interface MessageRecord {
  /** Message-ID header with angle brackets kept, e.g. "<abc@example.com>"; when the header is
   * absent: "sha256:" + lower-case hex SHA-256 of the raw bytes (stable across syncs/folders). */
  messageId: string;
  /** True when messageId is the sha256 fallback. */
  messageIdIsFallback: boolean;
  subject: string | null;
  /** First From address as `Name <addr>` (or bare `addr` when there is no name). */
  sender: string | null;
  /** Bare address of the first From address. */
  senderAddress: string | null;
  /** All To addresses, comma-separated (`Name <addr>, addr2`). */
  recipients: string | null;
  cc: string | null;
  bcc: string | null;
  /** Date header as Unix milliseconds, or null when absent/unparseable. */
  date: number | null;
  inReplyTo: string | null;
  /** Full References list, brackets kept, space-separated. */
  references: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  /** First 120 characters of the body text (or text derived from HTML), whitespace collapsed. */
  snippet: string;
  attachments: AttachmentMeta[];
  /** Size of the raw message in bytes. */
  size: number;
  /** Non-null when the message could not be fully parsed (the record holds what did parse). */
  parseError: string | null;
  /** True when only the headers were parsed because the message exceeded the size limit. */
  truncated: boolean;
}
