/**
 * Writes fixtures/store/v1.db: a small database written by the schema-version-1 store (the
 * sql.js whole-image store at commit 1065d3b), used by the migration test to prove that a file
 * written by that code opens and is migrated in place. It was generated once with
 * `npx tsc -p tsconfig.json && node dist/scripts/make-store-fixture.js fixtures/store/v1.db`
 * at that commit; the file is committed and must not be regenerated with newer code (newer code
 * writes newer schema versions; the calls carry `await` since the store became asynchronous). The content is listed in V1_FIXTURE so the test can check it.
 */

import { openStore } from '../src/store/index.js';

export const V1_FIXTURE = {
  accounts: ['alice@example.test', 'bob@example.test'],
  /** alice: INBOX uid 1..3 (uid 2 tombstoned), Archive uid 10 holding the same message as INBOX uid 1. */
  aliceInboxLive: 2,
  aliceMessages: 3,
  bobMessages: 1,
  modseq: 9_223_372_036_854_775_000n,
  nonAsciiSubject: 'Grüße — 日本語 ✉ '.repeat(8),
} as const;

function record(messageId: string, subject: string, body: string) {
  return {
    messageId,
    messageIdIsFallback: false,
    fingerprint: `fp:${messageId}`,
    subject,
    sender: 'Alice <alice@example.test>',
    senderAddress: 'alice@example.test',
    recipients: 'Bob <bob@example.test>',
    cc: null,
    bcc: null,
    date: 1_700_000_000_000,
    inReplyTo: null,
    references: null,
    bodyText: body,
    bodyHtml: `<p>${body}</p>`,
    snippet: body.slice(0, 100),
    attachments: [{ filename: 'a.txt', contentType: 'text/plain', size: 3, contentId: null, disposition: 'attachment', sha256: 'a'.repeat(64) }],
    size: 1000,
    parseError: null,
    truncated: false,
  };
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: make-store-fixture.js OUT.db');
  const store = await openStore(path, { autosaveIntervalMs: null });
  const alice = await store.upsertAccount({ email: 'alice@example.test', provider: 'dovecot', settings: { host: 'imap.example.test', port: 993 } }, 1);
  const bob = await store.upsertAccount({ email: 'bob@example.test', provider: null, settings: { host: 'imap.example.test' } }, 2);
  const inbox = await store.loadFolderState(alice, 'INBOX');
  await store.applyBatch({
    accountId: alice,
    folderId: inbox.folderId,
    uidValidity: 7,
    messages: [
      { record: record('<m1@x>', 'quarterly report', 'the quarterly numbers are attached'), uid: 1, flags: ['\\Seen'], modseq: 5n, internalDate: 1 },
      { record: record('<m2@x>', 'lunch', 'pizza on friday'), uid: 2, flags: [], modseq: 6n, internalDate: 2 },
      { record: record('<m3@x>', V1_FIXTURE.nonAsciiSubject, 'Ünïcödé body text '.repeat(20)), uid: 3, flags: ['\\Flagged'], modseq: V1_FIXTURE.modseq, internalDate: 3 },
    ],
    flagUpdates: [],
    expungedUids: [],
    state: { cursor: 3, uidValidity: 7, uidNext: 4, highestModseq: V1_FIXTURE.modseq, lastSyncAt: 10 },
  });
  await store.applyBatch({
    accountId: alice,
    folderId: inbox.folderId,
    uidValidity: 7,
    messages: [],
    flagUpdates: [],
    expungedUids: [2],
    state: { cursor: 3, uidValidity: 7, uidNext: 4, highestModseq: V1_FIXTURE.modseq, lastSyncAt: 11 },
  });
  const archive = await store.loadFolderState(alice, 'Archive');
  await store.applyBatch({
    accountId: alice,
    folderId: archive.folderId,
    uidValidity: 1,
    messages: [{ record: record('<m1@x>', 'quarterly report', 'the quarterly numbers are attached'), uid: 10, flags: [], modseq: null, internalDate: 1 }],
    flagUpdates: [],
    expungedUids: [],
    state: { cursor: 10, uidValidity: 1, uidNext: 11, highestModseq: null, lastSyncAt: 12 },
  });
  const bobInbox = await store.loadFolderState(bob, 'INBOX');
  await store.applyBatch({
    accountId: bob,
    folderId: bobInbox.folderId,
    uidValidity: 3,
    messages: [{ record: record('<b1@x>', 'hello bob', 'a message for bob'), uid: 1, flags: [], modseq: null, internalDate: 1 }],
    flagUpdates: [],
    expungedUids: [],
    state: { cursor: 1, uidValidity: 3, uidNext: 2, highestModseq: null, lastSyncAt: 13 },
  });
  await store.putRunnerState('alice@example.test::INBOX', { nextAllowedAt: 100, failureCount: 1, lastError: 'boom', lastAttemptAt: 50 });
  await store.save();
  await store.close();
}

if (process.argv[1]?.endsWith('make-store-fixture.js')) await main();
