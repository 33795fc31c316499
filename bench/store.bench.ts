/**
 * Store throughput and footprint: realistic messages (sample mail parsed by src/mime) applied in
 * batches of 100 with their cursor, to 10k and to a larger count; RSS at both; bytes handed to
 * write() (from /proc/self/io, Linux) against the final file size; the cost of appending 100
 * messages to the large database; that a no-change pass leaves the file untouched; one-word
 * full-text query times. The sql.js engine also reports its whole-image save.
 *   node dist/bench/store.bench.js [--rows 10000] [--big 100000] [--engine file|sqljs]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMessage } from '../src/mime/parse-message.js';
import type { MessageRecord } from '../src/mime/types.js';
import { openStore, type EngineName } from '../src/store/index.js';
import { generateSampleMessage } from '../scripts/sample-mail.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
};
const rows = Number(arg('--rows', '10000'));
const big = Number(arg('--big', '100000'));
const engine = arg('--engine', 'file') as EngineName;
const templates: MessageRecord[] = [];
for (let i = 0; i < 500; i++) templates.push(await parseMessage(generateSampleMessage(i, { seed: 5 })));

/** Bytes this process passed to write()-like calls so far (Linux), or NaN. */
function written(): number {
  try {
    return Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
}
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const rss = () => process.memoryUsage().rss;
let peakRss = rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, rss());
}, 50);

const dir = mkdtempSync(join(tmpdir(), 'prx-store-bench-'));
const path = join(dir, 'mail.db');
const store = await openStore(path, { autosaveIntervalMs: null, engine });
const accountId = await store.upsertAccount({ email: 'bench@test', provider: null, settings: {} }, 1);
let newBytes = 0;

async function insert(from: number, to: number): Promise<number> {
  const started = performance.now();
  for (let first = from; first < to; first += 100) {
    const state = await store.loadFolderState(accountId, 'INBOX');
    const messages = [];
    for (let uid = first + 1; uid <= Math.min(first + 100, to); uid++) {
      const template = templates[uid % templates.length] as MessageRecord;
      newBytes += (template.bodyText?.length ?? 0) + (template.bodyHtml?.length ?? 0) + (template.subject?.length ?? 0);
      messages.push({ record: { ...template, messageId: `<bench-${uid}@test>`, subject: `${template.subject ?? ''} w${uid}` }, uid, flags: ['\\Seen'], modseq: BigInt(uid), internalDate: uid });
    }
    await store.applyBatch({
      accountId, folderId: state.folderId, uidValidity: 1, messages, flagUpdates: [], expungedUids: [],
      state: { cursor: Math.min(first + 100, to), uidValidity: 1, uidNext: null, highestModseq: BigInt(to), lastSyncAt: 1 },
    });
  }
  return performance.now() - started;
}

const w0 = written();
const insertMs = await insert(0, rows);
await store.save();
const rss10k = rss();
console.log(`[${engine}] insert ${rows} realistic rows in batches of 100: ${(insertMs / rows).toFixed(3)} ms/row (${(rows / (insertMs / 1000)).toFixed(0)} rows/s); RSS ${mb(rss10k)} MB`);
console.log(`[${engine}] bytes written ${mb(written() - w0)} MB for a ${mb(statSync(path).size)} MB file (${((written() - w0) / statSync(path).size).toFixed(2)}x)`);
if (store.db.lastSave) console.log(`[${engine}] image save at ${rows} rows: ${store.db.lastSave.ms.toFixed(0)} ms for ${mb(store.db.lastSave.bytes)} MB`);
let last = rows;
if (big > rows) {
  const moreMs = await insert(rows, big);
  await store.save();
  last = big;
  const rssBig = rss();
  console.log(`[${engine}] insert ${rows}..${big}: ${(moreMs / (big - rows)).toFixed(3)} ms/row (${((moreMs / (big - rows)) / (insertMs / rows)).toFixed(2)}x the first ${rows}); RSS ${mb(rssBig)} MB (${(rssBig / rss10k).toFixed(2)}x RSS at ${rows})`);
  console.log(`[${engine}] bytes written in total ${mb(written() - w0)} MB for a ${mb(statSync(path).size)} MB file (${((written() - w0) / statSync(path).size).toFixed(2)}x)`);
  if (store.db.lastSave) console.log(`[${engine}] image save at ${big} rows: ${store.db.lastSave.ms.toFixed(0)} ms for ${mb(store.db.lastSave.bytes)} MB`);
}

// Append 100 messages to the large database: one batch, one commit.
newBytes = 0;
const wAppend = written();
const appendMs = await insert(last, last + 100);
await store.save();
const appendWritten = written() - wAppend;
console.log(`[${engine}] append 100 to ${last}: ${appendMs.toFixed(1)} ms (load state + commit), ${mb(appendWritten)} MB written for ${mb(newBytes)} MB of new text (${(appendWritten / newBytes).toFixed(2)}x)`);
last += 100;

// A no-change pass: what a sync that finds nothing new does with the store.
const before = statSync(path);
const wNoChange = written();
const state = await store.loadFolderState(accountId, 'INBOX');
await store.listLocations(state.folderId, 1);
await store.upsertAccount({ email: 'bench@test', provider: null, settings: {} }, 2);
await store.saveIfDirty();
const after = statSync(path);
console.log(`[${engine}] no-change pass: file ${before.mtimeMs === after.mtimeMs && before.size === after.size ? 'untouched' : 'MODIFIED'}; ${written() - wNoChange} bytes passed to write() (lock file owner records)`);

// One-word full-text queries.
const words = ['meeting', 'invoice', 'project', 'report', 'w77', 'w12345', 'friday', 'budget', 'the', 'update', 'zzzznothing'];
const times: number[] = [];
for (let round = 0; round < 3; round++) {
  for (const word of words) {
    const started = performance.now();
    await store.searchMessages({ accountId, query: word, limit: 20 });
    times.push(performance.now() - started);
  }
}
times.sort((a, b) => a - b);
console.log(`[${engine}] one-word search over ${last} messages (limit 20, ${times.length} queries): median ${(times[Math.floor(times.length / 2)] as number).toFixed(1)} ms, max ${(times[times.length - 1] as number).toFixed(1)} ms`);
clearInterval(sampler);
console.log(`[${engine}] peak RSS ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))} MB`);
await store.close();
rmSync(dir, { recursive: true, force: true });
