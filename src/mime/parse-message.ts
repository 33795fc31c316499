/**
 * Raw RFC 5322 message → MessageRecord, with postal-mime doing the MIME work. Rules (see
 * docs/mime.md): Message-ID with brackets or a stable sha256 fallback; first From as
 * `Name <addr>`; To/Cc/Bcc lists; Date header as Unix ms; full References; body text from the
 * first text/plain part or derived from HTML (never raw HTML); body HTML only from text/html;
 * a 120-character snippet; attachment metadata with hashes; windows-1252 repaired on runtimes
 * that decode it as Latin-1. A message that cannot be parsed still yields a record (parseError).
 */

import { createHash } from 'node:crypto';
import PostalMime from 'postal-mime';
import type { Address, Email } from 'postal-mime';
import { htmlToText } from './html-to-text.js';
import { normalizeMessageId } from './message-id.js';
import { makeSnippet } from './snippet.js';
import type { AttachmentMeta, MessageRecord } from './types.js';
import { repairWindows1252 } from './windows-1252.js';

/** Options of {@link parseMessage}. */
export interface ParseOptions {
  /** Parse only the header block (the message was too large to fetch whole). */
  headersOnly?: boolean;
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function fix(text: string | undefined | null): string | null {
  if (text === undefined || text === null) return null;
  return repairWindows1252(text);
}

function formatMailbox(name: string, address: string): string {
  const cleanName = repairWindows1252(name).trim();
  if (!cleanName || cleanName === address) return address;
  const quoted = /[",;<>@()[\]:\\]/.test(cleanName) ? `"${cleanName.replace(/(["\\])/g, '\\$1')}"` : cleanName;
  return `${quoted} <${address}>`;
}

function flatten(addresses: Address[] | Address | undefined): Array<{ name: string; address: string }> {
  if (!addresses) return [];
  const list = Array.isArray(addresses) ? addresses : [addresses];
  const out: Array<{ name: string; address: string }> = [];
  for (const entry of list) {
    // No spread: a group's member list is sender-sized.
    if (entry.group) for (const member of entry.group) out.push({ name: member.name, address: member.address });
    else if (entry.address) out.push({ name: entry.name, address: entry.address });
  }
  return out;
}

function joinAddresses(addresses: Address[] | undefined): string | null {
  const flat = flatten(addresses);
  return flat.length === 0 ? null : flat.map((a) => formatMailbox(a.name, a.address)).join(', ');
}

function referencesOf(value: string | undefined): string | null {
  if (!value) return null;
  const ids = value.match(/<[^<>]*>/g);
  if (ids && ids.length > 0) return ids.join(' ');
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function headerBlock(raw: Uint8Array): Uint8Array {
  for (let i = 0; i + 1 < raw.length; i++) {
    if (raw[i] === 0x0a && (raw[i + 1] === 0x0a || (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a))) {
      return raw.subarray(0, i + 1);
    }
  }
  return raw;
}

function attachmentMeta(email: Email): AttachmentMeta[] {
  return email.attachments.map((attachment) => {
    const content =
      typeof attachment.content === 'string'
        ? new TextEncoder().encode(attachment.content)
        : attachment.content instanceof Uint8Array
          ? attachment.content
          : new Uint8Array(attachment.content);
    return {
      filename: fix(attachment.filename),
      contentType: attachment.mimeType,
      size: content.byteLength,
      contentId: attachment.contentId ?? null,
      disposition: attachment.disposition ?? null,
      sha256: sha256Hex(content),
    };
  });
}

function toRecord(email: Email, raw: Uint8Array, truncated: boolean, parseError: string | null): MessageRecord {
  const headerMessageId = normalizeMessageId(email.messageId);
  const from = flatten(email.from)[0];
  const text = fix(email.text);
  const html = fix(email.html);
  const bodyText = text !== null && text.trim() !== '' ? text : html !== null ? htmlToText(html) : text;
  const date = email.date ? Date.parse(email.date) : NaN;
  return {
    messageId: headerMessageId ?? `sha256:${sha256Hex(raw)}`,
    messageIdIsFallback: headerMessageId === null,
    subject: fix(email.subject),
    sender: from ? formatMailbox(from.name, from.address) : null,
    senderAddress: from ? from.address : null,
    recipients: joinAddresses(email.to),
    cc: joinAddresses(email.cc),
    bcc: joinAddresses(email.bcc),
    date: Number.isFinite(date) ? date : null,
    inReplyTo: normalizeMessageId(email.inReplyTo),
    references: referencesOf(email.references),
    bodyText: truncated ? null : bodyText,
    bodyHtml: truncated ? null : html,
    snippet: truncated ? '' : makeSnippet(bodyText),
    attachments: truncated ? [] : attachmentMeta(email),
    size: raw.byteLength,
    parseError,
    truncated,
  };
}

const EMPTY_EMAIL: Email = { headers: [], headerLines: [], attachments: [] };

/** A record made without parsing anything (headers only, sha256 Message-ID), for a message
 * that could not be parsed at all; `parseError` says why. */
export function unparsedRecord(raw: Uint8Array, parseError: string): MessageRecord {
  return toRecord(EMPTY_EMAIL, raw, true, parseError);
}

/** Parses one raw RFC 5322 message into a {@link MessageRecord}; never throws for malformed mail
 * (what could not be parsed is reported in `parseError`). */
export async function parseMessage(raw: Uint8Array, options: ParseOptions = {}): Promise<MessageRecord> {
  const truncated = options.headersOnly === true;
  try {
    const email = await PostalMime.parse(truncated ? headerBlock(raw) : raw, { attachmentEncoding: 'arraybuffer' });
    return toRecord(email, raw, truncated, null);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Fall back to the headers alone, then to nothing: the message is still stored.
    try {
      const email = await PostalMime.parse(headerBlock(raw));
      return toRecord(email, raw, truncated, `body could not be parsed: ${message}`);
    } catch {
      return toRecord(EMPTY_EMAIL, raw, truncated, `message could not be parsed: ${message}`);
    }
  }
}
