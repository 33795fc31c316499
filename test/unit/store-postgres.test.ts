/**
 * What is PostgreSQL-specific in the store (the shared behaviour is the conformance suite in
 * store.test.ts, which also runs on PostgreSQL): the SQLite -> PostgreSQL statement translation,
 * a foreign schema refused untouched, NUL characters, tsvector search ranking / prefixes /
 * diacritics, schema-per-store isolation, and no password in paths or errors. The database tests
 * skip (with the reason) only when PostgreSQL cannot be installed or started.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { searchWords, toPgParam, translateSql } from '../../src/store/engine/postgres-dialect.js';
import { redactUrl } from '../../src/store/engine/postgres-engine.js';
import { openStore } from '../../src/store/index.js';
import { toTsQuery } from '../../src/store/postgres-search.js';
import { parseSearchQuery } from '../../src/store/search-query.js';
import { freshSchemaUrl, postgresSkipReason } from '../support/postgres.js';
import { messageRecord } from '../support/message-record.js';

function record(messageId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return messageRecord(messageId, { subject: 's', bodyText: 'b', snippet: '', size: 1, ...overrides });
}

describe('PostgreSQL dialect', () => {
  test('statements: placeholders, IS NOT, NULLs last on DESC, typeof, PRAGMA user_version; literals untouched', () => {
    assert.equal(translateSql('SELECT * FROM t WHERE a = ? AND b = ?'), 'SELECT * FROM t WHERE a = $1 AND b = $2');
    assert.equal(translateSql('UPDATE t SET a = ?1 WHERE id = ?2 AND a IS NOT ?1'), 'UPDATE t SET a = $1 WHERE id = $2 AND a IS DISTINCT FROM $1');
    assert.equal(translateSql('SELECT 1 WHERE x IS NOT NULL AND y IS NOT excluded.y'), 'SELECT 1 WHERE x IS NOT NULL AND y IS DISTINCT FROM excluded.y');
    assert.equal(translateSql('SELECT * FROM m ORDER BY date DESC, id DESC'), 'SELECT * FROM m ORDER BY date DESC NULLS LAST, id DESC NULLS LAST');
    assert.equal(translateSql("SELECT '? IS NOT DESC' AS q, \"odd?\" FROM t WHERE a = ?"), "SELECT '? IS NOT DESC' AS q, \"odd?\" FROM t WHERE a = $1");
    assert.equal(translateSql("SELECT 'it''s ?' , ?"), "SELECT 'it''s ?' , $1");
    assert.equal(translateSql('SELECT typeof(subject) AS s'), 'SELECT pg_typeof(subject) AS s');
    assert.equal(translateSql('PRAGMA user_version'), 'SELECT version AS user_version FROM prx_schema');
    assert.equal(translateSql('SELECT descending, is_not FROM t'), 'SELECT descending, is_not FROM t');
  });

  test('parameters: UTF-8 bytes become text, NUL becomes U+FFFD, booleans 0/1, bigint exact', () => {
    assert.equal(toPgParam(new TextEncoder().encode('Grüße')), 'Grüße');
    assert.equal(toPgParam('a\u0000b'), 'a\uFFFDb');
    assert.equal(toPgParam(true), 1);
    assert.equal(toPgParam(9_007_199_254_740_993n), '9007199254740993');
    assert.equal(toPgParam(null), null);
  });

  test('search queries: folded, split like the stored text, user text never read as tsquery syntax', () => {
    assert.deepEqual(searchWords('ÉCOLE-Grüße alice@example.test'), ['ecole', 'gruße', 'alice', 'example', 'test']);
    assert.equal(toTsQuery(parseSearchQuery('report -pizza')), "(('report')) & !('pizza')");
    assert.equal(toTsQuery(parseSearchQuery('"third quarter" subject:invo*')), "(('third' <-> 'quarter')) & ('invo':*A)");
    assert.equal(toTsQuery(parseSearchQuery('a OR b')), "('a' | 'b')");
    assert.equal(toTsQuery(parseSearchQuery("x'y & !z | (w)")), "(('x' <-> 'y')) & ('z') & ('w')");
    assert.equal(toTsQuery(parseSearchQuery('-only')), null);
  });

  test('URLs lose their password in messages and paths', () => {
    assert.equal(redactUrl('postgres://u:secret@h:5432/db'), 'postgres://u:***@h:5432/db');
    assert.doesNotMatch(redactUrl('postgres://u:secret@h/db?schema=x'), /secret/);
  });
});

describe('PostgreSQL store', { skip: postgresSkipReason() }, () => {
  test('a schema with foreign tables is refused and left untouched', async () => {
    const url = freshSchemaUrl('prx_foreign');
    const schema = new URL(url).searchParams.get('schema') as string;
    const admin = await openStore(freshSchemaUrl('prx_admin'));
    await admin.db.run(`CREATE SCHEMA ${schema}`);
    await admin.db.run(`CREATE TABLE ${schema}.notes (body TEXT)`);
    await admin.db.run(`INSERT INTO ${schema}.notes VALUES ('mine')`);
    await assert.rejects(openStore(url), { code: 'CORRUPT_DB' });
    assert.deepEqual(await admin.db.all(`SELECT body FROM ${schema}.notes`), [{ body: 'mine' }]);
    assert.equal(Number((await admin.db.one('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [schema]))?.n), 1);
    await admin.close();
  });

  test('stores in two schemas of one database do not see each other', async () => {
    const a = await openStore(freshSchemaUrl());
    const b = await openStore(freshSchemaUrl());
    await a.upsertAccount({ email: 'a@x', provider: null, settings: {} }, 1);
    assert.equal((await b.listAccounts()).length, 0);
    await a.close();
    await b.close();
  });

  test('NUL characters in hostile mail are stored as U+FFFD instead of failing the batch', async () => {
    const store = await openStore(freshSchemaUrl());
    const accountId = await store.upsertAccount({ email: 'a@x', provider: null, settings: {} }, 1);
    const { folderId } = await store.loadFolderState(accountId, 'INBOX');
    await store.applyBatch({
      accountId, folderId, uidValidity: 1,
      messages: [{ record: record('<n@x>', { subject: 'nul\u0000here', bodyText: `${'long '.repeat(30)}\u0000tail` }), uid: 1, flags: [], modseq: null, internalDate: null }],
      flagUpdates: [], expungedUids: [],
      state: { cursor: 1, uidValidity: 1, uidNext: 2, highestModseq: null, lastSyncAt: 1 },
    });
    const stored = await store.getMessageByMessageId(accountId, '<n@x>');
    assert.equal(stored?.subject, 'nul\uFFFDhere');
    assert.ok(stored?.bodyText?.endsWith('\uFFFDtail'));
    await store.close();
  });

  test('tsvector search: subject ranks above body, prefixes match, diacritics and case are folded, addresses split', async () => {
    const store = await openStore(freshSchemaUrl());
    assert.equal(store.db.engine.name, 'postgres');
    const accountId = await store.upsertAccount({ email: 'a@x', provider: null, settings: {} }, 1);
    const { folderId } = await store.loadFolderState(accountId, 'INBOX');
    const msgs = [
      record('<m1@x>', { subject: 'misc', bodyText: 'about the invoice and other things, long body text here' }),
      record('<m2@x>', { subject: 'Invoice 42', bodyText: 'see attached' }),
      record('<m3@x>', { subject: 'Crème brûlée', bodyText: 'dessert', sender: 'Zoë <zoe.smith@example.test>' }),
    ];
    await store.applyBatch({
      accountId, folderId, uidValidity: 1,
      messages: msgs.map((m, i) => ({ record: m, uid: i + 1, flags: [], modseq: null, internalDate: null })),
      flagUpdates: [], expungedUids: [],
      state: { cursor: 3, uidValidity: 1, uidNext: 4, highestModseq: null, lastSyncAt: 1 },
    });
    const ids = async (query: string) => (await store.searchMessages({ accountId, query, limit: 10 })).map((m) => m.messageId);
    const results = await store.searchMessages({ accountId, query: 'invoice', limit: 10 });
    assert.deepEqual(results.map((m) => m.messageId), ['<m2@x>', '<m1@x>']);
    assert.ok((results[0]?.rank ?? 0) < (results[1]?.rank ?? 0));
    assert.match(results[0]?.searchSnippet ?? '', /«Invoice»/);
    assert.equal((await ids('invo*')).length, 2);
    assert.equal((await ids('ÍNVOÏCE')).length, 2);
    assert.deepEqual(await ids('creme brulee'), ['<m3@x>']);
    assert.deepEqual(await ids('from:zoe'), ['<m3@x>']);
    assert.deepEqual(await ids('from:smith'), ['<m3@x>'], 'address parts are words, as with FTS5');
    assert.deepEqual(await ids('subject:dessert'), []);
    assert.deepEqual(await ids("') | ('x"), [], 'tsquery syntax in the query is plain text');
    await store.close();
  });

  test('the password never appears in the store path or in a connection error', async () => {
    const url = new URL(freshSchemaUrl());
    url.password = 'hunter2-secret';
    const store = await openStore(url.toString());
    assert.doesNotMatch(store.db.path, /hunter2/);
    await store.close();
    url.port = '1';
    await assert.rejects(openStore(url.toString()), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'STORAGE');
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
