/**
 * The store's mailbox semantics: list and search return live messages only unless
 * `includeDeleted`; the `live_messages` and `folder_messages` views; the covered UID range in
 * sync_state; a database of schema 1 migrates keeping its cursors' meaning (covered from UID 1).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { messageRecord } from '../support/message-record.js';

function record(messageId: string, subject: string, date: number): MessageRecord {
  return messageRecord(messageId, {
    subject, sender: 'Ann <ann@example.test>', senderAddress: 'ann@example.test', recipients: null, date, bodyText: `body of ${subject}`, snippet: subject, size: 100,
  });
}

async function seed(store: Store): Promise<{ accountId: number; inbox: number; archive: number }> {
  const accountId = await store.upsertAccount({ email: 'ann@example.test', provider: null, settings: {} }, 1);
  const inbox = (await store.loadFolderState(accountId, 'INBOX')).folderId;
  const archive = (await store.loadFolderState(accountId, 'Archive')).folderId;
  const state = (cursor: number) => ({ cursor, uidValidity: 5, uidNext: null, highestModseq: null, lastSyncAt: 10 });
  // m1 only in INBOX (later expunged), m2 in INBOX and Archive (expunged from INBOX only), m3 live.
  await store.applyBatch({
    accountId,
    folderId: inbox,
    uidValidity: 5,
    messages: [1, 2, 3].map((n) => ({ record: record(`<m${n}@x>`, `report ${n}`, n * 1000), uid: n, flags: [], modseq: null, internalDate: n })),
    flagUpdates: [],
    expungedUids: [],
    state: state(3),
  });
  await store.applyBatch({
    accountId,
    folderId: archive,
    uidValidity: 5,
    messages: [{ record: record('<m2@x>', 'report 2', 2000), uid: 9, flags: ['\\Seen'], modseq: null, internalDate: 2 }],
    flagUpdates: [],
    expungedUids: [],
    state: state(9),
  });
  await store.applyBatch({ accountId, folderId: inbox, uidValidity: 5, messages: [], flagUpdates: [], expungedUids: [1, 2], state: state(3) });
  return { accountId, inbox, archive };
}

describe('live messages', () => {
  test('list and search skip messages expunged from every folder unless includeDeleted', async () => {
    const store = await openStore(':memory:');
    const { accountId } = await seed(store);
    const ids = (messages: Array<{ messageId: string }>) => messages.map((m) => m.messageId).sort();
    assert.deepEqual(ids(await store.listMessages({ accountId, limit: 10 })), ['<m2@x>', '<m3@x>']);
    assert.deepEqual(ids(await store.listMessages({ accountId, limit: 10, includeDeleted: true })), ['<m1@x>', '<m2@x>', '<m3@x>']);
    assert.deepEqual(ids(await store.searchMessages({ accountId, query: 'report', limit: 10 })), ['<m2@x>', '<m3@x>']);
    assert.deepEqual(ids(await store.searchMessages({ accountId, query: 'report', limit: 10, includeDeleted: true })), ['<m1@x>', '<m2@x>', '<m3@x>']);
    // Per folder: live in that folder, or with includeDeleted any location there.
    assert.deepEqual(ids(await store.listMessages({ accountId, folder: 'INBOX', limit: 10 })), ['<m3@x>']);
    assert.deepEqual(ids(await store.listMessages({ accountId, folder: 'INBOX', limit: 10, includeDeleted: true })), ['<m1@x>', '<m2@x>', '<m3@x>']);
    // A row stays reachable by id.
    const m1 = (await store.listMessages({ accountId, limit: 10, includeDeleted: true })).find((m) => m.messageId === '<m1@x>');
    assert.deepEqual((await store.getMessage(m1?.id as number))?.locations, []);
    await store.close();
  });

  test('the live_messages and folder_messages views', async () => {
    const store = await openStore(':memory:');
    const { accountId } = await seed(store);
    const live = await store.db.all('SELECT message_id FROM live_messages WHERE account_id = ? ORDER BY message_id', [accountId]);
    assert.deepEqual(live.map((r) => r.message_id), ['<m2@x>', '<m3@x>']);
    const listing = await store.db.all(
      `SELECT folder, folder_display_name, uid, flags, message_id, subject FROM folder_messages
        WHERE account_id = ? ORDER BY folder, uid`,
      [accountId],
    );
    assert.deepEqual(
      listing.map((r) => [r.folder, r.uid, r.message_id, r.flags]),
      [
        ['Archive', 9, '<m2@x>', '["\\\\Seen"]'],
        ['INBOX', 3, '<m3@x>', '[]'],
      ],
    );
    await store.close();
  });
});

describe('schema migration', () => {
  test('a schema-2 database (before mailbox semantics) migrates: cursors keep their meaning (covered from UID 1), views appear', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'prx-migrate-')), 'mail.db');
    const store = await openStore(path);
    const { accountId } = await seed(store);
    // Turn the file back into what schema 2 (the FTS5 index, no mailbox semantics) looked like.
    await store.db.run('DROP VIEW live_messages');
    await store.db.run('DROP VIEW folder_messages');
    await store.db.run('ALTER TABLE sync_state DROP COLUMN covered_from');
    await store.db.run('ALTER TABLE sync_state DROP COLUMN remaining'); // migration 4
    await store.db.run('ALTER TABLE folders DROP COLUMN deleted_at');
    await store.db.run('DROP VIEW message_labels');
    await store.db.run('DROP INDEX idx_messages_gm_msgid');
    await store.db.run('DROP INDEX idx_messages_gm_thrid');
    for (const column of ['gm_msgid', 'gm_thrid', 'gm_labels']) await store.db.run(`ALTER TABLE messages DROP COLUMN ${column}`);
    await store.db.run('PRAGMA user_version = 2');
    await store.save();
    await store.close();

    const reopened = await openStore(path);
    assert.equal(Number((await reopened.db.one('PRAGMA user_version'))?.user_version), MIGRATIONS.length);
    const state = await reopened.loadFolderState(accountId, 'INBOX');
    assert.deepEqual([state.coveredFrom, state.cursor], [1, 3]);
    assert.equal((await reopened.db.all('SELECT * FROM live_messages')).length, 2);
    assert.equal((await reopened.getFolder(accountId, 'INBOX'))?.name, 'INBOX');
    await reopened.close();
  });

  test('the covered range is stored with the batch that covers it', async () => {
    const store = await openStore(':memory:');
    const accountId = await store.upsertAccount({ email: 'ann@example.test', provider: null, settings: {} }, 1);
    const folderId = (await store.loadFolderState(accountId, 'INBOX')).folderId;
    const state = { cursor: 50, coveredFrom: 41, uidValidity: 5, uidNext: null, highestModseq: null, lastSyncAt: 10 };
    await store.applyBatch({ accountId, folderId, uidValidity: 5, messages: [], flagUpdates: [], expungedUids: [], state });
    assert.deepEqual(((s) => [s.coveredFrom, s.cursor])(await store.loadFolderState(accountId, 'INBOX')), [41, 50]);
    // A batch that does not say (reconciliation) keeps the range's bottom.
    const { coveredFrom: _omit, ...withoutRange } = state;
    await store.applyBatch({ accountId, folderId, uidValidity: 5, messages: [], flagUpdates: [], expungedUids: [], state: withoutRange });
    assert.equal((await store.loadFolderState(accountId, 'INBOX')).coveredFrom, 41);
    await store.close();
  });
});
