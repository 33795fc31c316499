/**
 * Child process for the crash and two-process tests: applies batches (20 messages + cursor) to
 * the store file argv[2] with engine argv[3] (default sqljs, saving after each batch) into folder
 * argv[4] (default INBOX), until killed or, when argv[5] is given, for that many batches; prints a
 * line per committed batch. With argv[6] = k, it prints "paused" after its k-th batch and waits for
 * a line on stdin before going on (so a test can look at the file mid-way, deterministically).
 * Test-only.
 */
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore } from '../../src/store/index.js';
import { exitWithParent } from './exit-with-parent.js';

exitWithParent();

const path = process.argv[2] as string;
const engine = (process.argv[3] ?? 'sqljs') as 'sqljs' | 'file';
const folder = process.argv[4] ?? 'INBOX';
const batches = process.argv[5] === undefined ? Infinity : Number(process.argv[5]);
const pauseAfter = process.argv[6] === undefined ? null : Number(process.argv[6]);
const store = await openStore(path, { autosaveIntervalMs: null, engine, busyTimeoutMs: 60_000 });
const accountId = await store.upsertAccount({ email: 'crash@test', provider: null, settings: {} }, 1);
await store.save();
for (let n = 0; n < batches; n++) {
  const state = await store.loadFolderState(accountId, folder);
  const first = state.cursor + 1;
  const messages = Array.from({ length: 20 }, (_, i) => {
    const uid = first + i;
    const record: MessageRecord = {
      messageId: `<crash-${folder}-${uid}@test>`, messageIdIsFallback: false, fingerprint: `fp${uid}`, subject: `m${uid}`, sender: null, senderAddress: null,
      recipients: null, cc: null, bcc: null, date: uid, inReplyTo: null, references: null, bodyText: 'x'.repeat(2000),
      bodyHtml: null, snippet: 'x', attachments: [], size: 2000, parseError: null, truncated: false,
    };
    return { record, uid, flags: [], modseq: BigInt(uid), internalDate: null };
  });
  await store.applyBatch({
    accountId, folderId: state.folderId, uidValidity: 1, messages, flagUpdates: [], expungedUids: [],
    state: { cursor: first + 19, uidValidity: 1, uidNext: null, highestModseq: BigInt(first + 19), lastSyncAt: 1 },
  });
  await store.save();
  process.stdout.write('batch\n');
  if (n + 1 === pauseAfter) {
    process.stdout.write('paused\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.pause();
  }
}
await store.close();
