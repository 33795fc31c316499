import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { adjustMemfsGrowth, loadSqlJs, sqlJsLoadInfo } from '../../src/store/sqljs.js';

function record(messageId: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    messageId,
    messageIdIsFallback: false,
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

function batch(store: Store, accountId: number, folder: string, uids: number[], opts: { cursor?: number; modseq?: bigint } = {}) {
  const state = store.loadFolderState(accountId, folder);
  return {
    accountId,
    folderId: state.folderId,
    uidValidity: 7,
    messages: uids.map((uid) => ({ record: record(`<m${uid}@x>`), uid, flags: ['\\Seen'], modseq: opts.modseq ?? 5n, internalDate: 1 })),
    flagUpdates: [],
    expungedUids: [],
    state: { cursor: opts.cursor ?? Math.max(0, ...uids), uidValidity: 7, uidNext: null, highestModseq: opts.modseq ?? 5n, lastSyncAt: 10 },
  };
}

async function freshStore(path = ':memory:'): Promise<{ store: Store; accountId: number }> {
  const store = await openStore(path);
  const accountId = store.upsertAccount({ email: 'alice@example.test', provider: null, settings: { host: 'h' } }, 1);
  return { store, accountId };
}

describe('sql.js store', () => {
  test('creates the schema, records its version and reopens from the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prx-store-'));
    const path = join(dir, 'mail.db');
    const { store, accountId } = await freshStore(path);
    store.applyBatch(batch(store, accountId, 'INBOX', [1, 2, 3]));
    store.save();
    store.close();
    const reopened = await openStore(path);
    assert.equal(reopened.countMessages(accountId), 3);
    assert.equal(Number(reopened.db.one('PRAGMA user_version')?.user_version), MIGRATIONS.length);
    const state = reopened.loadFolderState(accountId, 'INBOX');
    assert.equal(state.cursor, 3);
    assert.equal(state.liveCount, 3);
    reopened.close();
  });

  test('writes that change nothing leave the store clean: no rewrite of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prx-store-'));
    const path = join(dir, 'mail.db');
    const { store, accountId } = await freshStore(path);
    store.applyBatch(batch(store, accountId, 'INBOX', [1, 2]));
    store.save();
    assert.equal(store.db.dirty, false);
    // Re-registering the same account (every start-up does) and reading state change nothing.
    assert.equal(store.upsertAccount({ email: 'alice@example.test', provider: null, settings: { host: 'h' } }, 99), accountId);
    store.loadFolderState(accountId, 'INBOX');
    store.listLocations(store.loadFolderState(accountId, 'INBOX').folderId, 7);
    assert.equal(store.db.dirty, false);
    assert.equal(store.saveIfDirty(), false);
    // A real change still marks it.
    store.upsertAccount({ email: 'alice@example.test', provider: null, settings: { host: 'other' } }, 100);
    assert.equal(store.db.dirty, true);
    store.close();
  });

  test('refuses a foreign or corrupt file and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prx-store-'));
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'these are my notes, not a database');
    await assert.rejects(openStore(text), { code: 'CORRUPT_DB' });
    assert.equal(readFileSync(text, 'utf8'), 'these are my notes, not a database');

    // A real SQLite file without our application id.
    const { store } = await freshStore(join(dir, 'ours.db'));
    store.db.run('PRAGMA application_id = 1');
    store.save();
    store.close();
    const before = readFileSync(join(dir, 'ours.db'));
    await assert.rejects(openStore(join(dir, 'ours.db')), { code: 'CORRUPT_DB' });
    assert.deepEqual(readFileSync(join(dir, 'ours.db')), before);

    const torn = join(dir, 'torn.db');
    writeFileSync(torn, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100, 0xff)]));
    await assert.rejects(openStore(torn), { code: 'CORRUPT_DB' });
  });

  test('a batch is all or nothing', async () => {
    const { store, accountId } = await freshStore();
    store.applyBatch(batch(store, accountId, 'INBOX', [1]));
    const bad = batch(store, accountId, 'INBOX', [2, 3]);
    // A NOT NULL violation on the second message aborts the whole batch, cursor included.
    (bad.messages[1] as { record: MessageRecord }).record = record('<m3@x>', { size: null as unknown as number });
    bad.state.cursor = 3;
    assert.throws(() => store.applyBatch(bad), { code: 'STORAGE' });
    assert.equal(store.countMessages(accountId), 1);
    assert.equal(store.loadFolderState(accountId, 'INBOX').cursor, 1);
  });

  test('the same message in two folders is one message row and two locations; re-applying changes nothing', async () => {
    const { store, accountId } = await freshStore();
    const inbox = batch(store, accountId, 'INBOX', [1, 2]);
    const archive = batch(store, accountId, 'Archive', [1]);
    store.applyBatch(inbox);
    store.applyBatch(archive);
    const snapshot = () => JSON.stringify([store.db.all('SELECT * FROM messages'), store.db.all('SELECT * FROM message_locations'), store.db.all('SELECT * FROM sync_state')]);
    const before = snapshot();
    store.applyBatch(inbox);
    store.applyBatch(archive);
    assert.equal(snapshot(), before);
    assert.equal(store.countMessages(accountId), 2);
    const m1 = store.getMessageByMessageId(accountId, '<m1@x>');
    assert.deepEqual(m1?.locations.map((l) => l.folder), ['Archive', 'INBOX']);
  });

  test('flag updates, tombstones and 63-bit modseq values are stored exactly', async () => {
    const { store, accountId } = await freshStore();
    const big = 9_007_199_254_740_993n;
    store.applyBatch(batch(store, accountId, 'INBOX', [1, 2, 3], { modseq: big }));
    const { folderId } = store.loadFolderState(accountId, 'INBOX');
    store.applyBatch({
      ...batch(store, accountId, 'INBOX', []),
      flagUpdates: [{ uid: 1, flags: ['\\Flagged'], modseq: big + 1n }],
      expungedUids: [2],
      state: { cursor: 3, uidValidity: 7, uidNext: 4, highestModseq: big + 1n, lastSyncAt: 20 },
    });
    const live = store.listLocations(folderId, 7);
    assert.deepEqual(live.map((l) => l.uid), [1, 3]);
    assert.deepEqual(live[0]?.flags, ['\\Flagged']);
    assert.equal(live[0]?.modseq, big + 1n);
    const state = store.loadFolderState(accountId, 'INBOX');
    assert.equal(state.highestModseq, big + 1n);
    assert.equal(state.uidNext, 4);
    assert.equal(store.folderCounts(accountId)[0]?.deleted, 1);
  });

  test('UIDVALIDITY remap moves matched locations and tombstones the rest', async () => {
    const { store, accountId } = await freshStore();
    store.applyBatch(batch(store, accountId, 'INBOX', [1, 2, 3]));
    const { folderId } = store.loadFolderState(accountId, 'INBOX');
    const { tombstoned } = store.remapUidValidity({
      accountId, folderId, oldUidValidity: 7, newUidValidity: 99,
      matches: [{ oldUid: 3, newUid: 1 }], cursor: 1, lastSyncAt: 30,
    });
    assert.equal(tombstoned, 2);
    assert.deepEqual(store.listLocations(folderId, 99).map((l) => [l.uid, l.messageId]), [[1, '<m3@x>']]);
    assert.deepEqual(store.listLocations(folderId, 7), []);
    const state = store.loadFolderState(accountId, 'INBOX');
    assert.equal(state.uidValidity, 99);
    assert.equal(state.cursor, 1);
    assert.equal(state.highestModseq, null);
  });

  test('sql.js is loaded with MEMFS growing files by doubling, and a grown database stays intact', async () => {
    await loadSqlJs();
    // Pinned for the sql.js version in package.json: a build without the expression would load
    // unmodified (correct, but inserts ~1.6x slower) and this says so.
    assert.equal(sqlJsLoadInfo()?.memfsGrowth, 'doubling');
    assert.equal(adjustMemfsGrowth('x=m*(m<1048576?2:1.125)>>>0;'), 'x=Math.min(m*2,m+268435456)>>>0;');
    assert.equal(adjustMemfsGrowth('no such expression'), null);
    assert.equal(adjustMemfsGrowth('a*(a<1048576?2:1.125)>>>0;b*(b<1048576?2:1.125)>>>0'), null, 'ambiguous: leave it');
    // Grow a file-backed database well past several doublings, save, reopen and check it.
    const dir = mkdtempSync(join(tmpdir(), 'prx-store-'));
    const path = join(dir, 'mail.db');
    const { store, accountId } = await freshStore(path);
    const body = 'x'.repeat(20_000);
    for (let first = 1; first <= 600; first += 100) {
      const b = batch(store, accountId, 'INBOX', Array.from({ length: 100 }, (_, i) => first + i));
      for (const m of b.messages) (m as { record: MessageRecord }).record = record(`<m${m.uid}@x>`, { bodyText: `${m.uid} ${body}` });
      store.applyBatch(b);
    }
    store.save();
    store.close();
    const reopened = await openStore(path);
    assert.equal(reopened.db.one('PRAGMA integrity_check')?.integrity_check, 'ok');
    assert.equal(reopened.countMessages(accountId), 600);
    assert.equal(reopened.getMessageByMessageId(accountId, '<m599@x>')?.bodyText, `599 ${body}`);
    reopened.close();
  });

  test('long and non-ASCII text (bound as UTF-8 bytes) is stored as TEXT, exactly', async () => {
    const { store, accountId } = await freshStore();
    const body = 'Grüße, 你好, emoji 🎉 and a long tail. '.repeat(400);
    const html = `<p>${body}</p>`;
    const subject = 'Ünïcødé subject that is long enough to take the byte path: ' + '✓'.repeat(80);
    const b = batch(store, accountId, 'INBOX', [1, 2]);
    (b.messages[0] as { record: MessageRecord }).record = record('<m1@x>', {
      subject,
      bodyText: body,
      bodyHtml: html,
      attachments: [{ filename: 'résumé.pdf', contentType: 'application/pdf', size: 1, contentId: null, disposition: 'attachment', sha256: 'ab'.repeat(32) }],
    });
    store.applyBatch(b);
    const types = store.db.one(
      `SELECT typeof(subject) AS s, typeof(body_text) AS t, typeof(body_html) AS h, typeof(attachments) AS a,
              typeof(sender) AS f, length(body_text) AS n
         FROM messages WHERE message_id = '<m1@x>'`,
    );
    assert.deepEqual({ ...types }, { s: 'text', t: 'text', h: 'text', a: 'text', f: 'text', n: [...body].length });
    const stored = store.getMessageByMessageId(accountId, '<m1@x>');
    assert.equal(stored?.subject, subject);
    assert.equal(stored?.bodyText, body);
    assert.equal(stored?.bodyHtml, html);
    assert.equal(stored?.attachments[0]?.filename, 'résumé.pdf');
    assert.equal(store.searchMessages({ accountId, query: '你好, emoji 🎉', limit: 10 }).length, 1);
    assert.equal(store.getMessageByMessageId(accountId, '<m2@x>')?.bodyText, 'hello world');
  });

  test('search matches % and _ literally, and limits are validated', async () => {
    const { store, accountId } = await freshStore();
    const b = batch(store, accountId, 'INBOX', [1, 2]);
    (b.messages[0] as { record: MessageRecord }).record = record('<m1@x>', { subject: '100% done' });
    (b.messages[1] as { record: MessageRecord }).record = record('<m2@x>', { subject: '1000 done' });
    store.applyBatch(b);
    assert.deepEqual(store.searchMessages({ accountId, query: '0%', limit: 10 }).map((m) => m.messageId), ['<m1@x>']);
    assert.equal(store.searchMessages({ accountId, query: 'done', limit: 10 }).length, 2);
    assert.equal(store.searchMessages({ accountId, query: '_', limit: 10 }).length, 0);
    assert.throws(() => store.searchMessages({ accountId, query: 'x', limit: 0 }), { code: 'CONFIG' });
    assert.throws(() => store.listMessages({ accountId, limit: 501 }), { code: 'CONFIG' });
    assert.equal(store.listMessages({ accountId, folder: 'INBOX', limit: 500 }).length, 2);
    assert.equal(store.listMessages({ accountId, folder: 'Sent', limit: 500 }).length, 0);
  });

  test('runner state persists per job key', async () => {
    const { store } = await freshStore();
    assert.equal(store.getRunnerState('1::INBOX'), null);
    store.putRunnerState('1::INBOX', { nextAllowedAt: 50, failureCount: 2, lastError: 'NETWORK', lastAttemptAt: 40 });
    assert.deepEqual(store.getRunnerState('1::INBOX'), { nextAllowedAt: 50, failureCount: 2, lastError: 'NETWORK', lastAttemptAt: 40 });
  });
});
