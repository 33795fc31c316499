/**
 * Message identity (issue 13, item 4): one `messages` row per distinct message — same
 * Message-ID *and* same fingerprint (SHA-256 of the header block) — with many locations per row;
 * a headers-only row is completed only by a full copy of the same message; databases from
 * before (schema 1 fixture, schema 3 built from the old migrations) migrate in place and their
 * rows are adopted by the next copy. On every engine.
 */

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { V1_FIXTURE } from '../../scripts/make-store-fixture.js';
import { headerFingerprint } from '../../src/mime/fingerprint.js';
import { parseMessage } from '../../src/mime/parse-message.js';
import type { MessageRecord } from '../../src/mime/types.js';
import { openFileEngine } from '../../src/store/engine/file-engine.js';
import { APPLICATION, PG_MIGRATIONS, SCHEMA_TABLE } from '../../src/store/engine/postgres-dialect.js';
import { openPostgresEngine } from '../../src/store/engine/postgres-engine.js';
import { openSqlJsEngine } from '../../src/store/engine/sqljs-engine.js';
import type { SqlEngine } from '../../src/store/engine/types.js';
import { openStore, type EngineName, type Store } from '../../src/store/index.js';
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/schema.js';
import { syncFolder } from '../../src/sync/folder-sync.js';
import { createSyncStore } from '../../src/sync/store-adapter.js';
import { appendMessage, createFakeSession, createModelFolder } from '../support/fake-folder-session.js';
import { freshSchemaUrl, postgresSkipReason } from '../support/postgres.js';
import { messageRecord } from '../support/message-record.js';

function record(messageId: string, fingerprint: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return messageRecord(messageId, { fingerprint, ...overrides });
}

async function store1(store: Store, accountId: number, folder: string, uidValidity: number, messages: Array<[number, MessageRecord]>): Promise<void> {
  const { folderId } = await store.loadFolderState(accountId, folder);
  const cursor = Math.max(0, ...messages.map(([uid]) => uid));
  await store.applyBatch({
    accountId,
    folderId,
    uidValidity,
    messages: messages.map(([uid, rec]) => ({ record: rec, uid, flags: [], modseq: null, internalDate: 1 })),
    flagUpdates: [],
    expungedUids: [],
    state: { cursor, uidValidity, uidNext: null, highestModseq: null, lastSyncAt: 10 },
  });
}

/** Every location of the account: folder, uid, and the row it points to. */
async function locations(store: Store, accountId: number): Promise<Array<{ folder: string; uid: number; row: number; subject: string }>> {
  const rows = await store.db.all(
    `SELECT f.name, l.uid, m.id, m.subject FROM message_locations l
       JOIN folders f ON f.id = l.folder_id JOIN messages m ON m.id = l.message_row_id
      WHERE f.account_id = ? ORDER BY f.name, l.uid`,
    [accountId],
  );
  return rows.map((r) => ({ folder: String(r.name), uid: Number(r.uid), row: Number(r.id), subject: String(r.subject) }));
}

async function messageRows(store: Store, accountId: number): Promise<Array<{ id: number; messageId: string; fingerprint: string; truncated: boolean; bodyText: string | null }>> {
  const rows = await store.db.all('SELECT id, message_id, fingerprint, truncated, body_text FROM messages WHERE account_id = ? ORDER BY id', [accountId]);
  return rows.map((r) => ({
    id: Number(r.id),
    messageId: String(r.message_id),
    fingerprint: String(r.fingerprint),
    truncated: Number(r.truncated) === 1,
    bodyText: r.body_text === null ? null : String(r.body_text),
  }));
}

const tempPath = () => join(mkdtempSync(join(tmpdir(), 'prx-identity-')), 'mail.db');
const pathFor = (engine: EngineName) => (engine === 'file' ? tempPath() : engine === 'postgres' ? freshSchemaUrl() : ':memory:');

describe('content fingerprint (src/mime/fingerprint.ts)', () => {
  const head = 'Message-ID: <a@x>\r\nSubject: hi\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n';
  const enc = (text: string) => new TextEncoder().encode(text);
  test('a headers-only copy (BODY[HEADER]) and the full message agree; line endings do not matter; the body is not part of it', async () => {
    const full = enc(`${head}\r\nthe body\r\n`);
    const fp = headerFingerprint(full);
    assert.match(fp, /^[0-9a-f]{64}$/);
    assert.equal(headerFingerprint(enc(`${head}\r\n`)), fp);
    assert.equal(headerFingerprint(enc(head)), fp);
    assert.equal(headerFingerprint(enc(head.slice(0, -2))), fp, 'a last line without its line end');
    assert.equal(headerFingerprint(enc(`${head.replace(/\r\n/g, '\n')}\nthe body\n`)), fp, 'LF line ends');
    assert.equal(headerFingerprint(enc(`${head}\r\nanother body entirely\r\n`)), fp);
    assert.notEqual(headerFingerprint(enc(`${head.replace('hi', 'ho')}\r\nthe body\r\n`)), fp, 'another header block');
    // The parser sets it the same way for both kinds of fetch.
    const parsedFull = await parseMessage(full);
    const parsedHeaders = await parseMessage(enc(`${head}\r\n`), { headersOnly: true });
    assert.equal(parsedFull.fingerprint, fp);
    assert.equal(parsedHeaders.fingerprint, fp);
  });
});

for (const engine of ['file', 'sqljs', 'postgres'] as const) {
  describe(`message identity (${engine} engine)`, { skip: engine === 'postgres' ? postgresSkipReason() : false }, () => {
    async function fresh(): Promise<{ store: Store; accountId: number }> {
      const store = await openStore(pathFor(engine), { engine });
      const accountId = await store.upsertAccount({ email: 'alice@example.test', provider: null, settings: {} }, 1);
      return { store, accountId };
    }

    test('two different messages with one Message-ID in one folder are two rows, each location on its own row; re-applying changes nothing', async () => {
      const { store, accountId } = await fresh();
      const batch: Array<[number, MessageRecord]> = [
        [1, record('<dup@x>', 'fp-a', { subject: 'first' })],
        [2, record('<dup@x>', 'fp-b', { subject: 'second' })],
      ];
      await store1(store, accountId, 'INBOX', 7, batch);
      await store1(store, accountId, 'INBOX', 7, batch);
      const rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.messageId, r.fingerprint]), [['<dup@x>', 'fp-a'], ['<dup@x>', 'fp-b']]);
      assert.deepEqual(await locations(store, accountId), [
        { folder: 'INBOX', uid: 1, row: rows[0]?.id, subject: 'first' },
        { folder: 'INBOX', uid: 2, row: rows[1]?.id, subject: 'second' },
      ]);
      assert.equal(await store.countMessages(accountId), 2);
      await store.close();
    });

    test('two different messages with one Message-ID in two folders are two rows', async () => {
      const { store, accountId } = await fresh();
      await store1(store, accountId, 'INBOX', 7, [[1, record('<dup@x>', 'fp-a', { subject: 'first' })]]);
      await store1(store, accountId, 'Archive', 9, [[1, record('<dup@x>', 'fp-b', { subject: 'second' })]]);
      const rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => r.messageId), ['<dup@x>', '<dup@x>']);
      assert.deepEqual(await locations(store, accountId), [
        { folder: 'Archive', uid: 1, row: rows[1]?.id, subject: 'second' },
        { folder: 'INBOX', uid: 1, row: rows[0]?.id, subject: 'first' },
      ]);
      await store.close();
    });

    test('the same message in two folders is one row with two locations', async () => {
      const { store, accountId } = await fresh();
      await store1(store, accountId, 'INBOX', 7, [[1, record('<same@x>', 'fp-a')]]);
      await store1(store, accountId, 'Archive', 9, [[5, record('<same@x>', 'fp-a')]]);
      const rows = await messageRows(store, accountId);
      assert.equal(rows.length, 1);
      assert.deepEqual((await locations(store, accountId)).map((l) => [l.folder, l.uid, l.row]), [['Archive', 5, rows[0]?.id], ['INBOX', 1, rows[0]?.id]]);
      assert.deepEqual((await store.getMessageByMessageId(accountId, '<same@x>'))?.locations.map((l) => l.folder), ['Archive', 'INBOX']);
      await store.close();
    });

    test('a headers-only row is completed by a full copy of the same message only', async () => {
      const { store, accountId } = await fresh();
      await store1(store, accountId, 'INBOX', 7, [[1, record('<big@x>', 'fp-big', { truncated: true, bodyText: null, snippet: '', size: 9000 })]]);
      await store1(store, accountId, 'Other', 8, [[1, record('<big@x>', 'fp-impostor', { bodyText: 'impostor text', subject: 'impostor' })]]);
      let rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.fingerprint, r.truncated, r.bodyText]), [['fp-big', true, null], ['fp-impostor', false, 'impostor text']]);
      await store1(store, accountId, 'Archive', 9, [[1, record('<big@x>', 'fp-big', { bodyText: 'the real zebra body', size: 9000 })]]);
      const before = rows[0]?.id;
      rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.id === before, r.fingerprint, r.truncated, r.bodyText]), [
        [true, 'fp-big', false, 'the real zebra body'],
        [false, 'fp-impostor', false, 'impostor text'],
      ]);
      assert.deepEqual((await store.searchMessages({ accountId, query: 'zebra', limit: 10 })).map((m) => m.id), [before]);
      if (engine === 'file') await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
      await store.close();
    });

    test('sync with the MIME parser: an over-size message stored headers-only is completed by the same message in another folder, not by another message with its Message-ID', async () => {
      const { store, accountId } = await fresh();
      const sync = createSyncStore(store);
      const enc = (text: string) => new TextEncoder().encode(text);
      const big = enc(`Message-ID: <big@x>\r\nSubject: big\r\nFrom: a@example.test\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\n${'zebra '.repeat(1000)}\r\n`);
      const impostor = enc('Message-ID: <big@x>\r\nSubject: impostor\r\nFrom: b@example.test\r\n\r\nnot the same message\r\n');
      const run = async (name: string, raw: Uint8Array, maxMessageBytes: number) => {
        const folder = createModelFolder(11);
        appendMessage(folder, raw);
        await syncFolder(createFakeSession(folder), sync, parseMessage, { accountId, folder: name, nowTs: 1000, maxMessages: 100, maxMessageBytes });
      };
      await run('INBOX', big, 1000);
      let rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.truncated, r.bodyText]), [[true, null]]);
      await run('Other', impostor, 1_000_000);
      rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.messageId, r.truncated]), [['<big@x>', true], ['<big@x>', false]], 'the other message did not complete the row');
      await run('Archive', big, 1_000_000);
      rows = await messageRows(store, accountId);
      assert.deepEqual(rows.map((r) => [r.messageId, r.truncated]), [['<big@x>', false], ['<big@x>', false]]);
      assert.match(rows[0]?.bodyText ?? '', /zebra/);
      assert.deepEqual((await locations(store, accountId)).map((l) => [l.folder, l.row]), [['Archive', rows[0]?.id], ['INBOX', rows[0]?.id], ['Other', rows[1]?.id]]);
      await store.close();
    });

    test('a schema-3 database (before message identity) with data migrates in place; its rows are adopted by their next copy', async () => {
      const path = engine === 'file' ? tempPath() : engine === 'postgres' ? freshSchemaUrl() : tempPath();
      await buildSchema3(engine, path);
      const store = await openStore(path, { engine });
      assert.equal(Number((await store.db.one('PRAGMA user_version'))?.user_version), engine === 'postgres' ? PG_MIGRATIONS.length : MIGRATIONS.length);
      const accountId = Number((await store.db.one("SELECT id FROM accounts WHERE email = 'old@example.test'"))?.id);
      if (engine !== 'postgres') {
        assert.equal((await store.db.one('PRAGMA integrity_check'))?.integrity_check, 'ok');
        assert.deepEqual(await store.db.all('PRAGMA foreign_key_check'), []);
        const ddl = String((await store.db.one("SELECT sql FROM sqlite_master WHERE name = 'message_locations'"))?.sql);
        assert.match(ddl, /REFERENCES "?messages"?\s*\(id\)/);
      }
      if (engine === 'file') await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
      assert.deepEqual(await messageRows(store, accountId), [
        { id: 10, messageId: '<old1@x>', fingerprint: '', truncated: false, bodyText: 'the quarterly numbers' },
        { id: 20, messageId: '<old2@x>', fingerprint: '', truncated: true, bodyText: null },
      ]);
      assert.deepEqual((await locations(store, accountId)).map((l) => [l.folder, l.uid, l.row]), [['Archive', 1, 10], ['INBOX', 1, 10], ['INBOX', 2, 20]]);
      assert.deepEqual((await store.searchMessages({ accountId, query: 'quarterly', limit: 10 })).map((m) => m.id), [10]);
      assert.equal((await store.db.all('SELECT * FROM folder_messages WHERE account_id = ?', [accountId])).length, 3);
      assert.equal((await store.db.all('SELECT * FROM live_messages WHERE account_id = ?', [accountId])).length, 2);
      assert.ok('fingerprint' in ((await store.db.one('SELECT * FROM live_messages WHERE id = 10')) ?? {}), 'live_messages shows the new column');

      // Adoption: the next copy of <old2@x> claims the legacy row (and, being complete, completes
      // it); a different message with that Message-ID afterwards is a row of its own.
      await store1(store, accountId, 'INBOX', 7, [[3, record('<old2@x>', 'fp-old2', { bodyText: 'complete zebra' })]]);
      await store1(store, accountId, 'Archive', 9, [[2, record('<old2@x>', 'fp-other', { bodyText: 'other' })], [3, record('<old1@x>', 'fp-old1')]]);
      const rows = await messageRows(store, accountId);
      const old = (r: { id: number }) => r.id === 10 || r.id === 20; // PostgreSQL's sequence numbers new rows from 1
      assert.deepEqual(rows.filter(old), [
        { id: 10, messageId: '<old1@x>', fingerprint: 'fp-old1', truncated: false, bodyText: 'the quarterly numbers' }, // complete already: kept
        { id: 20, messageId: '<old2@x>', fingerprint: 'fp-old2', truncated: false, bodyText: 'complete zebra' },
      ]);
      assert.deepEqual(rows.filter((r) => !old(r)).map((r) => [r.messageId, r.fingerprint]), [['<old2@x>', 'fp-other']]);
      assert.deepEqual((await store.searchMessages({ accountId, query: 'zebra', limit: 10 })).map((m) => m.id), [20]);
      if (engine === 'file') await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
      await store.close();
    });
  });
}

describe('migration of existing files (file engine)', () => {
  test('fixtures/store/v1.db: rows keep their ids with fingerprint \'\', the FTS index checks out, and the next copy adopts a row', async () => {
    const path = tempPath();
    copyFileSync(new URL('../../../fixtures/store/v1.db', import.meta.url), path);
    const store = await openStore(path);
    await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    assert.deepEqual(await store.db.all('PRAGMA foreign_key_check'), []);
    const alice = (await store.listAccounts())[0]?.id as number;
    const before = await messageRows(store, alice);
    assert.equal(before.length, V1_FIXTURE.aliceMessages);
    assert.ok(before.every((r) => r.fingerprint === ''));
    assert.deepEqual((await store.searchMessages({ accountId: alice, query: 'quarterly', limit: 10 })).map((m) => m.messageId), ['<m1@x>']);
    const m1 = before.find((r) => r.messageId === '<m1@x>')?.id;
    await store1(store, alice, 'INBOX', 7, [[4, record('<m1@x>', 'fp-m1', { bodyText: 'the quarterly numbers are attached' })]]);
    const after = await messageRows(store, alice);
    assert.equal(after.length, V1_FIXTURE.aliceMessages, 'adopted, not a second row');
    assert.equal(after.find((r) => r.id === m1)?.fingerprint, 'fp-m1');
    assert.deepEqual((await store.getMessage(m1 as number))?.locations.map((l) => [l.folder, l.uid]), [['Archive', 10], ['INBOX', 1], ['INBOX', 4]]);
    await store1(store, alice, 'INBOX', 7, [[5, record('<m1@x>', 'fp-different')]]);
    assert.equal((await messageRows(store, alice)).length, V1_FIXTURE.aliceMessages + 1);
    await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    await store.close();
  });

  test('a schema-3 file written by sql.js (no FTS5 index) migrates in the file engine, which then builds the index', async () => {
    const path = tempPath();
    await buildSchema3('sqljs', path);
    const store = await openStore(path);
    assert.equal(Number((await store.db.one('PRAGMA user_version'))?.user_version), MIGRATIONS.length);
    assert.equal(Number((await store.db.one("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'messages_fts_%'"))?.n), 3);
    await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    const accountId = Number((await store.db.one("SELECT id FROM accounts WHERE email = 'old@example.test'"))?.id);
    assert.deepEqual((await store.searchMessages({ accountId, query: 'quarterly', limit: 10 })).map((m) => m.id), [10]);
    await store1(store, accountId, 'INBOX', 7, [[3, record('<old2@x>', 'fp-old2', { bodyText: 'complete zebra' })]]);
    assert.deepEqual((await store.searchMessages({ accountId, query: 'zebra', limit: 10 })).map((m) => m.id), [20]);
    await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    await store.close();
  });

  test('sql.js refuses a schema-3 file with the FTS5 index before migrating it (the file is left as it was)', async () => {
    const path = tempPath();
    await buildSchema3('file', path);
    const bytes = readFileSync(path);
    await assert.rejects(openStore(path, { engine: 'sqljs' }), { code: 'CONFIG' });
    assert.deepEqual(readFileSync(path), bytes);
  });
});

/** Rows as the schema-3 store wrote them (no fingerprint): an account, two folders, two messages
 * (one headers-only) with explicit ids, three locations. Plain SQL for SQLite and PostgreSQL. */
const SCHEMA3_DATA = `
  INSERT INTO accounts (email, provider, settings, created_at, updated_at) VALUES ('old@example.test', NULL, '{}', 1, 1);
  INSERT INTO folders (account_id, name, display_name) SELECT id, 'INBOX', 'INBOX' FROM accounts WHERE email = 'old@example.test';
  INSERT INTO folders (account_id, name, display_name) SELECT id, 'Archive', 'Archive' FROM accounts WHERE email = 'old@example.test';
  INSERT INTO messages (id, account_id, message_id, subject, sender, body_text, snippet, size, truncated, created_at)
    SELECT 10, id, '<old1@x>', 'quarterly report', 'A <a@x>', 'the quarterly numbers', 'the quarterly numbers', 100, 0, 1 FROM accounts WHERE email = 'old@example.test';
  INSERT INTO messages (id, account_id, message_id, subject, sender, body_text, snippet, size, truncated, created_at)
    SELECT 20, id, '<old2@x>', 'big one', 'A <a@x>', NULL, '', 9000, 1, 1 FROM accounts WHERE email = 'old@example.test';
  INSERT INTO message_locations (folder_id, uidvalidity, uid, message_row_id, flags)
    SELECT id, 7, 1, 10, '[]' FROM folders WHERE name = 'INBOX';
  INSERT INTO message_locations (folder_id, uidvalidity, uid, message_row_id, flags)
    SELECT id, 7, 2, 20, '[]' FROM folders WHERE name = 'INBOX';
  INSERT INTO message_locations (folder_id, uidvalidity, uid, message_row_id, flags)
    SELECT id, 9, 1, 10, '[]' FROM folders WHERE name = 'Archive';
  INSERT INTO sync_state (account_id, folder_id, cursor, uidvalidity, status)
    SELECT account_id, id, 2, 7, 'ok' FROM folders WHERE name = 'INBOX';
`;

/** A database at schema version 3 — the migrations before message identity, run as the store
 * ran them — holding SCHEMA3_DATA (the file engine's has the FTS5 index). */
async function buildSchema3(engine: EngineName, path: string): Promise<void> {
  if (engine === 'postgres') {
    const schema = new URL(path).searchParams.get('schema') as string;
    const pg = await openPostgresEngine(path);
    try {
      await pg.transaction(async (tx) => {
        await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await tx.exec(SCHEMA_TABLE);
        await tx.exec(`INSERT INTO prx_schema (application, version) VALUES ('${APPLICATION}', 3)`);
        for (const migration of PG_MIGRATIONS.slice(0, 3)) await tx.exec(migration);
        await tx.exec(SCHEMA3_DATA);
      });
    } finally {
      await pg.close();
    }
    return;
  }
  const sqlite: SqlEngine = engine === 'file' ? await openFileEngine(path) : await openSqlJsEngine(path, { autosaveIntervalMs: null });
  try {
    await sqlite.transaction(async (tx) => {
      for (const migration of MIGRATIONS.slice(0, 3)) {
        await tx.exec(typeof migration === 'string' ? migration : migration({ fts5: sqlite.fts5, searchIndex: false }));
      }
      await tx.exec(`PRAGMA user_version = 3; PRAGMA application_id = ${APPLICATION_ID}`);
      await tx.exec(SCHEMA3_DATA);
    });
    await sqlite.save();
  } finally {
    await sqlite.close();
  }
}
