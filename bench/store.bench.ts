/**
 * Store throughput: rows/s for realistic messages (sample mail parsed by src/mime) applied in
 * batches of 100 with their cursor, and the cost of one atomic save, at 10k and more rows.
 *   node dist/bench/store.bench.js [--rows 10000] [--big 100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMessage } from '../src/mime/parse-message.js';
import type { MessageRecord } from '../src/mime/types.js';
import { openStore } from '../src/store/index.js';
import { generateSampleMessage } from '../scripts/sample-mail.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rows = arg('--rows', 10_000);
const big = arg('--big', 100_000);
const templates: MessageRecord[] = [];
for (let i = 0; i < 500; i++) templates.push(await parseMessage(generateSampleMessage(i, { seed: 5 })));

const dir = mkdtempSync(join(tmpdir(), 'prx-store-bench-'));
const path = join(dir, 'mail.db');
const store = await openStore(path, { autosaveIntervalMs: null });
const accountId = store.upsertAccount({ email: 'bench@test', provider: null, settings: {} }, 1);

async function insert(from: number, to: number): Promise<number> {
  const started = performance.now();
  for (let first = from; first < to; first += 100) {
    const state = store.loadFolderState(accountId, 'INBOX');
    const messages = [];
    for (let uid = first + 1; uid <= Math.min(first + 100, to); uid++) {
      const template = templates[uid % templates.length] as MessageRecord;
      messages.push({ record: { ...template, messageId: `<bench-${uid}@test>` }, uid, flags: ['\\Seen'], modseq: BigInt(uid), internalDate: uid });
    }
    store.applyBatch({
      accountId, folderId: state.folderId, uidValidity: 1, messages, flagUpdates: [], expungedUids: [],
      state: { cursor: Math.min(first + 100, to), uidValidity: 1, uidNext: null, highestModseq: BigInt(to), lastSyncAt: 1 },
    });
  }
  return performance.now() - started;
}

const insertMs = await insert(0, rows);
store.save();
const save10k = store.db.lastSave;
console.log(`insert ${rows} realistic rows in batches of 100: ${(insertMs / rows).toFixed(3)} ms/row (${(rows / (insertMs / 1000)).toFixed(0)} rows/s)`);
console.log(`save at ${rows} rows: ${save10k?.ms.toFixed(0)} ms for a ${((save10k?.bytes ?? 0) / 1e6).toFixed(0)} MB image`);
if (big > rows) {
  const moreMs = await insert(rows, big);
  store.save();
  const saveBig = store.db.lastSave;
  console.log(`insert up to ${big} rows: ${(moreMs / (big - rows)).toFixed(3)} ms/row`);
  console.log(`save at ${big} rows: ${saveBig?.ms.toFixed(0)} ms for a ${((saveBig?.bytes ?? 0) / 1e6).toFixed(0)} MB image`);
}
console.log(`peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
store.close();
rmSync(dir, { recursive: true, force: true });
