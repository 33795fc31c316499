/**
 * A minimal stand-in for src/mime's parser for engine tests: Message-ID from the header block
 * (sha256 fallback), size from the raw bytes. Test-only.
 */

import { createHash } from 'node:crypto';
import type { MessageRecord } from '../../src/mime/types.js';
import { normalizeMessageId } from '../../src/mime/message-id.js';
import { headerFingerprint } from '../../src/mime/fingerprint.js';

export async function simpleParse(raw: Uint8Array, options: { headersOnly: boolean }): Promise<MessageRecord> {
  const text = new TextDecoder('latin1').decode(raw);
  const headerEnd = text.indexOf('\r\n\r\n');
  const headers = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const messageId = normalizeMessageId(/^Message-ID:\s*(.*)$/im.exec(headers)?.[1] ?? null);
  return {
    messageId: messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    messageIdIsFallback: messageId === null,
    fingerprint: headerFingerprint(raw),
    subject: /^Subject:\s*(.*)$/im.exec(headers)?.[1] ?? null,
    sender: null,
    senderAddress: null,
    recipients: null,
    cc: null,
    bcc: null,
    date: null,
    inReplyTo: null,
    references: null,
    bodyText: options.headersOnly ? null : text.slice(headerEnd + 4),
    bodyHtml: null,
    snippet: '',
    attachments: [],
    size: raw.byteLength,
    parseError: null,
    truncated: options.headersOnly,
  };
}

export function makeRaw(id: number, body = `body of message ${id}`, withMessageId = true): Uint8Array {
  const headers = [`Subject: message ${id}`, 'From: a@example.test'];
  if (withMessageId) headers.push(`Message-ID: <m${id}@example.test>`);
  return new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`);
}
