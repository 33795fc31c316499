/**
 * store.getThread: conversations by References / In-Reply-To, tolerant of missing parents, live
 * messages only unless includeDeleted, bounded for a Message-ID named by very many messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import { MAX_THREAD } from '../../src/store/threads.js';
import { messageRecord } from '../support/message-record.js';

function record(id: string, date: number, inReplyTo: string | null, references: string | null): MessageRecord {
  return messageRecord(`<${id}@x>`, {
    fingerprint: `fp:${id}`, subject: id, sender: null, senderAddress: null, recipients: null, date, bodyText: id, snippet: id, references, inReplyTo, size: 10,
  });
}

async function put(store: Store, accountId: number, folderId: number, records: MessageRecord[], firstUid: number, expunged: number[] = []): Promise<void> {
  await store.applyBatch({
    accountId,
    folderId,
    uidValidity: 1,
    messages: records.map((r, i) => ({ record: r, uid: firstUid + i, flags: [], modseq: null, internalDate: null })),
    flagUpdates: [],
    expungedUids: expunged,
    state: { cursor: firstUid + records.length - 1, uidValidity: 1, uidNext: null, highestModseq: null, lastSyncAt: 1 },
  });
}

test('a conversation by References and In-Reply-To, with missing parents, oldest first, live unless includeDeleted', async () => {
  const store = await openStore(':memory:');
  const accountId = await store.upsertAccount({ email: 'ann@example.test', provider: null, settings: {} }, 1);
  const folderId = (await store.loadFolderState(accountId, 'INBOX')).folderId;
  await put(store, accountId, folderId, [
    record('c', 3, '<b@x>', '<a@x> <b@x>'),
    record('a', 1, null, null),
    record('b', 2, '<a@x>', '<a@x>'),
    record('d', 4, '<missing@x>', '<a@x> <missing@x>'), // its parent never arrived
    record('e', 5, '<gone-parent@x>', null),
    record('f', 6, '<gone-parent@x>', null), // a sibling of e under the same missing parent
    record('g', 7, null, null),
    record('h', 8, '<c@x>', '<a@x> <b@x> <c@x>'),
  ], 1);
  await put(store, accountId, folderId, [], 8, [8]); // h expunged
  const byId = new Map((await store.listMessages({ accountId, limit: 50, includeDeleted: true })).map((m) => [m.subject, m.id]));
  const subjects = async (name: string, includeDeleted = false) =>
    (await store.getThread(byId.get(name) as number, { includeDeleted })).map((m) => m.subject);
  assert.deepEqual(await subjects('a'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await subjects('c'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await subjects('d'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(await subjects('a', true), ['a', 'b', 'c', 'd', 'h']);
  assert.deepEqual(await subjects('h'), ['a', 'b', 'c', 'd', 'h']); // the message itself always
  assert.deepEqual(await subjects('e'), ['e', 'f']);
  assert.deepEqual(await subjects('g'), ['g']);
  assert.deepEqual(await store.getThread(99_999), []);
  await store.close();
});

test('a Message-ID named by very many messages gives a bounded thread', async () => {
  const store = await openStore(':memory:');
  const accountId = await store.upsertAccount({ email: 'ann@example.test', provider: null, settings: {} }, 1);
  const folderId = (await store.loadFolderState(accountId, 'INBOX')).folderId;
  const flood = Array.from({ length: MAX_THREAD + 200 }, (_, i) => record(`flood${i}`, 10 + i, '<root@x>', '<root@x>'));
  await put(store, accountId, folderId, [record('root', 1, null, null), ...flood], 1);
  const root = (await store.getMessageByMessageId(accountId, '<root@x>'))?.id as number;
  const thread = await store.getThread(root);
  assert.equal(thread.length, MAX_THREAD);
  assert.equal(thread[0]?.subject, 'root');
  await store.close();
});
