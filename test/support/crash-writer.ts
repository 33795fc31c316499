/**
 * Child process for the crash test: keeps applying batches (20 messages + cursor) to the store
 * file given as argv[2] and saving after each one, until it is killed. Test-only.
 */
import type { MessageRecord } from '../../src/mime/types.js';
import { openStore } from '../../src/store/index.js';

const path = process.argv[2] as string;
const store = await openStore(path, { autosaveIntervalMs: null });
const accountId = store.upsertAccount({ email: 'crash@test', provider: null, settings: {} }, 1);
store.save();
for (;;) {
  const state = store.loadFolderState(accountId, 'INBOX');
  const first = state.cursor + 1;
  const messages = Array.from({ length: 20 }, (_, i) => {
    const uid = first + i;
    const record: MessageRecord = {
      messageId: `<crash-${uid}@test>`, messageIdIsFallback: false, subject: `m${uid}`, sender: null, senderAddress: null,
      recipients: null, cc: null, bcc: null, date: uid, inReplyTo: null, references: null, bodyText: 'x'.repeat(2000),
      bodyHtml: null, snippet: 'x', attachments: [], size: 2000, parseError: null, truncated: false,
    };
    return { record, uid, flags: [], modseq: BigInt(uid), internalDate: null };
  });
  store.applyBatch({
    accountId, folderId: state.folderId, uidValidity: 1, messages, flagUpdates: [], expungedUids: [],
    state: { cursor: first + 19, uidValidity: 1, uidNext: null, highestModseq: BigInt(first + 19), lastSyncAt: 1 },
  });
  store.save();
}
