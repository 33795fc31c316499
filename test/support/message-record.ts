/**
 * A parsed message (`MessageRecord`) for store tests: plausible defaults, every field overridable.
 * The fingerprint defaults to `fp:<Message-ID>`, so records with different Message-IDs are
 * different messages and the same Message-ID means the same message unless a test says otherwise.
 * Test-only.
 */
import type { MessageRecord } from '../../src/mime/types.js';

export function messageRecord(messageId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId,
    messageIdIsFallback: false,
    fingerprint: `fp:${messageId}`,
    subject: `subject of ${messageId}`,
    sender: 'Alice <alice@example.test>',
    senderAddress: 'alice@example.test',
    recipients: 'bob@example.test',
    cc: null,
    bcc: null,
    date: 1_700_000_000_000,
    inReplyTo: null,
    references: null,
    bodyText: 'hello world',
    bodyHtml: null,
    snippet: 'hello world',
    attachments: [],
    size: 123,
    parseError: null,
    truncated: false,
    ...overrides,
  };
}
