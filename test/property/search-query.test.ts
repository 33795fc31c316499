/**
 * No search string raises an SQL error, on any engine (PostgreSQL too): arbitrary text and
 * fragments of FTS5 and tsquery syntax (quotes, *, -, NEAR, OR/AND/NOT, parentheses, ^, :, column filters, NUL) are either
 * searched for or ignored. Results always belong to the account and respect the limit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { openStore } from '../../src/store/index.js';
import { freshSchemaUrl, postgresSkipReason } from '../support/postgres.js';

const runs = Math.max(20, Math.ceil(Number(process.env.PRX_PROPERTY_RUNS ?? 2000) / 4));
const fragments = ['"', '*', '-', 'NEAR', 'NEAR(', 'OR', 'AND', 'NOT', '(', ')', '^', ':', 'subject:', 'from:', 'body:', '{', '}', '+', '\u0000', "'", '\\', '%', '_', ' ', 'report', 'grüße', '你好', '&', '|', '!', '<->', ':*', ':A'];
const query = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 5 })), { maxLength: 10 }).map((parts) => parts.join(' ')),
);

for (const engine of ['file', 'sqljs', 'postgres'] as const) {
  describe(`search queries never raise an SQL error (${engine} engine)`, { skip: engine === 'postgres' ? postgresSkipReason() : false }, () => {
    test('arbitrary and FTS5-syntax-like (and tsquery-syntax-like) queries', async () => {
      const path = engine === 'file' ? join(mkdtempSync(join(tmpdir(), 'prx-search-')), 'mail.db') : engine === 'postgres' ? freshSchemaUrl() : ':memory:';
      const store = await openStore(path, { engine });
      const accountId = await store.upsertAccount({ email: 'a@test', provider: null, settings: {} }, 1);
      const { folderId } = await store.loadFolderState(accountId, 'INBOX');
      const texts = ['quarterly report attached', 'NEAR the "office" (lunch)', 'Grüße 你好 100% done_', 'subject: from: body*'];
      await store.applyBatch({
        accountId, folderId, uidValidity: 1, flagUpdates: [], expungedUids: [],
        messages: texts.map((text, i) => ({
          uid: i + 1, flags: [], modseq: null, internalDate: null,
          record: {
            messageId: `<p${i}@x>`, messageIdIsFallback: false, fingerprint: `fp${i}`, subject: text, sender: 'A <a@x>', senderAddress: 'a@x', recipients: 'b@x',
            cc: null, bcc: null, date: i, inReplyTo: null, references: null, bodyText: text, bodyHtml: null, snippet: text,
            attachments: [], size: 1, parseError: null, truncated: false,
          },
        })),
        state: { cursor: texts.length, uidValidity: 1, uidNext: null, highestModseq: null, lastSyncAt: 1 },
      });
      await fc.assert(
        fc.asyncProperty(query, fc.integer({ min: 1, max: 3 }), async (q, limit) => {
          const results = await store.searchMessages({ accountId, query: q, limit });
          assert.ok(results.length <= limit);
          for (const r of results) assert.equal(r.accountId, accountId);
        }),
        { numRuns: runs },
      );
      // Found as words, not read as syntax.
      assert.equal((await store.searchMessages({ accountId, query: 'NEAR', limit: 10 })).length, 1);
      assert.equal((await store.searchMessages({ accountId, query: '(lunch', limit: 10 })).length, 1);
      assert.equal((await store.searchMessages({ accountId, query: '"office', limit: 10 })).length, 1);
      await store.close();
    });
  });
}
