/**
 * The sync service against the real Dovecot, in process: two accounts from a config file get
 * pushed mail into the database within 5 s while the poll interval is 300 s (so only IDLE can
 * explain it); an account with a wrong password backs off (one login attempt per connection, a
 * long wait recorded in the store and shown by `prx-email status`) while the other keeps
 * syncing; a Dovecot stopped and started again is recovered from without help and nothing
 * delivered meanwhile is missed (a second, private Dovecot instance, so the shared one stays up).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { resolveServiceAccounts } from '../../src/sync/service/accounts.js';
import { loadServiceConfig } from '../../src/sync/service/config.js';
import { createSyncService, type ServiceErrorEvent, type StateEvent, type SyncedEvent, type SyncService } from '../../src/sync/service/sync-service.js';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
const running: SyncService[] = [];
const dir = mkdtempSync(join(tmpdir(), 'prx-service-'));
chmodSync(dir, 0o755); // the private Dovecot's unprivileged processes read their config below it
const repoRoot = process.cwd();

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

function writeConfig(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function record(service: SyncService): { synced: SyncedEvent[]; errors: ServiceErrorEvent[]; states: StateEvent[] } {
  const log = { synced: [] as SyncedEvent[], errors: [] as ServiceErrorEvent[], states: [] as StateEvent[] };
  service.on('synced', (e) => log.synced.push(e));
  service.on('error', (e) => log.errors.push(e));
  service.on('state', (e) => log.states.push(e));
  return log;
}

async function inboxCount(store: Store, email: string): Promise<number> {
  const account = (await store.listAccounts()).find((a) => a.email === email);
  if (!account) return 0;
  return (await store.folderCounts(account.id)).find((f) => f.folder === 'INBOX')?.live ?? 0;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('sync service against Dovecot', () => {
  before(() => {
    env = startDovecot();
  });
  after(async () => {
    for (const service of running) await service.stop();
  });

  test('two accounts from a config file: delivered mail is in the database within 5 s by IDLE, with a 300 s poll interval', async () => {
    for (const user of ['svc1', 'svc2']) resetUser(env, user);
    deliverMessages(env, 'svc1', 'INBOX', generateSampleMail(3, { seed: 101 }));
    const configPath = writeConfig('two.json', {
      accounts: [
        { name: 'one', host: env.host, port: env.implicitPort, user: 'svc1', passwordEnv: 'SVC1_PW', ca: env.caFile, folders: ['INBOX'] },
        { name: 'two', host: env.host, port: env.implicitPort, user: 'svc2', passwordCommand: [process.execPath, '-e', `process.stdout.write(${JSON.stringify(env.users.svc2)} + '\\n')`], ca: env.caFile },
      ],
      schedule: { intervalSeconds: 300, maxConcurrency: 4 },
    });
    const config = loadServiceConfig(configPath);
    const accounts = await resolveServiceAccounts(config.accounts, { SVC1_PW: env.users.svc1 });
    const store = await openStore(':memory:');
    const service = createSyncService({ store, accounts, schedule: config.schedule, parseWorkers: 0 });
    running.push(service);
    const log = record(service);
    const changes: SyncedEvent[] = [];
    const iterating = (async () => {
      for await (const change of service.changes()) changes.push(change);
    })();
    await service.start();
    await waitFor(() => log.states.filter((s) => s.folder === 'INBOX' && s.state === 'watching').length >= 2, 10_000, 'both IDLE connections');
    await waitFor(async () => (await inboxCount(store, 'svc1')) === 3, 10_000, 'the initial sync');

    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [user, email] of [['svc1', 'svc1'], ['svc2', 'svc2']] as const) {
        const before = await inboxCount(store, email);
        const t0 = Date.now();
        deliverMessages(env, user, 'INBOX', generateSampleMail(1, { seed: 200 + round * 2 + (user === 'svc1' ? 0 : 1) }));
        await waitFor(async () => (await inboxCount(store, email)) === before + 1, 5_000, `mail for ${user} in the database`);
        latencies.push(Date.now() - t0);
      }
    }
    process.stdout.write(`# push latency delivery -> row (ms): ${latencies.join(', ')}; median ${median(latencies)}\n`);
    assert.ok(latencies.every((ms) => ms < 5_000));
    // Nothing was polled: every sync came from the start, a push or a reconnect.
    assert.deepEqual([...new Set(log.synced.map((s) => s.trigger))].filter((t) => t !== 'start' && t !== 'push'), []);
    assert.equal(log.errors.length, 0, JSON.stringify(log.errors));
    // The iterator saw each delivery (and the initial 3 messages of svc1).
    await waitFor(() => changes.reduce((sum, c) => sum + c.new, 0) === 9, 2_000, 'the changes iterator');
    assert.deepEqual(service.status().map((a) => [a.name, a.state, a.folders.map((f) => [f.folder, f.watching])]), [
      ['one', 'watching', [['INBOX', true]]],
      ['two', 'watching', [['INBOX', true]]],
    ]);
    await service.stop();
    await iterating; // the iterator ends when the service stops
    assert.equal(service.running, false);
  });

  test('a wrong password: that account backs off (AUTH, long wait, shown by status) while the other keeps syncing', async () => {
    for (const user of ['svc3', 'svc4']) resetUser(env, user);
    const dbPath = join(dir, 'auth.db');
    const store = await openStore(dbPath);
    const config = loadServiceConfig(
      writeConfig('auth.json', {
        accounts: [
          { name: 'bad', host: env.host, port: env.implicitPort, user: 'svc3', passwordEnv: 'BAD_PW', ca: env.caFile },
          { name: 'good', host: env.host, port: env.implicitPort, user: 'svc4', passwordEnv: 'GOOD_PW', ca: env.caFile },
        ],
        schedule: { intervalSeconds: 300, baseBackoffSeconds: 1, maxBackoffSeconds: 2, authBackoffSeconds: 600 },
      }),
    );
    const accounts = await resolveServiceAccounts(config.accounts, { BAD_PW: 'not-the-password', GOOD_PW: env.users.svc4 });
    const service = createSyncService({ store, accounts, schedule: config.schedule, parseWorkers: 0 });
    running.push(service);
    const log = record(service);
    await service.start();
    await waitFor(() => log.errors.some((e) => e.account === 'bad' && e.code === 'AUTH'), 10_000, 'the AUTH error');
    await waitFor(() => log.states.some((s) => s.account === 'good' && s.folder === 'INBOX' && s.state === 'watching'), 10_000, 'the good account watching');
    for (let i = 0; i < 3; i++) {
      const before = await inboxCount(store, 'svc4');
      deliverMessages(env, 'svc4', 'INBOX', generateSampleMail(2, { seed: 300 + i }));
      await waitFor(async () => (await inboxCount(store, 'svc4')) === before + 2, 5_000, 'mail of the good account');
    }
    // The bad account tried once per connection (sync + IDLE) and now waits the AUTH backoff.
    const authErrors = log.errors.filter((e) => e.account === 'bad');
    assert.equal(authErrors.length, 1, JSON.stringify(authErrors));
    assert.ok((authErrors[0]?.retryAt ?? 0) - Date.now() > 250_000, 'AUTH waits long (600 s with jitter)');
    assert.equal(log.states.filter((s) => s.account === 'bad' && s.folder === 'INBOX' && s.state === 'auth-failed').length, 1);
    assert.equal(log.states.filter((s) => s.account === 'bad' && s.folder === 'INBOX' && s.state === 'connecting').length, 1);
    const bad = service.status().find((a) => a.name === 'bad');
    assert.equal(bad?.state, 'auth-failed');
    assert.match(bad?.lastError ?? '', /^AUTH: /);
    await store.saveIfDirty();

    // `prx-email status` reads the same file (the service still holds it open).
    const out = execFileSync(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'status', '--db', dbPath, '--json'], { encoding: 'utf8' });
    const status = JSON.parse(out) as { accounts: Array<{ email: string; messages: number; folders: Array<{ folder: string; errorCode: string | null; nextAttemptAt: number | null; failures: number; status: string }> }> };
    const badInbox = status.accounts.find((a) => a.email === 'svc3')?.folders.find((f) => f.folder === 'INBOX');
    assert.equal(badInbox?.errorCode, 'AUTH');
    assert.equal(badInbox?.failures, 1);
    assert.equal(badInbox?.status, 'error');
    assert.ok((badInbox?.nextAttemptAt ?? 0) > Date.now() / 1000 + 250);
    const good = status.accounts.find((a) => a.email === 'svc4');
    assert.equal(good?.messages, 6);
    assert.equal(good?.folders.find((f) => f.folder === 'INBOX')?.errorCode, null);
    const table = execFileSync(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'status', '--db', dbPath], { encoding: 'utf8' });
    assert.match(table, /svc3: 0 messages, 1 folders, 1 failing/);
    assert.match(table, /INBOX +0 +0 +error .*AUTH: /);
    await service.stop();
    await store.close();
  });

  test('a clock jump (suspend/resume) re-syncs every folder on fresh connections and push keeps working', async () => {
    resetUser(env, 'svc12');
    deliverMessages(env, 'svc12', 'INBOX', generateSampleMail(2, { seed: 450 }));
    let offset = 0;
    const store = await openStore(':memory:');
    const accounts = await resolveServiceAccounts(
      loadServiceConfig(writeConfig('wake.json', { accounts: [{ name: 'w', host: env.host, port: env.implicitPort, user: 'svc12', passwordEnv: 'PW', ca: env.caFile }] })).accounts,
      { PW: env.users.svc12 },
    );
    const service = createSyncService({ store, accounts, schedule: { intervalSeconds: 300 }, parseWorkers: 0, wake: { tickMs: 20, thresholdMs: 5_000, now: () => Date.now() + offset } });
    running.push(service);
    const log = record(service);
    await service.start();
    await waitFor(async () => (await inboxCount(store, 'svc12')) === 2 && log.states.some((s) => s.folder === 'INBOX' && s.state === 'watching'), 10_000, 'sync and IDLE');
    assert.equal(log.synced.filter((s) => s.trigger === 'wake').length, 0);
    offset += 3_600_000; // the machine slept an hour
    await waitFor(() => log.synced.some((s) => s.trigger === 'wake' && s.folder === 'INBOX'), 5_000, 'the re-sync after the wake');
    deliverMessages(env, 'svc12', 'INBOX', generateSampleMail(1, { seed: 451 }));
    await waitFor(async () => (await inboxCount(store, 'svc12')) === 3, 5_000, 'pushed mail after the wake');
    assert.equal(log.errors.length, 0, JSON.stringify(log.errors));
    await service.stop();
  });

  describe('with a private Dovecot that is stopped and started again', () => {
    const privateDir = join(dir, 'dovecot');
    const script = join(repoRoot, 'test/servers/dovecot.sh');
    const privateEnv = {
      ...process.env,
      PRX_DOVECOT_DIR: privateDir,
      PRX_DOVECOT_IMAPS_PORT: String(Number(process.env.PRX_DOVECOT_IMAPS_PORT ?? 19993) + 2),
      PRX_DOVECOT_IMAP_PORT: String(Number(process.env.PRX_DOVECOT_IMAP_PORT ?? 19143) + 2),
    };
    const dovecot = (action: 'start' | 'stop'): void => {
      execFileSync('bash', [script, action], { env: privateEnv, stdio: ['ignore', 'ignore', 'inherit'] });
    };
    let pEnv: DovecotEnv;
    before(() => {
      dovecot('start');
      pEnv = JSON.parse(readFileSync(join(privateDir, 'env.json'), 'utf8')) as DovecotEnv;
    });
    after(() => dovecot('stop'));

    test('the service reconnects by itself and misses nothing delivered while the server was down', async () => {
      resetUser(pEnv, 'svc5');
      deliverMessages(pEnv, 'svc5', 'INBOX', generateSampleMail(5, { seed: 400 }));
      const store = await openStore(':memory:');
      const accounts = await resolveServiceAccounts(
        loadServiceConfig(writeConfig('restart.json', { accounts: [{ name: 'r', host: pEnv.host, port: pEnv.implicitPort, user: 'svc5', passwordEnv: 'PW', ca: pEnv.caFile }] })).accounts,
        { PW: pEnv.users.svc5 },
      );
      const service = createSyncService({ store, accounts, schedule: { intervalSeconds: 300, baseBackoffSeconds: 1, maxBackoffSeconds: 2 }, parseWorkers: 0 });
      running.push(service);
      const log = record(service);
      await service.start();
      await waitFor(async () => (await inboxCount(store, 'svc5')) === 5, 10_000, 'the initial sync');
      await waitFor(() => log.states.some((s) => s.folder === 'INBOX' && s.state === 'watching'), 10_000, 'IDLE');

      dovecot('stop');
      await waitFor(() => log.states.some((s) => s.folder === 'INBOX' && s.state === 'backoff'), 10_000, 'the IDLE connection to notice');
      // Delivered while the server is down: the Maildir files are written first; the doveadm
      // call that follows (to index them) needs the running server and fails, which is fine.
      assert.throws(() => deliverMessages(pEnv, 'svc5', 'INBOX', generateSampleMail(4, { seed: 401 })), /doveadm/);
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a reconnect attempt or two fail
      dovecot('start');
      const recovery = await waitFor(async () => (await inboxCount(store, 'svc5')) === 9, 15_000, 'the messages delivered while down');
      process.stdout.write(`# recovered ${recovery} ms after Dovecot came back\n`);
      assert.ok(log.synced.some((s) => s.trigger === 'reconnect' && s.new === 4), JSON.stringify(log.synced));
      await waitFor(() => log.states.filter((s) => s.folder === 'INBOX' && s.state === 'watching').length >= 2, 10_000, 'IDLE again');
      // And push works on the new connection.
      deliverMessages(pEnv, 'svc5', 'INBOX', generateSampleMail(1, { seed: 402 }));
      await waitFor(async () => (await inboxCount(store, 'svc5')) === 10, 5_000, 'pushed mail after the restart');
      await service.stop();
    });
  });
});
