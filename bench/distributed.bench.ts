/**
 * Distributed runner benchmark (issue 16): 200 Dovecot accounts (pgw1..pgw200) x 3 folders of
 * small mailboxes, synced into one PostgreSQL store by 1 worker process, then by 4 worker
 * processes, then by 4 with one of them killed with SIGKILL mid-run. Per run: wall time, jobs per
 * second, grants per worker, overlapping grants of one job (from lease_log; must be 0), live
 * locations per account x folder against what was delivered (missing / extra), duplicate rows;
 * for the kill run, the takeover latency of each job the killed worker held (grant of the heir
 * minus the kill), to compare with the lease time. Never part of npm test.
 *
 *   npm run bench:distributed -- [--accounts 200] [--lease-ms 3000] [--concurrency 4]
 *                                [--skip-fill] [--only one,four,kill]
 *
 * Uses the project's test servers (test/servers/dovecot.sh and postgres.sh; set
 * PRX_DOVECOT_IMAPS_PORT / PRX_DOVECOT_IMAP_PORT / PRX_POSTGRES_PORT to pick instances), a fresh
 * schema per run. Writes bench/results/distributed-<date>.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSampleMail } from '../scripts/sample-mail.js';
import { openStore } from '../src/store/index.js';
import { deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../test/servers/dovecot-env.js';
import { maxConcurrentPerAccount, overlappingGrants } from '../test/support/lease-log.js';
import { freshSchemaUrl } from '../test/support/postgres.js';
import { median } from './stats.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const workerScript = join(repoRoot, 'dist/src/cli/commands/worker.js');
const FOLDERS = { INBOX: 5, Archive: 3, Sent: 2 } as const;

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const accounts = arg('accounts', 200);
const leaseMs = arg('lease-ms', 3000);
const concurrency = arg('concurrency', 4);

function spawnWorker(url: string, id: string, file: string): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string; endedAt: number }> } {
  const child = spawn(process.execPath, [workerScript, '--db', url, '--worker-id', id, '--accounts', file, '--folders', Object.keys(FOLDERS).join(','),
    '--exit-when-idle', '--interval-ms', '3600000', '--lease-ms', String(leaseMs), '--concurrency', String(concurrency), '--max-messages', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { child, done: new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, out, endedAt: Date.now() }))) };
}

interface RunResult {
  workers: number;
  killed: string | null;
  wallMs: number;
  jobs: number;
  jobsPerSecond: number;
  grantsPerWorker: Record<string, number>;
  overlappingGrants: number;
  maxLeasesPerAccount: number;
  missingLocations: number;
  extraLocations: number;
  duplicateMessageRows: number;
  messages: number;
  /** Jobs whose last run failed (left in backoff when the workers exited). */
  failedJobs: number;
  takeoverMs?: { jobs: number; min: number; median: number; max: number; leaseMs: number };
}

async function run(env: DovecotEnv, users: string[], workers: number, kill: boolean): Promise<RunResult> {
  const url = freshSchemaUrl('prx_bench');
  const file = join(mkdtempSync(join(tmpdir(), 'prx-bench-accounts-')), 'accounts.json');
  writeFileSync(file, JSON.stringify(users.map((user) => ({
    email: `${user}@test`, imap: { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] }, tls: { caFile: env.caFile } },
  }))));
  // Create the schema first so the workers' start-up does not race on it.
  const store = await openStore(url);
  const started = Date.now();
  const procs = Array.from({ length: workers }, (_, i) => spawnWorker(url, `w${i + 1}`, file));
  let killedAt = 0;
  let killed: string | null = null;
  if (kill) {
    // Kill w1 once a third of the jobs have been released and w1 holds at least one lease.
    const total = users.length * Object.keys(FOLDERS).length;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const row = await store.db.one(
        `SELECT (SELECT COUNT(*) FROM lease_log WHERE released_at IS NOT NULL) AS done,
                (SELECT COUNT(*) FROM lease_log WHERE worker_id = 'w1' AND released_at IS NULL) AS held`,
      ).catch(() => undefined);
      if (row && Number(row.done) >= total / 3 && Number(row.held) > 0) break;
      if (Date.now() - started > 600_000) throw new Error('kill point never reached');
    }
    procs[0]?.child.kill('SIGKILL');
    killedAt = Date.now();
    killed = 'w1';
  }
  const results = await Promise.all(procs.map((p) => p.done));
  const wallMs = Math.max(...results.map((r) => r.endedAt)) - started;
  results.forEach((r, i) => {
    if (!(kill && i === 0) && r.code !== 0) throw new Error(`worker w${i + 1} failed: ${r.out}`);
  });
  const grants = await store.db.all('SELECT worker_id, COUNT(*) AS n FROM lease_log GROUP BY worker_id ORDER BY worker_id');
  const counts = await store.db.all(
    `SELECT a.email, f.name, COUNT(l.id) AS live, COUNT(DISTINCT l.uid) AS uids
       FROM folders f JOIN accounts a ON a.id = f.account_id
       LEFT JOIN message_locations l ON l.folder_id = f.id AND l.deleted_at IS NULL
      GROUP BY a.email, f.name`,
  );
  const seen = new Map(counts.map((c) => [`${String(c.email)}/${String(c.name)}`, c]));
  let missing = 0;
  let extra = 0;
  for (const user of users) {
    for (const [folder, expected] of Object.entries(FOLDERS)) {
      const got = seen.get(`${user}@test/${folder}`);
      const live = Number(got?.live ?? 0);
      missing += Math.max(0, expected - Number(got?.uids ?? 0));
      extra += Math.max(0, live - expected);
    }
  }
  const messages = Number((await store.db.one('SELECT COUNT(*) AS n FROM messages'))?.n);
  const duplicateRows = Number((await store.db.one('SELECT COUNT(*) - COUNT(DISTINCT (account_id, message_id)) AS n FROM messages'))?.n);
  const jobs = users.length * Object.keys(FOLDERS).length;
  const result: RunResult = {
    workers,
    killed,
    wallMs,
    jobs,
    jobsPerSecond: Math.round((jobs / (wallMs / 1000)) * 10) / 10,
    grantsPerWorker: Object.fromEntries(grants.map((g) => [String(g.worker_id), Number(g.n)])),
    overlappingGrants: await overlappingGrants(store.db),
    maxLeasesPerAccount: await maxConcurrentPerAccount(store.db),
    missingLocations: missing,
    extraLocations: extra,
    duplicateMessageRows: duplicateRows,
    messages,
    failedJobs: Number((await store.db.one('SELECT COUNT(*) AS n FROM sync_jobs WHERE failure_count > 0'))?.n),
  };
  if (kill) {
    const takeovers = await store.db.all(
      `SELECT EXTRACT(EPOCH FROM h.granted_at) * 1000 AS at FROM lease_log v JOIN lease_log h
          ON h.account_id = v.account_id AND h.folder = v.folder AND h.seq = v.seq + 1
        WHERE v.worker_id = 'w1' AND v.released_at IS NULL`,
    );
    const latencies = takeovers.map((t) => Math.round(Number(t.at) - killedAt)).sort((a, b) => a - b);
    result.takeoverMs = { jobs: latencies.length, min: latencies[0] ?? NaN, median: median(latencies), max: latencies[latencies.length - 1] ?? NaN, leaseMs };
  }
  await store.close();
  return result;
}

async function main(): Promise<void> {
  const env = startDovecot();
  const users = Array.from({ length: accounts }, (_, i) => `pgw${i + 1}`);
  const fillStarted = Date.now();
  const only = (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',');
  const wanted = (name: string) => !process.argv.includes('--only') || only.includes(name);
  if (!process.argv.includes('--skip-fill')) users.forEach((user, u) => {
    resetUser(env, user);
    Object.entries(FOLDERS).forEach(([folder, count], f) =>
      deliverMessages(env, user, folder, generateSampleMail(count, { seed: 50_000 + u * 10 + f, meanSize: 2000, domain: `${user}.test` })),
    );
  });
  console.error(`filled ${users.length} accounts x ${Object.keys(FOLDERS).length} folders in ${Date.now() - fillStarted} ms`);
  const one = wanted('one') ? await run(env, users, 1, false) : null;
  console.error(JSON.stringify(one));
  const four = wanted('four') ? await run(env, users, 4, false) : null;
  console.error(JSON.stringify(four));
  const killed = wanted('kill') ? await run(env, users, 4, true) : null;
  console.error(JSON.stringify(killed));
  const summary = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    accounts: users.length,
    folders: FOLDERS,
    messagesPerRun: users.length * Object.values(FOLDERS).reduce((a, b) => a + b, 0),
    leaseMs,
    concurrencyPerWorker: concurrency,
    runs: { oneWorker: one, fourWorkers: four, fourWorkersOneKilled: killed },
    throughputRatio4vs1: one && four ? Math.round((one.wallMs / four.wallMs) * 100) / 100 : null,
  };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  const out = join(repoRoot, `bench/results/distributed-${summary.date.slice(0, 10)}${process.argv.includes('--only') ? `-${only.join('-')}` : ''}.json`);
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
  console.error(`written ${out}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
