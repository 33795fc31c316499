/**
 * The distributed runner end to end: worker processes (`dist/src/cli/commands/worker.js`) on one
 * PostgreSQL store syncing Dovecot accounts. Several workers share the jobs with every message
 * stored exactly once and no job leased twice at once (from lease_log); a SIGKILLed worker's
 * lease expires and another worker resumes the job from the stored cursor; the per-account
 * connection cap holds across workers. Skipped (with the reason) only when PostgreSQL cannot be
 * installed or started.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';
import { maxConcurrentPerAccount, overlappingGrants } from '../support/lease-log.js';
import { freshSchemaUrl, postgresSkipReason } from '../support/postgres.js';

const workerScript = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli/commands/worker.js');
const cliScript = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
let env: DovecotEnv;

function accountsFile(users: string[], folders?: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prx-accounts-')), 'accounts.json');
  writeFileSync(
    file,
    JSON.stringify(
      users.map((user) => ({
        email: `${user}@test`,
        imap: { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] }, tls: { caFile: env.caFile } },
        ...(folders ? { folders } : {}),
      })),
    ),
  );
  return file;
}

function startWorker(url: string, workerId: string, accounts: string, extra: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const child = spawn(process.execPath, [workerScript, '--db', url, '--worker-id', workerId, '--accounts', accounts, '--exit-when-idle', '--interval-ms', '3600000', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolveDone) =>
    child.on('exit', (code, signal) => resolveDone({ code, signal, out })),
  );
  return { child, done };
}

function deliver(user: string, folder: string, count: number, seed: number): void {
  deliverMessages(env, user, folder, generateSampleMail(count, { seed, meanSize: 1500, domain: `${user}.test` }));
}

async function liveLocations(store: Store, email: string, folder: string): Promise<{ live: number; distinctUids: number }> {
  const row = await store.db.one(
    `SELECT COUNT(*) AS live, COUNT(DISTINCT l.uid) AS uids FROM message_locations l JOIN folders f ON f.id = l.folder_id
       JOIN accounts a ON a.id = f.account_id WHERE a.email = ? AND f.name = ? AND l.deleted_at IS NULL`,
    [email, folder],
  );
  return { live: Number(row?.live ?? 0), distinctUids: Number(row?.uids ?? 0) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('distributed runner: worker processes on PostgreSQL + Dovecot', { skip: postgresSkipReason() }, () => {
  before(() => {
    env = startDovecot();
  });

  test('three workers share 6 accounts x 2 folders: every message once, no job leased twice at once', async () => {
    const users = ['pgw1', 'pgw2', 'pgw3', 'pgw4', 'pgw5', 'pgw6'];
    users.forEach((user, i) => {
      resetUser(env, user);
      deliver(user, 'INBOX', 12, 1000 + i);
      deliver(user, 'Archive', 7, 2000 + i);
    });
    const url = freshSchemaUrl('prx_dist');
    const file = accountsFile(users, ['INBOX', 'Archive']);
    const workers = ['w1', 'w2', 'w3'].map((id) => startWorker(url, id, file, ['--max-messages', '5', '--lease-ms', '5000', '--concurrency', '2']));
    const results = await Promise.all(workers.map((w) => w.done));
    for (const result of results) assert.equal(result.code, 0, result.out);
    const store = await openStore(url);
    for (const user of users) {
      assert.deepEqual(await liveLocations(store, `${user}@test`, 'INBOX'), { live: 12, distinctUids: 12 });
      assert.deepEqual(await liveLocations(store, `${user}@test`, 'Archive'), { live: 7, distinctUids: 7 });
    }
    assert.equal(Number((await store.db.one('SELECT COUNT(*) AS n FROM messages'))?.n), users.length * 19);
    assert.equal(await overlappingGrants(store.db), 0);
    // 12 messages at 5 per run: 3 runs per INBOX, 2 per Archive.
    assert.equal(Number((await store.db.one('SELECT COUNT(*) AS n FROM lease_log'))?.n), users.length * 5);
    const perWorker = await store.db.all('SELECT worker_id, COUNT(*) AS n FROM lease_log GROUP BY worker_id');
    assert.ok(perWorker.length >= 2, `work was shared: ${JSON.stringify(perWorker)}`);
    await store.close();
  });

  test('a SIGKILLed worker: its lease expires, another worker resumes from the stored cursor, every message once', async () => {
    const user = 'pgw7';
    resetUser(env, user);
    deliver(user, 'INBOX', 600, 3000);
    const url = freshSchemaUrl('prx_kill');
    const file = accountsFile([user]);
    const leaseMs = 2000;
    const victim = startWorker(url, 'victim', file, ['--max-messages', '600', '--lease-ms', String(leaseMs)]);
    const store = await openStore(url);
    // Kill it once it holds the lease and has committed at least one batch.
    let stored = 0;
    for (let i = 0; i < 600; i++) {
      await sleep(25);
      stored = await store.countMessages(1).catch(() => 0);
      if (stored > 0) break;
    }
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    const killed = await victim.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(stored > 0 && stored < 600, `killed mid-job (stored ${stored})`);
    const heir = startWorker(url, 'heir', file, ['--max-messages', '600', '--lease-ms', String(leaseMs)]);
    const result = await heir.done;
    assert.equal(result.code, 0, result.out);
    assert.deepEqual(await liveLocations(store, `${user}@test`, 'INBOX'), { live: 600, distinctUids: 600 });
    assert.equal(await store.countMessages(1), 600);
    const grants = await store.db.all(
      `SELECT worker_id, seq, released_at IS NULL AS open,
              EXTRACT(EPOCH FROM (granted_at - LAG(expires_at) OVER (ORDER BY seq))) * 1000 AS after_expiry_ms,
              EXTRACT(EPOCH FROM granted_at) * 1000 AS granted_ms
         FROM lease_log ORDER BY seq`,
    );
    // The victim's last grant was still open when it died; the next grant is the heir's, made
    // only after that lease expired.
    const last = grants.map((g) => g.worker_id).lastIndexOf('victim');
    assert.ok(last >= 0, JSON.stringify(grants));
    assert.equal(grants[last]?.open as unknown, true, 'the victim never released');
    assert.equal(grants[last + 1]?.worker_id, 'heir');
    assert.ok(Number(grants[last + 1]?.after_expiry_ms) >= 0, 'taken over only after the lease expired');
    const takeoverMs = Number(grants[last + 1]?.granted_ms) - killedAt;
    assert.ok(takeoverMs <= leaseMs + 3000, `takeover ${takeoverMs} ms after the kill (lease ${leaseMs} ms)`);
    assert.equal(await overlappingGrants(store.db), 0);
    await store.close();
  });

  test('the per-account connection cap holds across two workers', async () => {
    const user = 'pgw8';
    resetUser(env, user);
    deliver(user, 'INBOX', 150, 4000);
    deliver(user, 'Archive', 150, 4001);
    deliver(user, 'Sent', 150, 4002);
    const url = freshSchemaUrl('prx_cap');
    const file = accountsFile([user], ['INBOX', 'Archive', 'Sent']);
    const workers = ['c1', 'c2'].map((id) => startWorker(url, id, file, ['--max-messages', '50', '--concurrency', '3', '--max-connections', '1']));
    for (const result of await Promise.all(workers.map((w) => w.done))) assert.equal(result.code, 0, result.out);
    const store = await openStore(url);
    assert.equal(await maxConcurrentPerAccount(store.db), 1);
    for (const folder of ['INBOX', 'Archive', 'Sent']) assert.deepEqual(await liveLocations(store, `${user}@test`, folder), { live: 150, distinctUids: 150 });
    assert.equal(await overlappingGrants(store.db), 0);
    await store.close();
  });

  test('prx-email daemon --config FILE --db postgres://… --worker-id W: two daemons share the config accounts; SIGTERM exits 0', async () => {
    const users = ['pgw9', 'pgw10'];
    users.forEach((user, i) => {
      resetUser(env, user);
      deliver(user, 'INBOX', 20, 5000 + i);
    });
    const url = freshSchemaUrl('prx_daemon');
    const dir = mkdtempSync(join(tmpdir(), 'prx-daemon-worker-'));
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        accounts: users.map((user) => ({ name: user, email: `${user}@test`, host: env.host, port: env.implicitPort, user, passwordEnv: `PW_${user.toUpperCase()}`, ca: env.caFile, folders: ['INBOX'] })),
        schedule: { intervalSeconds: 3600, maxConcurrency: 2 },
      }),
    );
    const secrets = Object.fromEntries(users.map((user) => [`PW_${user.toUpperCase()}`, env.users[user] as string]));
    const daemons = ['d1', 'd2'].map((id) => {
      const child = spawn(process.execPath, [cliScript, 'daemon', '--config', config, '--db', url, '--worker-id', id, '--log-format', 'json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...secrets },
      });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const done = new Promise<{ code: number | null; out: string }>((resolveDone) => child.on('exit', (code) => resolveDone({ code, out })));
      return { child, done, output: () => out };
    });
    const store = await openStore(url);
    const deadline = Date.now() + 60_000;
    let counts = users.map(() => ({ live: 0, distinctUids: 0 }));
    while (Date.now() < deadline) {
      counts = await Promise.all(users.map((user) => liveLocations(store, `${user}@test`, 'INBOX')));
      if (counts.every((c) => c.live === 20)) break;
      await sleep(200);
    }
    assert.deepEqual(counts, users.map(() => ({ live: 20, distinctUids: 20 })), daemons.map((d) => d.output()).join('\n'));
    assert.equal(await overlappingGrants(store.db), 0);
    for (const daemon of daemons) daemon.child.kill('SIGTERM');
    for (const result of await Promise.all(daemons.map((d) => d.done))) {
      assert.equal(result.code, 0, result.out);
      for (const user of users) assert.ok(!result.out.includes(env.users[user] as string), 'no password in the logs');
    }
    await store.close();
  });
});
