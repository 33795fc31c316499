/**
 * Idle cost of the daemon: `prx-email daemon` with N accounts (idle1..idleN of the project's
 * Dovecot, each IDLEing on INBOX and polling every 300 s) is started, and once every account is
 * watching, its CPU time (user + system, from /proc/PID/stat) and RSS are sampled for the given
 * number of minutes. Then one message is delivered to each account and the push latency
 * (delivery -> row in the database, via the daemon's JSON log) is measured.
 *   node dist/bench/service-idle.bench.js [--accounts 10] [--minutes 10] [--user-prefix idle]
 * Prints one JSON object. Never part of npm test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSampleMail } from '../scripts/sample-mail.js';
import { deliverMessages, resetUser, startDovecot } from '../test/servers/dovecot-env.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const accounts = option('--accounts', 10);
const minutes = option('--minutes', 10);
const env = startDovecot();
const dir = mkdtempSync(join(tmpdir(), 'prx-idle-'));
const prefix = process.argv.includes('--user-prefix') ? (process.argv[process.argv.indexOf('--user-prefix') + 1] as string) : 'idle';
const users = Array.from({ length: accounts }, (_, i) => `${prefix}${i + 1}`);
for (const user of users) resetUser(env, user);
const config = {
  db: join(dir, 'mail.db'),
  accounts: users.map((user) => ({ name: user, host: env.host, port: env.implicitPort, user, passwordEnv: `PW_${user}`, ca: env.caFile })),
  schedule: { intervalSeconds: 300 },
};
writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
const secrets = Object.fromEntries(users.map((user) => [`PW_${user}`, env.users[user] as string]));
const child = spawn(process.execPath, ['dist/src/cli/main.js', 'daemon', '--config', join(dir, 'config.json'), '--log-format', 'json'], {
  env: { ...process.env, ...secrets },
  stdio: ['ignore', 'ignore', 'pipe'],
});
const lines: Array<{ event?: string; account?: string; folder?: string | null; state?: string; new?: number; time: string }> = [];
let buffer = '';
const waiters: Array<() => void> = [];
child.stderr.on('data', (chunk: Buffer) => {
  buffer += chunk.toString('utf8');
  let nl: number;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    try {
      lines.push(JSON.parse(line));
    } catch {
      process.stderr.write(`${line}\n`);
    }
    for (const wake of waiters.splice(0)) wake();
  }
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 100);
    });
  }
}

function sample(): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMb: rssKb / 1024 };
}

const watching = (user: string): boolean => lines.some((l) => l.account === user && l.folder === 'INBOX' && l.state === 'watching');
const syncedAfterStart = (user: string): boolean => lines.some((l) => l.event === 'synced' && l.account === user);
await until(() => users.every((u) => watching(u) && syncedAfterStart(u)), 60_000);
await new Promise((resolve) => setTimeout(resolve, 2000));
const start = sample();
const startedAt = Date.now();
const rssSamples: number[] = [start.rssMb];
while (Date.now() - startedAt < minutes * 60_000) {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  rssSamples.push(sample().rssMb);
}
const end = sample();
const idleLines = lines.length;

// Push latency: deliver one message to each account in turn, wait for its row's sync line.
const latencies: number[] = [];
for (const user of users) {
  const before = lines.length;
  const t0 = Date.now();
  deliverMessages(env, user, 'INBOX', generateSampleMail(1, { seed: Date.now() % 100000 }));
  await until(() => lines.slice(before).some((l) => l.event === 'synced' && l.account === user && (l.new ?? 0) > 0), 30_000);
  latencies.push(Date.now() - t0);
}
latencies.sort((a, b) => a - b);
child.kill('SIGTERM');
const exit = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
const result = {
  accounts,
  minutes,
  idleCpuSeconds: Number((end.cpuSeconds - start.cpuSeconds).toFixed(2)),
  cpuPercent: Number((((end.cpuSeconds - start.cpuSeconds) / ((Date.now() - startedAt) / 1000)) * 100).toFixed(3)),
  rssMbStart: Number(start.rssMb.toFixed(1)),
  rssMbEnd: Number(end.rssMb.toFixed(1)),
  rssMbMax: Number(Math.max(...rssSamples).toFixed(1)),
  logLinesWhileIdle: idleLines,
  pushLatencyMs: { median: latencies[Math.floor(latencies.length / 2)], min: latencies[0], max: latencies[latencies.length - 1], all: latencies },
  exitCode: exit,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
