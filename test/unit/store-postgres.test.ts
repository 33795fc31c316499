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
import { isPostgresUrl, pgConfig, pgError, redactUrl } from '../../src/store/engine/postgres-engine.js';
import { ConfigError, LockedError } from '../../src/errors.js';
import { openStore } from '../../src/store/index.js';
import type { Queryable } from '../../src/store/database.js';
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
    // Only a whole statement is the user_version read.
    assert.equal(translateSql('  pragma USER_VERSION; '), 'SELECT version AS user_version FROM prx_schema');
    assert.equal(translateSql('SELECT 1 WHERE x = 0 OR PRAGMA user_version'), 'SELECT 1 WHERE x = 0 OR PRAGMA user_version');
    assert.equal(translateSql('PRAGMA user_version;x'), 'PRAGMA user_version;x');
    // A keyword at the very start, after spaces, or only as a call.
    assert.equal(translateSql('typeof(x)'), 'pg_typeof(x)');
    assert.equal(translateSql('SELECT typeof (x)'), 'SELECT pg_typeof (x)');
    assert.equal(translateSql('SELECT typeof, f(y) FROM t'), 'SELECT typeof, f(y) FROM t');
    assert.equal(translateSql('SELECT a IS  NOT\tb'), 'SELECT a IS DISTINCT FROM b');
  });

  test('parameters: UTF-8 bytes become text, NUL becomes U+FFFD, booleans 0/1, bigint exact', () => {
    assert.equal(toPgParam(new TextEncoder().encode('Grüße')), 'Grüße');
    assert.equal(toPgParam('a\u0000b'), 'a\uFFFDb');
    assert.equal(toPgParam(true), 1);
    assert.equal(toPgParam(9_007_199_254_740_993n), '9007199254740993');
    assert.equal(toPgParam(null), null);
    assert.equal(toPgParam(undefined), null);
    assert.equal(toPgParam(42), 42);
    assert.equal(toPgParam(false), 0);
    assert.equal(toPgParam('plain'), 'plain');
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
    assert.equal(redactUrl('postgres://u@h/db'), 'postgres://u@h/db', 'no password: nothing to hide');
    assert.equal(redactUrl('postgres://u:secret@[bad'), 'postgres://(unparsable url)');
  });

  test('which paths are PostgreSQL URLs: only a postgres:// or postgresql:// prefix, any case', () => {
    for (const url of ['postgres://h/db', 'postgresql://h/db', 'POSTGRES://h/db', 'PostgreSQL://h/db']) assert.equal(isPostgresUrl(url), true, url);
    for (const path of ['mail.db', './postgres://x', 'x-postgres://h/db', 'postgres:/h', 'postgresq://h', ':memory:']) assert.equal(isPostgresUrl(path), false, path);
  });

  test('connection settings: the schema goes on the search path and leaves the URL; application name; bad input is CONFIG', () => {
    const { schema, config } = pgConfig('postgres://u:pw@h:5433/db?schema=mail_1&sslmode=disable');
    assert.equal(schema, 'mail_1');
    assert.equal(config.connectionString, 'postgres://u:pw@h:5433/db?sslmode=disable');
    assert.equal(config.options, '-c search_path=mail_1');
    assert.equal(config.application_name, 'prx-email');
    assert.equal(pgConfig('postgres://h/db').schema, 'public');
    assert.equal(pgConfig('postgres://h/db?schema=a', { schema: 'b', applicationName: 'crm' }).schema, 'b');
    assert.equal(pgConfig('postgres://h/db', { applicationName: 'crm' }).config.application_name, 'crm');
    assert.throws(() => pgConfig('postgres://h/db?schema=a;drop'), (error: Error) => error instanceof ConfigError && error.message === 'schema name must be a plain identifier: "a;drop"');
    assert.throws(() => pgConfig('postgres://u:secret@[bad'), (error: Error) => error instanceof ConfigError && error.message === 'not a PostgreSQL URL: postgres://(unparsable url)');
  });

  test('driver failures become STORAGE errors naming the place; typed errors pass through', () => {
    const cause = new Error('connection refused');
    const mapped = pgError('postgres://h/db', cause) as Error & { code?: string; cause?: unknown };
    assert.equal(mapped.message, 'postgres://h/db: connection refused');
    assert.equal(mapped.code, 'STORAGE');
    assert.equal(mapped.cause, cause);
    assert.equal((pgError('w', 'plain text') as Error).message, 'w: plain text');
    assert.equal((pgError('w', undefined) as Error).message, 'w: undefined');
    const typed = new LockedError('busy');
    assert.equal(pgError('w', typed), typed);
  });
});

describe('PostgreSQL store', { skip: postgresSkipReason() }, () => {
  test('transactions: a failing work is rolled back whole (typed errors kept, SQL errors STORAGE); statements after the end or after close are refused', async () => {
    const url = freshSchemaUrl();
    const store = await openStore(url);
    const { db } = store;
    const typed = new LockedError('stop here');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO runner_state (job_key, next_allowed_at) VALUES ('a', 1)");
        throw typed;
      }),
      (error) => error === typed,
    );
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO runner_state (job_key, next_allowed_at) VALUES ('b', 1)");
        await tx.run('SELECT no_such_column FROM runner_state');
      }),
      (error: Error & { code?: string }) => error.code === 'STORAGE' && /no_such_column/.test(error.message) && !/secret/.test(error.message),
    );
    assert.equal(Number((await db.one('SELECT COUNT(*) AS n FROM runner_state'))?.n), 0, 'neither insert is left');
    let late: Queryable | null = null;
    await db.transaction(async (tx) => {
      late = tx;
      await tx.run("INSERT INTO runner_state (job_key, next_allowed_at) VALUES ('c', 1)");
    });
    await assert.rejects((late as unknown as Queryable).run("INSERT INTO runner_state (job_key, next_allowed_at) VALUES ('d', 1)"), {
      code: 'STORAGE',
      message: 'statement issued after its transaction ended',
    });
    assert.deepEqual(await db.all('SELECT job_key FROM runner_state'), [{ job_key: 'c' }]);
    // The pool still works after all that: no connection was left inside a transaction.
    assert.equal(Number((await db.one('SELECT COUNT(*) AS n FROM runner_state'))?.n), 1);
    await store.close();
    await store.close(); // twice: nothing to do
    await assert.rejects(db.all('SELECT 1'), { code: 'STORAGE', message: `${db.engine.path} is closed` });
    await assert.rejects(db.engine.exec('SELECT 1'), { code: 'STORAGE', message: `${db.engine.path} is closed` });
    await assert.rejects(db.transaction(async () => undefined), { code: 'STORAGE', message: `${db.engine.path} is closed` });
  });

  test('reopening migrates nothing twice; a schema of another application or of a newer version is refused, untouched', async () => {
    const url = freshSchemaUrl();
    const first = await openStore(url);
    const version = Number((await first.db.one('SELECT version FROM prx_schema'))?.version);
    assert.ok(version > 0);
    await first.upsertAccount({ email: 'kept@x', provider: null, settings: {} }, 1);
    await first.close();
    const again = await openStore(url);
    assert.equal(Number((await again.db.one('SELECT version FROM prx_schema'))?.version), version);
    assert.equal((await again.listAccounts()).length, 1, 'the data stays');
    await again.db.run('UPDATE prx_schema SET version = ?', [version + 1]);
    await again.close();
    await assert.rejects(openStore(url), (error: Error & { code?: string }) => error.code === 'CORRUPT_DB' && error.message.includes(`has schema version ${version + 1}, newer than this prx-email (${version})`));
    const other = await openStore(freshSchemaUrl());
    const schema = new URL(url).searchParams.get('schema') as string;
    await other.db.run(`UPDATE ${schema}.prx_schema SET version = ?, application = 'someone-else'`, [version]);
    await assert.rejects(openStore(url), (error: Error & { code?: string }) => error.code === 'CORRUPT_DB' && error.message.includes(`schema ${schema} is not a prx-email store (left untouched)`));
    assert.equal(Number((await other.db.one(`SELECT COUNT(*) AS n FROM ${schema}.accounts`))?.n), 1);
    await other.close();
  });

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
