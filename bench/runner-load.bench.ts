/**
 * Many-accounts load through the sync runner (issue 11, "Numbers"): N Dovecot accounts (default
 * 100: pgw1..pgwN of a Dovecot instance of its own) x 3 folders of small messages (INBOX 20,
 * Archive 13, Sent 7 per account, mean ~2 KiB: 4,000 messages for 100 accounts), synced by
 * `EmailPlugin.runSyncRunner` into one database file, each contender in its own child process:
 *
 *   - `file-8`, `file-32`: `openStore(path)` — the default page-level file engine — with
 *     `maxConcurrency` 8 and 32;
 *   - `sqljs-8`, `sqljs-32` (the peer): `openStore(path, { engine: 'sqljs' })` with its documented
 *     defaults (docs/store.md "Persistence of the sql.js engine"): the whole database in memory,
 *     the image exported and written whole (FILE.tmp, fsync, rename) at the end of every `sync()`
 *     call and after each tick's runner-state write (both through `saveIfDirty()`), plus an
 *     autosave at most every 10 s after a transaction — i.e. about one whole-image save per job
 *     and one per tick (two per job until the runner states of a tick were written together), as
 *     a user of that engine with `runSyncRunner` gets them. `saves` counts the `saveIfDirty()` calls that
 *     saved (autosaves inside transactions are not counted).
 *
 * Jobs: one per account x folder, `maxMessages` 1000 (each job takes its folder whole), listed
 * folder by folder (INBOX of every account, then Archive, then Sent) so the jobs of one tick
 * belong to different accounts (the runner runs at most one job per account at once). One
 * `runSyncRunner` call is one tick: it runs at most `maxConcurrency` jobs and defers the rest, so
 * the child calls it again with the jobs not yet done until all are (as a service would tick).
 * Each account keeps its connection between its jobs (the plugin's default); `plugin.close()`
 * logs them out at the end.
 *
 * Per run: sync wall time (first tick to the store closed), set-up (openStore + addAccount x N)
 * and the whole child process as the parent sees it; peak RSS of the child process (max of
 * `process.memoryUsage().rss` sampled every 50 ms and `process.resourceUsage().maxRSS`: the whole
 * process, MIME worker thread included); bytes written (`wchar` of the child's /proc/self/io, from
 * before openStore to after close: database pages, journal, lock file, images; the file engine's
 * share split into database file and rollback journal, with its count of write transactions, by
 * wrapping the node:fs calls of SQLite's VFS); the final
 * database size (file + `-journal` / `-wal` if any); written / final size; and, read back from the
 * file by the parent after the child exited, live locations per account x folder against what was
 * delivered (missing / extra) and message rows. Then the ratios (file engine vs the sql.js peer at
 * the same concurrency; concurrency 8 vs 32 per engine) and the issue's goals beside the figures.
 * Writes bench/results/runner-load-<date>.json (`-<N>acc` appended when N is not 100). Never part
 * of npm test.
 *
 *   npm run bench:runner -- [--accounts 100] [--skip-fill] [--only file-8,sqljs-8,file-32,sqljs-32]
 *                           [--keep-dovecot]
 *
 * Its own Dovecot (test/servers/dovecot.sh): PRX_DOVECOT_DIR (default .dovecot-runner in the
 * repository), PRX_DOVECOT_IMAPS_PORT / PRX_DOVECOT_IMAP_PORT (default 27993 / 27143); stopped at
 * the end unless --keep-dovecot. `--skip-fill` reuses the mailboxes of an earlier run (filling
 * resets each user and delivers with one `doveadm` call per folder). At most 200 accounts (the
 * pgw users the script provisions; PRX_DOVECOT_PGW_USERS raises that).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, type PathLike } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSampleMail } from '../scripts/sample-mail.js';
import { openStore, type Store } from '../src/store/index.js';
import { EmailPlugin } from '../src/sync/email-plugin.js';
import type { SyncJob } from '../src/sync/runner.js';
import { caPem, deliverMessages, loadDovecotEnv, resetUser, startDovecot, type DovecotEnv } from '../test/servers/dovecot-env.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FOLDERS = { INBOX: 20, Archive: 13, Sent: 7 } as const;
const MESSAGES_PER_ACCOUNT = Object.values(FOLDERS).reduce((a, b) => a + b, 0);
const RESULT_PREFIX = 'PRX_RUNNER_RESULT ';
/** The issue's figure for this load with the old store (sql.js image saved after every job). */
const OLD_WALL_S = 32;
const GOAL_SPEEDUP = 3;
const GOAL_PEAK_RSS_MB = 200;
const GOAL_WRITTEN_PER_SIZE = 3;
const MB = 1024 * 1024;

type EngineKind = 'file' | 'sqljs';

interface Contender {
  id: string;
  engine: EngineKind;
  concurrency: number;
  label: string;
}

const CONTENDERS: Contender[] = [
  { id: 'file-8', engine: 'file', concurrency: 8, label: 'file engine, maxConcurrency 8' },
  { id: 'sqljs-8', engine: 'sqljs', concurrency: 8, label: 'sql.js + image saves, maxConcurrency 8' },
  { id: 'file-32', engine: 'file', concurrency: 32, label: 'file engine, maxConcurrency 32' },
  { id: 'sqljs-32', engine: 'sqljs', concurrency: 32, label: 'sql.js + image saves, maxConcurrency 32' },
];

/** What a child prints as one `PRX_RUNNER_RESULT` JSON line. */
interface ChildResult {
  setupMs: number;
  syncMs: number;
  ticks: number;
  jobs: number;
  jobsOk: number;
  failures: string[];
  newMessages: number;
  peakRssSampled: number;
  maxRss: number;
  wcharBytes: number;
  /** write_bytes of /proc/self/io: what reached the block layer (0 on some file systems). */
  blockWriteBytes: number;
  /** Bytes SQLite's file VFS wrote to the database file and to its rollback journal (file
   * engine; counted by wrapping the VFS's node:fs calls), and how many journals it opened (one
   * per write transaction). The rest of wchar is the lock file, sql.js images and stdout. */
  vfsWrites: { db: number; journal: number; journalsOpened: number };
  saves: number;
  saveMs: number;
  lastImageBytes: number | null;
}

interface RunResult {
  id: string;
  label: string;
  engine: EngineKind;
  concurrency: number;
  ok: boolean;
  error?: string;
  processWallMs: number;
  child?: ChildResult;
  peakRssBytes: number;
  writtenBytes: number;
  finalDbBytes: number;
  finalDbFiles: Record<string, number>;
  writtenPerFinalSize: number;
  delivered: number;
  liveLocations: number;
  messageRows: number;
  missing: number;
  extra: number;
  /** account/folder pairs whose count differs from what was delivered. */
  mismatches: string[];
}

const argValue = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const userNames = (accounts: number): string[] => Array.from({ length: accounts }, (_, i) => `pgw${i + 1}`);

/**
 * Counts what node-sqlite3-wasm's VFS writes, per target: it calls `fs.openSync` / `fs.writeSync`
 * on the CommonJS `node:fs` object at call time, so wrapping them there sees every page and
 * journal write (our own modules' named imports are not affected).
 */
function countVfsWrites(dbPath: string): { db: number; journal: number; journalsOpened: number } {
  const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
  const counts = { db: 0, journal: 0, journalsOpened: 0 };
  const target = new Map<number, 'db' | 'journal'>();
  const dbFile = resolve(dbPath);
  const open = fs.openSync;
  const write = fs.writeSync;
  fs.openSync = ((path: PathLike, ...rest: unknown[]) => {
    const fd = (open as (...args: unknown[]) => number)(path, ...rest);
    const name = resolve(String(path));
    if (name === dbFile) target.set(fd, 'db');
    else if (name === `${dbFile}-journal`) {
      target.set(fd, 'journal');
      counts.journalsOpened++;
    } else target.delete(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    const written = (write as (...args: unknown[]) => number)(fd, ...rest);
    const kind = target.get(fd);
    if (kind) counts[kind] += written;
    return written;
  }) as typeof fs.writeSync;
  return counts;
}

function readIo(): { wchar: number; writeBytes: number } {
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { wchar: field('wchar'), writeBytes: field('write_bytes') };
}

/** The child: one contender's whole sync, measured from inside. */
async function runChild(engine: EngineKind, concurrency: number, dbPath: string, accounts: number): Promise<void> {
  const env = loadDovecotEnv();
  const ca = caPem(env);
  const users = userNames(accounts);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const vfsWrites = countVfsWrites(dbPath);
  const io0 = readIo();
  const started = performance.now();
  const opened = await openStore(dbPath, engine === 'sqljs' ? { engine: 'sqljs' } : {});
  let saves = 0;
  let saveMs = 0;
  // The plugin saves through saveIfDirty(): count the calls that saved (sql.js only; the file
  // engine is never dirty).
  const store: Store = {
    ...opened,
    saveIfDirty: async () => {
      const t = performance.now();
      const saved = await opened.saveIfDirty();
      if (saved) {
        saves++;
        saveMs += performance.now() - t;
      }
      return saved;
    },
  };
  const plugin = new EmailPlugin({ store });
  const ids: number[] = [];
  for (const user of users) {
    ids.push(await plugin.addAccount({ email: `${user}@test`, imap: { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] ?? '' }, tls: { ca } } }));
  }
  const setupDone = performance.now();
  const jobs: SyncJob[] = Object.keys(FOLDERS).flatMap((folder) => ids.map((accountId) => ({ accountId, folder, maxMessages: 1000 })));
  let remaining = jobs;
  let ticks = 0;
  let newMessages = 0;
  const failures: string[] = [];
  while (remaining.length > 0 && ticks < jobs.length * 2) {
    const report = await plugin.runSyncRunner(remaining, Math.floor(Date.now() / 1000), { maxConcurrency: concurrency });
    ticks++;
    const done = new Set<string>();
    for (const result of report.results) {
      if (result.status === 'ok') {
        done.add(result.key);
        newMessages += result.result?.newMessages ?? 0;
      } else if (result.status === 'failed') failures.push(`${result.key}: ${result.error?.code ?? '?'} ${result.error?.message ?? ''}`);
    }
    // Only failed jobs in their backoff window are left: stop, they are reported.
    if (report.attempted === 0) break;
    remaining = remaining.filter((job) => !done.has(`${job.accountId}::${job.folder}`));
  }
  await plugin.close();
  const lastImageBytes = opened.db.lastSave?.bytes ?? null;
  await opened.close();
  const finished = performance.now();
  clearInterval(sampler);
  const io1 = readIo();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const result: ChildResult = {
    setupMs: Math.round(setupDone - started),
    syncMs: Math.round(finished - setupDone),
    ticks,
    jobs: jobs.length,
    jobsOk: jobs.length - remaining.length,
    failures,
    newMessages,
    peakRssSampled: peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    wcharBytes: io1.wchar - io0.wchar,
    blockWriteBytes: io1.writeBytes - io0.writeBytes,
    vfsWrites,
    saves,
    saveMs: Math.round(saveMs),
    lastImageBytes,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

function spawnChild(contender: Contender, dbPath: string, accounts: number): Promise<{ wallMs: number; code: number | null; stdout: string; stderr: string }> {
  const script = fileURLToPath(import.meta.url);
  const args = [script, '--child', `${contender.engine}:${contender.concurrency}`, '--db', dbPath, '--accounts', String(accounts)];
  return new Promise((resolveRun) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolveRun({ wallMs: performance.now() - started, code, stdout, stderr }));
  });
}

/** Live locations per account x folder, read back from the file the child left. */
async function verify(engine: EngineKind, dbPath: string, users: string[]): Promise<Pick<RunResult, 'liveLocations' | 'messageRows' | 'missing' | 'extra' | 'mismatches'>> {
  const store = await openStore(dbPath, engine === 'sqljs' ? { engine: 'sqljs', autosaveIntervalMs: null } : {});
  try {
    const rows = await store.db.all(
      `SELECT a.email AS email, f.name AS name, COUNT(l.id) AS live, COUNT(DISTINCT l.uid) AS uids
         FROM folders f JOIN accounts a ON a.id = f.account_id
         LEFT JOIN message_locations l ON l.folder_id = f.id AND l.deleted_at IS NULL
        GROUP BY a.email, f.name`,
    );
    const seen = new Map(rows.map((row) => [`${String(row.email)}/${String(row.name)}`, { live: Number(row.live), uids: Number(row.uids) }]));
    const expected = new Map<string, number>();
    for (const user of users) for (const [folder, count] of Object.entries(FOLDERS)) expected.set(`${user}@test/${folder}`, count);
    let missing = 0;
    let extra = 0;
    const mismatches: string[] = [];
    for (const [key, count] of expected) {
      const got = seen.get(key) ?? { live: 0, uids: 0 };
      missing += Math.max(0, count - got.uids);
      extra += Math.max(0, got.live - count);
      if (got.live !== count || got.uids !== count) mismatches.push(`${key}: ${got.live} live (${got.uids} UIDs), ${count} delivered`);
    }
    for (const [key, got] of seen) {
      if (!expected.has(key) && got.live > 0) {
        extra += got.live;
        mismatches.push(`${key}: ${got.live} live, folder not delivered to`);
      }
    }
    const liveLocations = [...seen.values()].reduce((sum, got) => sum + got.live, 0);
    const messageRows = Number((await store.db.one('SELECT COUNT(*) AS n FROM messages'))?.n ?? 0);
    return { liveLocations, messageRows, missing, extra, mismatches };
  } finally {
    await store.close();
  }
}

function dbFiles(dbPath: string): Record<string, number> {
  const files: Record<string, number> = {};
  for (const suffix of ['', '-journal', '-wal', '-shm', '.tmp']) {
    const path = `${dbPath}${suffix}`;
    if (existsSync(path)) files[suffix === '' ? 'db' : suffix.slice(1)] = statSync(path).size;
  }
  return files;
}

async function runContender(contender: Contender, workRoot: string, users: string[]): Promise<RunResult> {
  const work = join(workRoot, contender.id);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const dbPath = join(work, 'mail.db');
  const out = await spawnChild(contender, dbPath, users.length);
  const line = out.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  const child = line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult) : undefined;
  const finalDbFiles = dbFiles(dbPath);
  const finalDbBytes = (finalDbFiles.db ?? 0) + (finalDbFiles.journal ?? 0) + (finalDbFiles.wal ?? 0);
  const delivered = users.length * MESSAGES_PER_ACCOUNT;
  const base = {
    id: contender.id,
    label: contender.label,
    engine: contender.engine,
    concurrency: contender.concurrency,
    processWallMs: Math.round(out.wallMs),
    peakRssBytes: child ? Math.max(child.peakRssSampled, child.maxRss) : NaN,
    writtenBytes: child?.wcharBytes ?? NaN,
    finalDbBytes,
    finalDbFiles,
    writtenPerFinalSize: child && finalDbBytes > 0 ? child.wcharBytes / finalDbBytes : NaN,
    delivered,
  };
  if (out.code !== 0 || !child) {
    rmSync(work, { recursive: true, force: true });
    return { ...base, ok: false, error: `exit ${out.code}: ${(out.stderr || out.stdout).trim().slice(-800)}`, liveLocations: 0, messageRows: 0, missing: delivered, extra: 0, mismatches: [] };
  }
  const checked = await verify(contender.engine, dbPath, users);
  rmSync(work, { recursive: true, force: true });
  const problems = [...child.failures.slice(0, 5), ...(checked.missing + checked.extra > 0 ? [`${checked.missing} missing, ${checked.extra} extra`] : [])];
  return { ...base, ok: problems.length === 0, ...(problems.length > 0 ? { error: problems.join('; ') } : {}), child, ...checked };
}

function fill(env: DovecotEnv, users: string[]): number {
  const started = Date.now();
  users.forEach((user, u) => {
    resetUser(env, user);
    Object.entries(FOLDERS).forEach(([folder, count], f) =>
      deliverMessages(env, user, folder, generateSampleMail(count, { seed: 70_000 + u * 10 + f, meanSize: 2000, domain: `${user}.test` })),
    );
  });
  return Date.now() - started;
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const pad = (cells: string[], widths: number[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');

function table(runs: RunResult[]): string {
  const header = ['contender', 'sync s', 'setup s', 'process s', 'ticks', 'peak RSS MB', 'written MB', 'final db MB', 'written/db', 'saves', 'stored/delivered', 'message rows', 'missing', 'extra'];
  const rows = runs.map((r) => [
    r.label,
    fmt((r.child?.syncMs ?? NaN) / 1000, 2),
    fmt((r.child?.setupMs ?? NaN) / 1000, 2),
    fmt(r.processWallMs / 1000, 2),
    String(r.child?.ticks ?? '–'),
    fmt(r.peakRssBytes / MB, 0),
    fmt(r.writtenBytes / MB, 1),
    fmt(r.finalDbBytes / MB, 2),
    `${fmt(r.writtenPerFinalSize, 2)}x`,
    String(r.child?.saves ?? '–'),
    `${r.liveLocations}/${r.delivered}`,
    String(r.messageRows),
    String(r.missing),
    String(r.extra),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [pad(header, widths), ...rows.map((row) => pad(row, widths))].join('\n');
}

interface Ratios {
  fileVsSqljs: Record<string, { speed: number; rss: number; written: number }>;
  c8VsC32: Record<string, number>;
}

function ratios(runs: RunResult[]): Ratios {
  const find = (engine: EngineKind, concurrency: number): RunResult | undefined => runs.find((r) => r.engine === engine && r.concurrency === concurrency && r.child);
  const out: Ratios = { fileVsSqljs: {}, c8VsC32: {} };
  for (const concurrency of [8, 32]) {
    const file = find('file', concurrency);
    const sqljs = find('sqljs', concurrency);
    if (file?.child && sqljs?.child) {
      out.fileVsSqljs[`c${concurrency}`] = {
        speed: sqljs.child.syncMs / file.child.syncMs,
        rss: file.peakRssBytes / sqljs.peakRssBytes,
        written: file.writtenBytes / sqljs.writtenBytes,
      };
    }
  }
  for (const engine of ['file', 'sqljs'] as const) {
    const c8 = find(engine, 8);
    const c32 = find(engine, 32);
    if (c8?.child && c32?.child) out.c8VsC32[engine] = c32.child.syncMs / c8.child.syncMs;
  }
  return out;
}

function writtenBreakdown(r: RunResult): string {
  const child = r.child as ChildResult;
  const { db, journal, journalsOpened } = child.vfsWrites;
  const other = child.wcharBytes - db - journal;
  if (r.engine === 'sqljs') {
    return `${r.id} written: ${fmt(child.wcharBytes / MB, 1)} MB, mostly whole images: ${child.saves} saves through saveIfDirty() taking ${fmt(child.saveMs / 1000, 2)} s (last image ${fmt((child.lastImageBytes ?? NaN) / MB, 2)} MB)`;
  }
  const perTx = journalsOpened > 0 ? ` in ${journalsOpened} write transactions (${fmt((db + journal) / journalsOpened / 1024, 1)} KiB each)` : '';
  return `${r.id} written: database file ${fmt(db / MB, 1)} MB + rollback journal ${fmt(journal / MB, 1)} MB${perTx}; other ${fmt(other / MB, 2)} MB (lock file, output)`;
}

function goalLines(runs: RunResult[], accounts: number): string[] {
  const lines: string[] = [];
  const scale = accounts === 100 ? '' : ` (the goal is for 100 accounts; at ${accounts} the same rate would be ≤ ${fmt((OLD_WALL_S / GOAL_SPEEDUP) * (accounts / 100), 2)} s, indicative only)`;
  const c8 = runs.filter((r) => r.concurrency === 8 && r.child);
  for (const r of c8) {
    const s = (r.child?.syncMs ?? NaN) / 1000;
    const verdict = accounts === 100 ? (OLD_WALL_S / s >= GOAL_SPEEDUP ? 'met' : 'missed') : 'n/a';
    lines.push(`goal: concurrency 8 ≥ ${GOAL_SPEEDUP}x faster than ${OLD_WALL_S} s (≤ ${fmt(OLD_WALL_S / GOAL_SPEEDUP, 1)} s): ${r.id} ${fmt(s, 2)} s = ${fmt(OLD_WALL_S / s, 2)}x the old figure — ${verdict}${scale}`);
  }
  for (const r of runs.filter((x) => x.child)) {
    lines.push(
      `goal: peak RSS < ${GOAL_PEAK_RSS_MB} MB: ${r.id} ${fmt(r.peakRssBytes / MB, 0)} MB — ${r.peakRssBytes / MB < GOAL_PEAK_RSS_MB ? 'met' : 'missed'};` +
        ` bytes written ≤ ${GOAL_WRITTEN_PER_SIZE}x final size: ${fmt(r.writtenPerFinalSize, 2)}x — ${r.writtenPerFinalSize <= GOAL_WRITTEN_PER_SIZE ? 'met' : 'missed'}`,
    );
  }
  return lines;
}

async function runParent(): Promise<void> {
  const accounts = Number(argValue('accounts') ?? 100);
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error('--accounts must be a positive integer');
  process.env.PRX_DOVECOT_DIR ??= join(repoRoot, '.dovecot-runner');
  process.env.PRX_DOVECOT_IMAPS_PORT ??= '27993';
  process.env.PRX_DOVECOT_IMAP_PORT ??= '27143';
  const only = argValue('only')?.split(',');
  const contenders = CONTENDERS.filter((c) => !only || only.includes(c.id));
  if (contenders.length === 0) throw new Error(`--only: none of ${CONTENDERS.map((c) => c.id).join(', ')}`);
  const startedAt = new Date();
  const loadAtStart = loadavg().map((l) => +l.toFixed(2));
  const env = startDovecot();
  const users = userNames(accounts);
  if (users.some((user) => env.users[user] === undefined)) throw new Error(`Dovecot has no user ${users.find((u) => env.users[u] === undefined)}: at most PRX_DOVECOT_PGW_USERS (200) accounts`);
  const fillMs = process.argv.includes('--skip-fill') ? null : fill(env, users);
  console.error(fillMs === null ? 'fill skipped (--skip-fill)' : `filled ${accounts} accounts x ${Object.keys(FOLDERS).length} folders in ${fmt(fillMs / 1000, 1)} s`);
  const workRoot = join(repoRoot, 'bench/results/tmp/runner-load');
  const runs: RunResult[] = [];
  for (const contender of contenders) {
    const run = await runContender(contender, workRoot, users);
    console.error(
      `${contender.id}: ${run.ok ? 'ok' : `FAILED ${run.error ?? ''}`}, sync ${fmt((run.child?.syncMs ?? NaN) / 1000, 2)} s, process ${fmt(run.processWallMs / 1000, 2)} s, ` +
        `peak RSS ${fmt(run.peakRssBytes / MB, 0)} MB, written ${fmt(run.writtenBytes / MB, 1)} MB for ${fmt(run.finalDbBytes / MB, 2)} MB (${fmt(run.writtenPerFinalSize, 2)}x), ` +
        `${run.liveLocations}/${run.delivered} stored, ${run.missing} missing, ${run.extra} extra`,
    );
    runs.push(run);
  }
  rmSync(workRoot, { recursive: true, force: true });
  const loadAtEnd = loadavg().map((l) => +l.toFixed(2));
  const computed = ratios(runs);
  const delivered = accounts * MESSAGES_PER_ACCOUNT;
  const lines = [
    `runner load: ${accounts} accounts x ${Object.keys(FOLDERS).length} folders (${Object.entries(FOLDERS).map(([f, n]) => `${f} ${n}`).join(', ')}), ${delivered} messages, ` +
      `${accounts * Object.keys(FOLDERS).length} jobs; node ${process.version}, ${cpus().length} CPUs, load average ${loadAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end`,
    table(runs),
    '',
    ...Object.entries(computed.fileVsSqljs).map(
      ([c, r]) => `file engine vs sql.js peer at ${c}: ${fmt(r.speed, 2)}x the speed (sync wall), ${fmt(r.rss, 2)}x the peak RSS, ${fmt(r.written, 3)}x the bytes written`,
    ),
    ...Object.entries(computed.c8VsC32).map(([engine, r]) => `${engine}: concurrency 8 vs 32: ${fmt(r, 2)}x the speed of 32 (32's sync wall / 8's)`),
    ...runs.filter((r) => r.child).map((r) => writtenBreakdown(r)),
    ...goalLines(runs, accounts),
    ...runs.filter((r) => r.mismatches.length > 0).map((r) => `${r.id} mismatches: ${r.mismatches.slice(0, 10).join('; ')}${r.mismatches.length > 10 ? ` (+${r.mismatches.length - 10} more)` : ''}`),
    ...runs.filter((r) => !r.ok).map((r) => `${r.id} FAILED: ${r.error ?? ''}`),
  ];
  console.log(lines.join('\n'));
  const summary = {
    benchmark: 'runner-load',
    date: startedAt.toISOString(),
    machine: {
      cpuModel: cpus()[0]?.model,
      cpuCount: cpus().length,
      memoryGB: +(totalmem() / 1024 ** 3).toFixed(1),
      node: process.version,
      dovecot: commandOutput('dovecot', ['--version']),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAtEnd,
    },
    config: { accounts, folders: FOLDERS, messages: delivered, jobs: accounts * Object.keys(FOLDERS).length, maxMessagesPerJob: 1000, meanMessageSize: 2000, fillMs },
    definitions: {
      syncMs: 'first runSyncRunner tick to plugin.close() + store.close() done (child process)',
      setupMs: 'openStore + addAccount x N (child process)',
      processWallMs: 'child process spawn to exit, as the parent sees it',
      peakRssBytes: 'max of process.memoryUsage().rss every 50 ms and process.resourceUsage().maxRSS of the child (all threads)',
      writtenBytes: 'wchar of the child /proc/self/io from before openStore to after close',
      finalDbBytes: 'database file + -journal + -wal after the child exited',
      saves: 'saveIfDirty() calls that saved the sql.js image (autosaves inside transactions not counted)',
      sqljsPeer: "openStore(path, { engine: 'sqljs' }) with its documented defaults: image saved at the end of every sync() and after every runner-state write, autosave at most every 10 s",
    },
    goals: { oldWallS: OLD_WALL_S, speedup: GOAL_SPEEDUP, peakRssMb: GOAL_PEAK_RSS_MB, writtenPerFinalSize: GOAL_WRITTEN_PER_SIZE },
    runs,
    ratios: computed,
    report: lines,
  };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  const suffix = `${accounts === 100 ? '' : `-${accounts}acc`}${only ? `-${only.join('-')}` : ''}`;
  const out = join(repoRoot, `bench/results/runner-load-${summary.date.slice(0, 10)}${suffix}.json`);
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.error(`written ${out}`);
  if (!process.argv.includes('--keep-dovecot')) execFileSync('bash', [join(repoRoot, 'test/servers/dovecot.sh'), 'stop'], { stdio: 'inherit' });
  if (runs.some((r) => !r.ok)) process.exitCode = 1;
}

function commandOutput(file: string, args: string[]): string | null {
  try {
    return execFileSync(file, args, { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const childSpec = argValue('child');
  if (childSpec === undefined) return runParent();
  const [engine, concurrency] = childSpec.split(':');
  if (engine !== 'file' && engine !== 'sqljs') throw new Error(`--child ${childSpec}: engine must be file or sqljs`);
  return runChild(engine, Number(concurrency), argValue('db') ?? '', Number(argValue('accounts')));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
