/**
 * Gmail (X-GM-EXT-1), over the hand-written Gmail transcripts: X-GM-MSGID, X-GM-THRID and
 * X-GM-LABELS are fetched and stored, labels follow CHANGEDSINCE like flags, are queryable through
 * the `message_labels` view, threads come from X-GM-THRID; and a message seen in two folders is
 * one row by X-GM-MSGID even when the copies' Message-IDs differ.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore } from '../../src/store/index.js';
import { replayScenario } from '../support/replay/run-scenario.js';
import { loadScenarioTranscripts, scenarios, type Scenario } from '../support/replay/scenarios.js';

test('Gmail ids and labels are stored, labels change with CHANGEDSINCE, threads follow X-GM-THRID', async () => {
  const scenario = scenarios.find((s) => s.name === 'gmail') as Scenario;
  const two = { ...scenario, phases: scenario.phases.slice(0, 2) };
  const run = await replayScenario(two, loadScenarioTranscripts(scenario).slice(0, 2));
  for (const connections of run.connections) assert.equal(connections[0]?.peer.mismatch, null);
  const store = run.store;
  const accountId = 1;
  const rows = await store.db.all('SELECT id, message_id, gm_msgid, gm_thrid, gm_labels FROM messages ORDER BY message_id');
  assert.deepEqual(
    rows.map((r) => [r.message_id, r.gm_msgid, r.gm_thrid, JSON.parse(String(r.gm_labels))]),
    [
      ['<m101@gmail.com>', '1788000000000000101', '1788000000000000101', ['\\Inbox', '\\Important']],
      ['<m102@gmail.com>', '1788000000000000102', '1788000000000000101', ['\\Inbox', '\\Starred', 'Work']], // changed in phase 2
      ['<m103@gmail.com>', '1788000000000000103', '1788000000000000103', ['\\Inbox', 'Work']],
      ['<m104@gmail.com>', '1788000000000000104', '1788000000000000103', ['\\Inbox', 'Work']],
    ],
  );
  const work = await store.db.all(
    `SELECT m.message_id FROM message_labels ml JOIN messages m ON m.id = ml.message_row_id
      WHERE ml.account_id = ? AND ml.label = 'Work' ORDER BY m.message_id`,
    [accountId],
  );
  assert.deepEqual(work.map((r) => r.message_id), ['<m102@gmail.com>', '<m103@gmail.com>', '<m104@gmail.com>']);
  const id = (messageId: string) => Number(rows.find((r) => r.message_id === messageId)?.id);
  const thread = async (messageId: string, includeDeleted = false) =>
    (await store.getThread(id(messageId), { includeDeleted })).map((m) => m.messageId);
  assert.deepEqual(await thread('<m103@gmail.com>'), ['<m103@gmail.com>', '<m104@gmail.com>']);
  // m101 was expunged in phase 2: live threads leave it out.
  assert.deepEqual(await thread('<m102@gmail.com>'), ['<m102@gmail.com>']);
  assert.deepEqual(await thread('<m102@gmail.com>', true), ['<m101@gmail.com>', '<m102@gmail.com>']);
  await store.close();
});

test('a message in INBOX and [Gmail]/All Mail is one row by X-GM-MSGID', async () => {
  const store = await openStore(':memory:');
  const accountId = await store.upsertAccount({ email: 'ann@gmail.com', provider: 'gmail', settings: {} }, 1);
  const record = (messageId: string): MessageRecord => ({
    messageId,
    messageIdIsFallback: true,
    fingerprint: `fp:${messageId}`,
    subject: 'no Message-ID header',
    sender: null,
    senderAddress: null,
    recipients: null,
    cc: null,
    bcc: null,
    date: 1,
    bodyText: 'x',
    bodyHtml: null,
    snippet: 'x',
    references: null,
    inReplyTo: null,
    attachments: [],
    size: 1,
    parseError: null,
    truncated: false,
  });
  const gmail = { msgId: '1788000000000000999', thrId: '1788000000000000999', labels: ['\\Inbox'] };
  for (const [folder, messageId, uid] of [['INBOX', '<fallback-a@local>', 5], ['[Gmail]/All Mail', '<fallback-b@local>', 900]] as const) {
    const folderId = (await store.loadFolderState(accountId, folder)).folderId;
    await store.applyBatch({
      accountId,
      folderId,
      uidValidity: 1,
      messages: [{ record: record(messageId), uid, flags: [], modseq: null, internalDate: null, gmail }],
      flagUpdates: [],
      expungedUids: [],
      state: { cursor: uid, uidValidity: 1, uidNext: null, highestModseq: null, lastSyncAt: 1 },
    });
  }
  assert.equal(await store.countMessages(accountId), 1);
  const [message] = await store.listMessages({ accountId, limit: 10 });
  assert.deepEqual(message?.locations.map((l) => l.folder).sort(), ['INBOX', '[Gmail]/All Mail']);
  await store.close();
});
