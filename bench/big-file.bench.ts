/**
 * A database file larger than 4 GiB through the file engine: rows of 1 MiB random bytes are
 * written (one transaction per 64 rows) past the 4 GiB mark, then `PRAGMA quick_check` runs and
 * every row is read back and compared by SHA-256 with what was written. Peak RSS is reported
 * (it must not follow the file's size). Bench-only: it writes ~4.3 GB to a temporary directory
 * and removes it.
 *   node dist/bench/big-file.bench.js [--mib 4400] [--dir /tmp]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? String(process.argv[i + 1]) : fallback;
};
const rows = Number(arg('--mib', '4400'));
const dir = mkdtempSync(join(arg('--dir', tmpdir()), 'prx-big-'));
const path = join(dir, 'big.db');
const hashes: string[] = [];
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const started = performance.now();
try {
  const store = await openStore(path);
  await store.db.run('CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  for (let first = 0; first < rows; first += 64) {
    await store.db.transaction(async (tx) => {
      for (let id = first; id < Math.min(first + 64, rows); id++) {
        const data = randomBytes(1 << 20);
        hashes[id] = sha(data);
        await tx.run('INSERT INTO big (id, data) VALUES (?, ?)', [id, data]);
      }
    });
  }
  const size = statSync(path).size;
  const writeS = (performance.now() - started) / 1000;
  const check = (await store.db.one('PRAGMA quick_check'))?.quick_check;
  let mismatches = 0;
  for (let id = 0; id < rows; id++) {
    const row = await store.db.one('SELECT data FROM big WHERE id = ?', [id]);
    if (!(row?.data instanceof Uint8Array) || sha(row.data) !== hashes[id]) mismatches++;
  }
  await store.close();
  const totalS = (performance.now() - started) / 1000;
  console.log(
    `big file: ${rows} rows of 1 MiB, file ${(size / 2 ** 30).toFixed(2)} GiB (${size > 2 ** 32 ? 'past' : 'NOT past'} 4 GiB); written in ${writeS.toFixed(0)} s; ` +
      `quick_check ${check}; read back: ${mismatches} mismatching rows of ${rows}; total ${totalS.toFixed(0)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
  if (check !== 'ok' || mismatches > 0 || size <= 2 ** 32) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
