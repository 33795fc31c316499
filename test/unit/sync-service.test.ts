/**
 * The sync service (src/sync/service/) without sockets or Dovecot: `createSyncService` on the
 * real client, EmailPlugin and an in-memory store, against in-memory IMAP servers (one per host,
 * with IDLE). Guards the initial sync of two accounts, push by IDLE, polling and the concurrency
 * cap, state events and status(), an AUTH failure blocking only its account (across a restart
 * and an IDLE reconnect, until a reload corrects the password), setup and folder failures with
 * their retries (no busy loop during a backoff), the catch-up after an IDLE reconnect and after
 * a wake, stop() (nothing sent after it, a stalled sync aborted and not counted as a failure, the
 * call in flight kept, no connection for an account still being set up), reload, special-use and
 * "all" folder selection, an unsavable runner state, and the service's parts: the event hub and
 * changes(), the runtime readings, backoff codes, the wake detector, the parse pool, secrets and
 * account resolution.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { AuthError, ByeError, ConfigError, NetworkError, StorageError, ThrottledError, TlsError, isPrxError } from '../../src/errors.js';
import type { ImapClient } from '../../src/imap/session/client.js';
import type { ConnectOptions, Transport } from '../../src/imap/transport/types.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { Logger } from '../../src/sync/email-plugin.js';
import type { RunnerJobState } from '../../src/sync/runner.js';
import { accountStatus, codeOf, describeDetail, fingerprint, newAccountRuntime, nextWakeUpAt, probe, restingState, type AccountRuntime, type JobRuntime } from '../../src/sync/service/account-runtime.js';
import { resolveServiceAccount, resolveServiceAccounts } from '../../src/sync/service/accounts.js';
import { errorCode, isPermanent, retryDelaySeconds } from '../../src/sync/service/backoff.js';
import { DEFAULT_SCHEDULE, validateServiceConfig, type ServiceAccountConfig } from '../../src/sync/service/config.js';
import { resolveSecret } from '../../src/sync/service/secrets.js';
import { addSyncResult, createServiceEvents, emptySyncTotals } from '../../src/sync/service/service-events.js';
import { createServiceParsePool } from '../../src/sync/service/service-parse-pool.js';
import { startWakeDetector } from '../../src/sync/service/wake-detector.js';
import type { IdleWatcher } from '../../src/sync/service/idle-watcher.js';
import { createSyncService, type AccountStatus, type ServiceAccount, type ServiceErrorEvent, type StateEvent, type SyncedEvent, type SyncService, type SyncServiceOptions } from '../../src/sync/service/sync-service.js';
import { addMailbox, createMiniState, deliver, miniServerConnector, type MiniMailbox, type MiniServerState } from '../support/mini-imap-server.js';
import { makeRaw } from '../support/simple-parse.js';

// ---------------------------------------------------------------------------------------------
// Harness

interface Host {
  state: MiniServerState;
  connector: ReturnType<typeof miniServerConnector>;
  /** The credentials the server accepts (read at every LOGIN: change them to reject logins). */
  login: { user: string; password: string; idle: true };
  /** Connections to this host are refused (NETWORK) while true. */
  down: boolean;
}

function host(user: string, password: string): Host {
  const state = createMiniState();
  const login = { user, password, idle: true as const };
  return { state, connector: miniServerConnector(state, login), login, down: false };
}

let nextId = 1;
function mailbox(on: Host, name: string, messages: number, options: Partial<MiniMailbox> = {}): MiniMailbox {
  const box = addMailbox(on.state, name, options);
  for (let i = 0; i < messages; i++) deliver(box, makeRaw(nextId++));
  return box;
}

/** Session options routing each host name to its in-memory server. */
function route(hosts: Record<string, Host>): NonNullable<SyncServiceOptions['session']> {
  return {
    compress: false,
    connectTransport: async (options: ConnectOptions): Promise<Transport> => {
      const target = hosts[options.host];
      if (!target || target.down) throw new NetworkError(`connection to ${options.host} refused`);
      return target.connector.connect();
    },
  };
}

type Folders = ServiceAccount['folders'] | string[];

function account(name: string, hostName: string, user: string, password: string, folders: Folders, extra: Partial<ServiceAccount> = {}): ServiceAccount {
  return {
    name,
    email: `${user}@example.test`,
    imap: { host: hostName, port: 993, user, auth: { password } },
    folders: folders === 'all' ? 'all' : folders.map((f) => (typeof f === 'string' ? { kind: 'name' as const, name: f } : f)),
    ...extra,
  };
}

interface Log {
  synced: SyncedEvent[];
  errors: ServiceErrorEvent[];
  states: StateEvent[];
}

function record(service: SyncService): Log {
  const log: Log = { synced: [], errors: [], states: [] };
  service.on('synced', (e) => log.synced.push(e));
  service.on('error', (e) => log.errors.push(e));
  service.on('state', (e) => log.states.push(e));
  return log;
}

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void =>
      void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') }, lines };
}

/** Polls `check` until it holds; the deadline is generous (the machine may be loaded). */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function accountIdOf(store: Store, email: string): Promise<number> {
  const found = (await store.listAccounts()).find((a) => a.email === email);
  assert.ok(found, `account ${email} in the store`);
  return found.id;
}

async function count(store: Store, email: string, folder: string): Promise<number> {
  const found = (await store.listAccounts()).find((a) => a.email === email);
  if (!found) return 0;
  return (await store.folderCounts(found.id)).find((f) => f.folder === folder)?.live ?? 0;
}

/** What a synced event says, without its timing fields. */
function summary(e: SyncedEvent): string {
  return `${e.account}/${e.folder} ${e.trigger} +${e.new} ~${e.updated} -${e.deleted} !${e.failed} r${e.remaining}${e.uidvalidityChanged ? ' uv' : ''}`;
}

/** An account's own state changes (not its IDLE connections'), as `previous->state`. */
function accountStates(log: Log, name: string): string[] {
  return log.states.filter((s) => s.account === name && s.folder === null).map((s) => `${s.previous}->${s.state}`);
}

function watcherStates(log: Log, name: string, folder: string): string[] {
  return log.states.filter((s) => s.account === name && s.folder === folder).map((s) => `${s.previous}->${s.state}${s.code ? ` ${s.code}` : ''}`);
}

/** The live server connection of `on` that has issued IDLE. */
function idleConnection(on: Host): ReturnType<typeof miniServerConnector>['servers'][number] {
  const found = on.connector.servers.find((s) => !s.closed() && s.commands.some((c) => /^\S+ IDLE$/.test(c.text)));
  assert.ok(found, 'an IDLE connection');
  return found;
}

const created: SyncService[] = [];
function service(options: SyncServiceOptions): SyncService {
  const svc = createSyncService({ parseWorkers: 0, random: () => 0, ...options });
  created.push(svc);
  return svc;
}

// A test that failed half-way must not leave its service running into the next one.
afterEach(async () => {
  for (const svc of created.splice(0)) await svc.stop();
});

async function configError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError && error.code === 'CONFIG', String(error));
    return error.message;
  }
  assert.fail('no ConfigError');
}

// ---------------------------------------------------------------------------------------------

describe('sync service on in-memory servers', () => {
  test('two accounts: initial sync, IDLE push, status, changes() and a clean stop', async () => {
    const a = host('alice', 'pa');
    const b = host('bob', 'pb');
    const aInbox = mailbox(a, 'INBOX', 3);
    const aArchive = mailbox(a, 'Archive', 2);
    mailbox(b, 'INBOX', 1);
    const store = await openStore(':memory:');
    const { logger, lines } = recordingLogger();
    const svc = service({
      store,
      logger,
      accounts: [account('a', 'a.test', 'alice', 'pa', ['INBOX', 'Archive']), account('b', 'b.test', 'bob', 'pb', ['INBOX'])],
      session: route({ 'a.test': a, 'b.test': b }),
      schedule: { intervalSeconds: 300 },
    });
    const log = record(svc);
    const changes: SyncedEvent[] = [];
    const iterating = (async () => {
      for await (const change of svc.changes()) changes.push(change);
    })();
    assert.equal(svc.running, false);
    assert.deepEqual(svc.status(), []);
    await svc.start();
    assert.equal(svc.running, true);
    await waitFor(() => log.synced.length === 3, 'three initial syncs');
    await waitFor(() => log.states.filter((s) => s.folder === 'INBOX' && s.state === 'watching').length === 2, 'both IDLE connections');
    assert.deepEqual(log.synced.map(summary).sort(), ['a/Archive start +2 ~0 -0 !0 r0', 'a/INBOX start +3 ~0 -0 !0 r0', 'b/INBOX start +1 ~0 -0 !0 r0']);
    const idA = await accountIdOf(store, 'alice@example.test');
    const idB = await accountIdOf(store, 'bob@example.test');
    assert.notEqual(idA, idB);
    assert.ok(log.synced.every((e) => e.accountId === (e.account === 'a' ? idA : idB)));
    assert.equal(await count(store, 'alice@example.test', 'INBOX'), 3);
    assert.equal(await count(store, 'alice@example.test', 'Archive'), 2);
    assert.equal(await count(store, 'bob@example.test', 'INBOX'), 1);
    assert.ok(log.synced.every((e) => e.bytes > 0 && e.at >= e.durationMs && e.durationMs >= 0));
    assert.deepEqual(log.errors, []);
    const syncedLine = lines.find((l) => l.obj.event === 'synced' && l.obj.folder === 'Archive');
    assert.match(syncedLine?.msg ?? '', /^a\/Archive: \+2 ~0 -0 in \d+ ms \(start\)$/);

    // Push: mail for Archive (not watched), then for INBOX: only INBOX is synced.
    deliver(aArchive, makeRaw(nextId++));
    deliver(aInbox, makeRaw(nextId++));
    await waitFor(() => log.synced.length === 4, 'the pushed sync');
    await waitFor(() => svc.status().every((s) => s.folders.every((f) => !f.running)), 'no sync running');
    assert.equal(summary(log.synced[3] as SyncedEvent), 'a/INBOX push +1 ~0 -0 !0 r0');
    assert.equal(await count(store, 'alice@example.test', 'INBOX'), 4);
    assert.equal(await count(store, 'alice@example.test', 'Archive'), 2, 'Archive has no IDLE and is not due');

    const status = svc.status();
    const lastSync = status[0]?.folders[0]?.lastSyncAt ?? 0;
    assert.ok(lastSync > Date.now() - 60_000 && lastSync <= Date.now());
    const watchedFolder = { watching: true, running: false, remaining: 0, lastError: null, nextAttemptAt: null };
    assert.deepEqual(
      status.map((s) => ({ ...s, folders: s.folders.map((f) => ({ ...f, lastSyncAt: typeof f.lastSyncAt })) })),
      [
        {
          name: 'a',
          accountId: idA,
          state: 'watching',
          lastError: null,
          folders: [
            { folder: 'INBOX', ...watchedFolder, lastSyncAt: 'number' },
            { folder: 'Archive', ...watchedFolder, watching: false, lastSyncAt: 'number' },
          ],
        },
        { name: 'b', accountId: idB, state: 'watching', lastError: null, folders: [{ folder: 'INBOX', ...watchedFolder, lastSyncAt: 'number' }] },
      ],
    );
    // Set up (with an IDLE connection, so watching), one sync run for the start, one for the push.
    assert.deepEqual(accountStates(log, 'a'), ['starting->watching', 'watching->syncing', 'syncing->watching', 'watching->syncing', 'syncing->watching']);
    assert.deepEqual(accountStates(log, 'b'), ['starting->watching', 'watching->syncing', 'syncing->watching']);
    assert.deepEqual(watcherStates(log, 'a', 'INBOX'), ['null->connecting', 'connecting->watching']);
    assert.ok(lines.some((l) => l.level === 'info' && l.msg === 'a: syncing'));
    assert.deepEqual({ ...svc.metrics, bytes: 0 }, { attempts: 4, successes: 4, failures: 0, messages: 7, bytes: 0 });
    assert.ok(svc.metrics.bytes > 0);

    await svc.start(); // already running: nothing happens
    assert.equal(a.state.connections, 2, 'one sync and one IDLE connection');
    await svc.stop();
    assert.equal(svc.running, false);
    await iterating; // stop() ends the iterator
    assert.deepEqual(changes.map(summary).sort(), ['a/Archive start +2 ~0 -0 !0 r0', 'a/INBOX push +1 ~0 -0 !0 r0', 'a/INBOX start +3 ~0 -0 !0 r0', 'b/INBOX start +1 ~0 -0 !0 r0']);
    assert.deepEqual(accountStates(log, 'a').at(-1), 'watching->stopped');
    assert.deepEqual(watcherStates(log, 'b', 'INBOX').at(-1), 'watching->stopped');
    assert.deepEqual(svc.status(), []);
    // Every connection ended IDLE and logged out, and was closed.
    for (const h of [a, b]) {
      assert.equal(h.state.commands.filter((c) => /^\S+ LOGOUT$/.test(c)).length, h.state.connections);
      assert.ok(h.connector.servers.every((s) => s.closed()));
      assert.equal(h.state.commands.filter((c) => c === 'DONE').length, h.state.commands.filter((c) => /^\S+ IDLE$/.test(c)).length);
    }
    assert.deepEqual(b.state.commands.filter((c) => / (IDLE|NOOP)$/.test(c)).map((c) => c.replace(/^\S+ /, '')), ['IDLE'], 'one IDLE, never refreshed or probed');
    const sent = [a.state.commands.length, b.state.commands.length];
    deliver(aInbox, makeRaw(nextId++));
    await sleep(50);
    assert.deepEqual([a.state.commands.length, b.state.commands.length], sent, 'no command after stop()');
    assert.equal(log.synced.length, 4);
    await svc.stop(); // not running: nothing happens
    assert.equal(accountStates(log, 'a').filter((s) => s.endsWith('stopped')).length, 1);
    await store.close();
  });

  test('without IDLE every folder is polled at the interval; the concurrency cap holds; changes() skips empty syncs', async () => {
    const c = host('carol', 'pc');
    const d = host('dave', 'pd');
    const inbox = mailbox(c, 'INBOX', 1);
    mailbox(d, 'INBOX', 2);
    mailbox(d, 'Lists', 1);
    const store = await openStore(':memory:');
    const svc = service({
      store,
      accounts: [account('c', 'c.test', 'carol', 'pc', ['INBOX']), account('d', 'd.test', 'dave', 'pd', ['INBOX', 'Lists'])],
      session: route({ 'c.test': c, 'd.test': d }),
      schedule: { idle: false, intervalSeconds: 0.2, maxConcurrency: 1 },
    });
    const log = record(svc);
    const runningAtSynced: number[] = [];
    svc.on('synced', () => runningAtSynced.push(svc.status().flatMap((s) => s.folders).filter((f) => f.running).length));
    const changes: SyncedEvent[] = [];
    const iterating = (async () => {
      for await (const change of svc.changes()) changes.push(change);
    })();
    await svc.start();
    await waitFor(() => log.synced.filter((e) => e.trigger === 'start').length === 3, 'the initial syncs');
    deliver(inbox, makeRaw(nextId++));
    await waitFor(() => log.synced.some((e) => summary(e) === 'c/INBOX poll +1 ~0 -0 !0 r0'), 'the polled message');
    const at = log.synced.findIndex((e) => e.new === 1 && e.trigger === 'poll');
    await waitFor(() => log.synced.slice(at + 1).some((e) => e.account === 'c' && e.trigger === 'poll' && e.new === 0), 'an empty poll after it');
    assert.equal(await count(store, 'carol@example.test', 'INBOX'), 2);
    const resting = (): string => JSON.stringify(svc.status().map((s) => [s.name, s.state, s.folders.map((f) => f.watching)]));
    await waitFor(() => resting() === JSON.stringify([['c', 'polling', [false]], ['d', 'polling', [false, false]]]), `both accounts polling (${resting()})`);
    await svc.stop();
    await iterating;
    assert.deepEqual(changes.map(summary).sort(), ['c/INBOX poll +1 ~0 -0 !0 r0', 'c/INBOX start +1 ~0 -0 !0 r0', 'd/INBOX start +2 ~0 -0 !0 r0', 'd/Lists start +1 ~0 -0 !0 r0']);
    assert.deepEqual(accountStates(log, 'c').slice(0, 3), ['starting->polling', 'polling->syncing', 'syncing->polling']);
    assert.deepEqual(accountStates(log, 'c').at(-1), 'polling->stopped');
    assert.ok(runningAtSynced.length >= 5);
    assert.deepEqual([...new Set(runningAtSynced)], [1], 'one sync at a time (maxConcurrency 1)');
    assert.ok(![...c.state.commands, ...d.state.commands].some((cmd) => /IDLE/.test(cmd)), 'no IDLE');
    assert.equal(c.state.connections, 1, 'one connection, reused by every poll');
    assert.deepEqual(log.errors, []);
    await store.close();
  });

  test('a wrong password: that account waits the AUTH backoff (stored, shown by status, kept across a restart) while the other syncs; a reload with the right one retries at once', async () => {
    const good = host('gina', 'right');
    const bad = host('bert', 'right');
    const goodInbox = mailbox(good, 'INBOX', 2);
    mailbox(bad, 'INBOX', 1);
    const store = await openStore(':memory:');
    const schedule = { intervalSeconds: 300, baseBackoffSeconds: 1, maxBackoffSeconds: 2, authBackoffSeconds: 600 };
    const accounts = [account('bad', 'bad.test', 'bert', 'wrong', ['INBOX']), account('good', 'good.test', 'gina', 'right', ['INBOX'])];
    const session = route({ 'good.test': good, 'bad.test': bad });
    const svc = service({ store, accounts, session, schedule });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.errors.length === 1 && watcherStates(log, 'bad', 'INBOX').length === 2, 'the AUTH failure of both connections');
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'good', 'INBOX').length === 2, 'the good account synced and watching');
    deliver(goodInbox, makeRaw(nextId++));
    await waitFor(() => log.synced.length === 2, 'the good account pushed');
    assert.deepEqual(log.synced.map(summary), ['good/INBOX start +2 ~0 -0 !0 r0', 'good/INBOX push +1 ~0 -0 !0 r0']);
    assert.equal(await count(store, 'gina@example.test', 'INBOX'), 3);

    const [error] = log.errors;
    assert.deepEqual({ ...error, retryAt: 0 }, { account: 'bad', folder: 'INBOX', code: 'AUTH', message: 'LOGIN rejected: wrong', retryAt: 0 });
    const waitMs = (error?.retryAt ?? 0) - Date.now();
    assert.ok(waitMs > 500_000 && waitMs <= 601_000, `AUTH waits authBackoffSeconds (${waitMs} ms)`);
    assert.deepEqual(accountStates(log, 'bad'), ['starting->watching', 'watching->syncing', 'syncing->auth-failed']);
    assert.deepEqual(
      log.states
        .filter((s) => s.account === 'bad' && s.state === 'auth-failed')
        .map((s) => `${s.folder} ${s.code} ${typeof s.retryAt}`)
        .sort(),
      ['INBOX AUTH number', 'null AUTH number'],
    );
    assert.deepEqual(watcherStates(log, 'bad', 'INBOX'), ['null->connecting', 'connecting->auth-failed AUTH']);
    const watcherWait = (log.states.find((s) => s.folder === 'INBOX' && s.state === 'auth-failed')?.retryAt ?? 0) - Date.now();
    assert.ok(watcherWait > 500_000 && watcherWait <= 600_000, `the IDLE connection waits authBackoffSeconds too (${watcherWait} ms)`);
    assert.equal(bad.state.connections, 2, 'one login attempt per connection, then the long wait');
    assert.equal(bad.state.commands.filter((c) => / LOGIN /.test(c)).length, 2);

    const idBad = await accountIdOf(store, 'bert@example.test');
    const stored = (await store.getRunnerState(`${idBad}::INBOX`)) as RunnerJobState;
    assert.equal(stored.failureCount, 1);
    assert.equal(stored.lastError, 'AUTH: LOGIN rejected: wrong');
    assert.equal(stored.nextAllowedAt * 1000, error?.retryAt);
    assert.deepEqual(svc.status().find((s) => s.name === 'bad'), {
      name: 'bad',
      accountId: idBad,
      state: 'auth-failed',
      lastError: 'AUTH: LOGIN rejected: wrong',
      folders: [{ folder: 'INBOX', watching: true, running: false, lastSyncAt: null, remaining: null, lastError: 'AUTH: LOGIN rejected: wrong', nextAttemptAt: stored.nextAllowedAt * 1000 }],
    });
    await waitFor(() => svc.status().find((s) => s.name === 'good')?.state === 'watching', 'the good account resting');
    assert.deepEqual({ ...svc.metrics, bytes: 0 }, { attempts: 3, successes: 2, failures: 1, messages: 3, bytes: 0 });
    await svc.stop();

    // A restart remembers the rejection: no login for the bad account until the wait is over.
    const again = service({ store, accounts, session, schedule });
    const log2 = record(again);
    await again.start();
    await waitFor(() => log2.synced.length === 1, 'the good account synced again');
    assert.equal(summary(log2.synced[0] as SyncedEvent), 'good/INBOX start +0 ~0 -0 !0 r0');
    assert.deepEqual(
      log2.states.filter((s) => s.account === 'bad'),
      [{ account: 'bad', folder: null, state: 'auth-failed', previous: 'starting', code: 'AUTH', retryAt: stored.nextAllowedAt * 1000 }],
      'blocked at once, no IDLE connection',
    );
    assert.equal(again.status().find((s) => s.name === 'bad')?.lastError, 'AUTH: LOGIN rejected: wrong');
    assert.equal(bad.state.connections, 2, 'no new login');
    assert.deepEqual(log2.errors, []);

    // The corrected password is tried now, not after the stored wait.
    await again.reload({ accounts: [account('bad', 'bad.test', 'bert', 'right', ['INBOX']), accounts[1] as ServiceAccount], schedule });
    await waitFor(() => log2.synced.some((e) => e.account === 'bad'), 'the bad account synced with the new password');
    assert.equal(summary(log2.synced.find((e) => e.account === 'bad') as SyncedEvent), 'bad/INBOX start +1 ~0 -0 !0 r0');
    assert.deepEqual(accountStates(log2, 'bad').slice(0, 2), ['starting->auth-failed', 'auth-failed->stopped']);
    assert.equal(accountStates(log2, 'good').filter((s) => s.endsWith('stopped')).length, 0, 'the unchanged account kept running');
    await waitFor(async () => (await store.getRunnerState(`${idBad}::INBOX`))?.failureCount === 0, 'the success stored');
    assert.equal(await count(store, 'bert@example.test', 'INBOX'), 1);
    await again.stop();
    await store.close();
  });

  test('a setup failure backs the account off; a failing folder backs off alone and is retried', async () => {
    const h = host('erin', 'pe');
    mailbox(h, 'INBOX', 1);
    const broken = mailbox(h, 'Broken', 2, { refuse: '[SERVERBUG] cannot open' });
    mailbox(h, 'Parent', 0, { noselect: true });
    h.down = true;
    const store = await openStore(':memory:');
    const { logger, lines } = recordingLogger();
    const svc = service({ store, logger, accounts: [account('e', 'e.test', 'erin', 'pe', 'all')], session: route({ 'e.test': h }), schedule: { intervalSeconds: 300, baseBackoffSeconds: 0.1, maxBackoffSeconds: 1 } });
    const log = record(svc);
    let atFailure: AccountStatus | undefined;
    const setupFailedAt: number[] = [];
    svc.on('error', (e) => {
      if (e.folder === null) setupFailedAt.push(Date.now());
      if (setupFailedAt.length === 3) h.down = false; // the fourth setup attempt gets through
      if (e.folder !== 'Broken') return;
      atFailure = svc.status()[0];
      delete broken.refuse; // and the retry of Broken
    });
    await svc.start();
    await waitFor(() => log.errors.length === 4, 'three setup errors and the folder error');
    const refused = ['e', null, 'NETWORK', 'connection to e.test refused'];
    assert.deepEqual(
      log.errors.map((e) => [e.account, e.folder, e.code, e.message]),
      [refused, refused, refused, ['e', 'Broken', 'NO', 'EXAMINE failed: NO [SERVERBUG] cannot open']],
    );
    // Setup retries back off exponentially (jitter 0: half of 0.1 s, 0.2 s, 0.4 s), and the
    // account is left alone until then.
    [50, 100, 200].forEach((delay, i) => {
      const waited = (log.errors[i]?.retryAt ?? 0) - (setupFailedAt[i] ?? 0);
      // Both ends are read in one synchronous run (the error event); a stall there (GC, a loaded
      // machine) only shortens `waited`, hence the wide lower bound, still above the previous delay.
      assert.ok(waited > delay / 2 && waited <= delay, `setup retry ${i + 1} after ${waited} ms, not ${delay}`);
      if (i > 0) assert.ok((setupFailedAt[i] ?? 0) >= (log.errors[i - 1]?.retryAt ?? 0) - 2, `attempt ${i + 1} waited for the backoff`);
    });
    assert.deepEqual(accountStates(log, 'e').slice(0, 4), ['starting->backoff', 'backoff->backoff', 'backoff->backoff', 'backoff->watching']);
    const setupFailure = log.states.find((s) => s.code === 'NETWORK');
    assert.deepEqual({ ...setupFailure, retryAt: 0 }, { account: 'e', folder: null, state: 'backoff', previous: 'starting', code: 'NETWORK', retryAt: 0 });
    assert.equal(setupFailure?.retryAt, log.errors[0]?.retryAt);
    assert.ok(lines.some((l) => l.level === 'warn' && l.msg === 'e/Broken: NO: EXAMINE failed: NO [SERVERBUG] cannot open' && l.obj.event === 'error'));
    assert.ok(lines.some((l) => l.level === 'warn' && l.msg === 'e: NETWORK: connection to e.test refused'));
    assert.ok(log.states.some((s) => s.account === 'e' && s.folder === null && s.state === 'backoff' && s.code === 'NO' && s.retryAt === log.errors[3]?.retryAt));
    assert.equal(atFailure?.lastError, 'NO: EXAMINE failed: NO [SERVERBUG] cannot open');
    assert.deepEqual(atFailure?.folders.map((f) => [f.folder, f.lastError]), [
      ['INBOX', null],
      ['Broken', 'NO: EXAMINE failed: NO [SERVERBUG] cannot open'],
    ], '"all": every selectable folder, INBOX first');
    assert.equal(atFailure?.folders[0]?.nextAttemptAt, null);
    // The runner's backoff (at least 1 s from the start of the run) may be over already.
    assert.ok([null, log.errors[3]?.retryAt].includes(atFailure?.folders[1]?.nextAttemptAt), String(atFailure?.folders[1]?.nextAttemptAt));
    const id = await accountIdOf(store, 'erin@example.test');
    await waitFor(() => log.synced.length === 2, 'the retry of Broken');
    assert.deepEqual(log.synced.map(summary), ['e/INBOX start +1 ~0 -0 !0 r0', 'e/Broken retry +2 ~0 -0 !0 r0']);
    await waitFor(() => svc.status()[0]?.state === 'watching', 'the account resting again');
    const healed = svc.status()[0];
    assert.equal(healed?.lastError, 'NO: EXAMINE failed: NO [SERVERBUG] cannot open', 'the last failure is kept after later successes');
    assert.deepEqual(healed?.folders.map((f) => [f.folder, f.lastError, f.nextAttemptAt, f.watching]), [
      ['INBOX', null, null, true],
      ['Broken', null, null, false],
    ]);
    assert.equal((await store.getRunnerState(`${id}::Broken`))?.failureCount, 0);
    assert.equal(log.errors.length, 4);
    await svc.stop();
    await store.close();
  });

  test('a folder in backoff is not spun on; after an IDLE reconnect every folder catches up and a non-AUTH backoff is forgotten', async () => {
    const h = host('fay', 'pf');
    mailbox(h, 'INBOX', 1);
    const archive = mailbox(h, 'Archive', 1);
    const store = await openStore(':memory:');
    // Archive failed before and waits an hour.
    const id = await store.upsertAccount({ email: 'fay@example.test', provider: null, settings: {} }, 1);
    const hour = Math.floor(Date.now() / 1000) + 3600;
    await store.putRunnerState(`${id}::Archive`, { nextAllowedAt: hour, failureCount: 2, lastError: 'NETWORK: reset', lastAttemptAt: 1 });
    // INBOX was rejected once, but that wait is over.
    await store.putRunnerState(`${id}::INBOX`, { nextAllowedAt: Math.floor(Date.now() / 1000) - 10, failureCount: 1, lastError: 'AUTH: rejected', lastAttemptAt: 1 });
    const svc = service({ store, accounts: [account('f', 'f.test', 'fay', 'pf', ['INBOX', 'Archive'])], session: route({ 'f.test': h }), schedule: { intervalSeconds: 300, baseBackoffSeconds: 0.05, maxBackoffSeconds: 0.05 } });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'f', 'INBOX').length === 2, 'INBOX synced and watched');
    assert.equal(summary(log.synced[0] as SyncedEvent), 'f/INBOX start +1 ~0 -0 !0 r0');
    assert.deepEqual(accountStates(log, 'f'), ['starting->watching', 'watching->syncing', 'syncing->watching']);

    // While Archive (dirty since the start) waits out its backoff, the scheduler sleeps instead
    // of handing it to the runner again and again.
    let immediates = 0;
    const realSetImmediate = globalThis.setImmediate;
    const counting = ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
      immediates++;
      return realSetImmediate(callback, ...args);
    }) as typeof setImmediate;
    globalThis.setImmediate = counting;
    try {
      await sleep(200);
    } finally {
      globalThis.setImmediate = realSetImmediate;
    }
    assert.ok(immediates < 50, `the scheduler spun ${immediates} times while a folder backed off`);
    assert.deepEqual(svc.status()[0]?.folders.map((f) => [f.folder, f.nextAttemptAt, f.lastSyncAt === null]), [
      ['INBOX', null, false],
      ['Archive', hour * 1000, true],
    ]);
    deliver(archive, makeRaw(nextId++));
    idleConnection(h).hangUp(new NetworkError('connection reset'));
    await waitFor(() => log.synced.length === 3, 'the catch-up of both folders');
    assert.deepEqual(log.synced.slice(1).map(summary).sort(), ['f/Archive reconnect +2 ~0 -0 !0 r0', 'f/INBOX reconnect +0 ~0 -0 !0 r0']);
    assert.deepEqual(watcherStates(log, 'f', 'INBOX'), ['null->connecting', 'connecting->watching', 'watching->backoff NETWORK', 'backoff->connecting', 'connecting->watching']);
    const backoff = log.states.find((s) => s.state === 'backoff');
    assert.ok((backoff?.retryAt ?? 0) > 0);
    assert.equal((await store.getRunnerState(`${id}::Archive`))?.failureCount, 0);
    assert.equal(await count(store, 'fay@example.test', 'Archive'), 2);
    await svc.stop();
    await store.close();
  });

  test('a clock jump (sleep) probes the IDLE connection, replaces the sync connection and re-syncs every folder', async () => {
    const h = host('gus', 'pg');
    mailbox(h, 'INBOX', 1);
    mailbox(h, 'Lists', 1);
    let offset = 0;
    const store = await openStore(':memory:');
    const { logger, lines } = recordingLogger();
    const svc = service({
      store,
      logger,
      accounts: [account('g', 'g.test', 'gus', 'pg', ['INBOX', 'Lists'])],
      session: route({ 'g.test': h }),
      schedule: { intervalSeconds: 300 },
      wake: { tickMs: 20, thresholdMs: 5_000, now: () => Date.now() + offset },
    });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 2 && watcherStates(log, 'g', 'INBOX').length === 2, 'synced and watching');
    assert.equal(h.state.connections, 2);
    assert.ok(!h.state.commands.some((c) => / NOOP$/.test(c)));
    offset += 3_600_000; // the machine slept an hour
    await waitFor(() => log.synced.length === 4, 'the re-sync after the wake');
    assert.deepEqual(log.synced.slice(2).map(summary).sort(), ['g/INBOX wake +0 ~0 -0 !0 r0', 'g/Lists wake +0 ~0 -0 !0 r0']);
    await waitFor(() => h.state.commands.some((c) => / NOOP$/.test(c)), 'the probe of the IDLE connection');
    assert.equal(h.state.connections, 3, 'a new sync connection; the IDLE one answered its NOOP');
    const wake = lines.find((l) => l.obj.event === 'wake');
    assert.ok(Number(wake?.obj.sleptMs) > 3_000_000);
    assert.equal(wake?.msg, 'the clock jumped: probing every connection');
    assert.deepEqual(log.errors, []);
    await svc.stop();
    await store.close();
  });

  test('stop() aborts a stalled sync after the grace period: not a failure, nothing stored, nothing sent after it', async () => {
    const h = host('hal', 'ph');
    mailbox(h, 'INBOX', 2, { stallBodies: true });
    const store = await openStore(':memory:');
    const svc = service({ store, accounts: [account('h', 'h.test', 'hal', 'ph', ['INBOX'])], session: route({ 'h.test': h }), schedule: { idle: false }, stopGraceMs: 20 });
    const log = record(svc);
    await svc.start();
    await waitFor(() => h.state.commands.some((c) => /BODY\.PEEK\[\]/.test(c)), 'the body fetch');
    assert.deepEqual(svc.status()[0]?.folders.map((f) => [f.folder, f.running]), [['INBOX', true]]);
    assert.equal(svc.status()[0]?.state, 'syncing');
    await svc.stop();
    const sent = h.state.commands.length;
    assert.deepEqual(log.errors, [], 'an aborted sync is not an error');
    assert.deepEqual(log.synced, []);
    assert.deepEqual(accountStates(log, 'h'), ['starting->polling', 'polling->syncing', 'syncing->stopped']);
    const id = await accountIdOf(store, 'hal@example.test');
    assert.equal(await store.getRunnerState(`${id}::INBOX`), null, 'no backoff stored for an abort');
    assert.equal(await count(store, 'hal@example.test', 'INBOX'), 0);
    assert.ok(h.connector.servers.every((s) => s.closed()));
    await sleep(30);
    assert.equal(h.state.commands.length, sent, 'nothing sent after stop()');
    await store.close();
  });

  test('stop() lets the sync call in flight finish: its batch is kept, the rest left for later', async () => {
    const h = host('lea', 'pl');
    mailbox(h, 'INBOX', 3);
    const store = await openStore(':memory:');
    const svc = service({ store, accounts: [account('l', 'l.test', 'lea', 'pl', ['INBOX'], { maxMessagesPerSync: 1 })], session: route({ 'l.test': h }), schedule: { idle: false }, stopGraceMs: 10_000 });
    const log = record(svc);
    // stop() is called the moment the server sees the first body fetch.
    let stopping: Promise<void> | null = null;
    const commands = h.state.commands;
    commands.push = (...items: string[]): number => {
      const length = Array.prototype.push.apply(commands, items);
      if (stopping === null && items.some((c) => /BODY\.PEEK\[\]/.test(c))) stopping = svc.stop();
      return length;
    };
    await svc.start();
    await waitFor(() => stopping !== null, 'the first body fetch');
    await stopping;
    assert.deepEqual(log.synced.map(summary), ['l/INBOX start +1 ~0 -0 !0 r2']);
    assert.equal(commands.filter((c) => /BODY\.PEEK\[\]/.test(c)).length, 1, 'no second sync call');
    assert.equal(await count(store, 'lea@example.test', 'INBOX'), 1);
    const id = await accountIdOf(store, 'lea@example.test');
    assert.equal((await store.getRunnerState(`${id}::INBOX`))?.failureCount, 0);
    assert.deepEqual(log.errors, []);
    await store.close();
  });

  test('a folder-list failure of a running account blocks it until its IDLE connection reconnects', async () => {
    const h = host('max', 'pm');
    const inbox = mailbox(h, 'INBOX', 1);
    h.down = true; // the first setup fails
    const store = await openStore(':memory:');
    const accounts = [account('m', 'm.test', 'max', 'pm', 'all')];
    const svc = service({ store, accounts, session: route({ 'm.test': h }), schedule: { intervalSeconds: 300, baseBackoffSeconds: 0.05, maxBackoffSeconds: 0.05 } });
    const log = record(svc);
    const failedAt = new Map<string | null, number>();
    svc.on('error', (e) => {
      failedAt.set(e.folder, Date.now());
      if (log.errors.length === 1) h.down = false;
    });
    await svc.start();
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'm', 'INBOX').length === 2, 'synced and watching');
    // The sync connection is cut and the server refuses new ones; the IDLE connection stays.
    h.down = true;
    const syncConnection = h.connector.servers.find((c) => !c.closed() && !c.commands.some((cmd) => /^\S+ IDLE$/.test(cmd.text)));
    assert.ok(syncConnection);
    syncConnection.hangUp(null);
    await waitFor(() => syncConnection.closed(), 'the cut');
    // The IDLE connection keeps its quick reconnect policy; setups and syncs now wait long, and
    // the folder list is looked up at once.
    await svc.reload({ accounts, schedule: { intervalSeconds: 0.2, baseBackoffSeconds: 20, maxBackoffSeconds: 100 } });
    await waitFor(() => log.errors.some((e, i) => i > 0 && e.folder === null), 'the failed folder lookup');
    // INBOX, if it was due for a poll at the same moment, failed alike.
    assert.deepEqual([...new Set(log.errors.slice(1).map((e) => `${e.folder} ${e.code}`))].filter((e) => e !== 'INBOX NETWORK'), ['null NETWORK']);
    const error = log.errors.find((e, i) => i > 0 && e.folder === null) as ServiceErrorEvent;
    const waited = error.retryAt - (failedAt.get(null) ?? 0);
    assert.ok(waited > 9_970 && waited <= 10_000, `the first setup failure since the last success waits half of 20 s, not ${waited} ms`);
    assert.equal(svc.status()[0]?.state, 'backoff');
    // Pushed mail waits while the account is blocked...
    deliver(inbox, makeRaw(nextId++));
    await sleep(100);
    assert.equal(log.synced.length, 1);
    // ...until the IDLE connection comes back: the server answers again.
    h.down = false;
    idleConnection(h).hangUp(new NetworkError('reset'));
    await waitFor(() => log.synced.length === 2, 'the catch-up');
    assert.equal(summary(log.synced[1] as SyncedEvent), 'm/INBOX reconnect +1 ~0 -0 !0 r0');
    assert.ok((log.synced[1]?.at ?? Infinity) < error.retryAt, 'long before the setup backoff ended');
    await svc.stop();
    await store.close();
  });

  test('stop() while an account is being set up: it never connects afterwards', async () => {
    const h = host('ned', 'pn');
    mailbox(h, 'INBOX', 1);
    const store = await openStore(':memory:');
    let stopping: Promise<void> | null = null;
    const hooked: Store = {
      ...store,
      // The setup's last step before IDLE: the stored runner state of its folders.
      getRunnerState: async (key) => {
        stopping ??= svc.stop();
        return store.getRunnerState(key);
      },
    };
    const svc = service({ store: hooked, accounts: [account('n', 'n.test', 'ned', 'pn', ['INBOX'])], session: route({ 'n.test': h }) });
    const log = record(svc);
    await svc.start();
    await waitFor(() => stopping !== null, 'the setup');
    await stopping;
    await sleep(100);
    assert.equal(h.state.connections, 0, 'no IDLE connection for a stopped service');
    assert.deepEqual(log.states.map((s) => `${s.folder} ${s.previous}->${s.state}`), ['null starting->stopped']);
    assert.deepEqual(log.synced, []);
    await store.close();
  });

  test('with maxConcurrency 1 a stuck sync holds the only slot; with 2 another account runs beside it', async () => {
    for (const maxConcurrency of [1, 2]) {
      const x = host('xia', 'px');
      const y = host('yan', 'py');
      mailbox(x, 'INBOX', 1, { stallBodies: true });
      mailbox(y, 'INBOX', 1, { stallBodies: true });
      const store = await openStore(':memory:');
      const svc = service({ store, accounts: [account('x', 'x.test', 'xia', 'px', ['INBOX']), account('y', 'y.test', 'yan', 'py', ['INBOX'])], session: route({ 'x.test': x, 'y.test': y }), schedule: { idle: false, maxConcurrency }, stopGraceMs: 10 });
      const fetching = (): number => [...x.state.commands, ...y.state.commands].filter((c) => /BODY\.PEEK\[\]/.test(c)).length;
      await svc.start();
      await waitFor(() => fetching() >= 1, 'a stuck body fetch');
      if (maxConcurrency === 1) {
        await sleep(300);
        assert.equal(fetching(), 1, 'the other account waits for the slot');
        assert.equal(x.state.connections + y.state.connections, 1);
        assert.equal(svc.status().filter((s) => s.state === 'syncing').length, 1);
      } else {
        await waitFor(() => fetching() === 2, 'both accounts fetching');
        assert.deepEqual(svc.status().map((s) => s.state), ['syncing', 'syncing']);
      }
      await svc.stop();
      await store.close();
    }
  });

  test('a reconnect of the IDLE connection does not lift an AUTH block', async () => {
    const h = host('olga', 'old');
    const inbox = mailbox(h, 'INBOX', 1);
    const store = await openStore(':memory:');
    const svc = service({ store, accounts: [account('o', 'o.test', 'olga', 'old', ['INBOX'])], session: route({ 'o.test': h }), schedule: { intervalSeconds: 300, baseBackoffSeconds: 0.05, maxBackoffSeconds: 0.05, authBackoffSeconds: 600 } });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'o', 'INBOX').length === 2, 'synced and watching');
    // The password is changed on the server; the sync connection is cut; new mail is pushed.
    h.login.password = 'new';
    const syncConnection = h.connector.servers.find((c) => !c.closed() && !c.commands.some((cmd) => /^\S+ IDLE$/.test(cmd.text)));
    syncConnection?.hangUp(null);
    await waitFor(() => syncConnection?.closed() === true, 'the cut');
    deliver(inbox, makeRaw(nextId++));
    await waitFor(() => log.errors.length === 1, 'the rejected login');
    assert.deepEqual([log.errors[0]?.folder, log.errors[0]?.code], ['INBOX', 'AUTH']);
    assert.equal(svc.status()[0]?.state, 'auth-failed');
    // The IDLE connection is cut too and reconnects (it still may: the old password is back).
    h.login.password = 'old';
    idleConnection(h).hangUp(new NetworkError('reset'));
    await waitFor(() => watcherStates(log, 'o', 'INBOX').filter((s) => s === 'connecting->watching').length === 2, 'the IDLE reconnect');
    await sleep(300);
    assert.deepEqual(log.synced.map(summary), ['o/INBOX start +1 ~0 -0 !0 r0'], 'no catch-up before the AUTH wait is over');
    assert.equal(svc.status()[0]?.state, 'auth-failed');
    const id = await accountIdOf(store, 'olga@example.test');
    const stored = await store.getRunnerState(`${id}::INBOX`);
    assert.ok((stored?.nextAllowedAt ?? 0) * 1000 > Date.now() + 500_000, 'the stored AUTH wait is kept');
    await svc.stop();
    await store.close();
  });

  test('a runner state that cannot be saved is logged, and syncing goes on', async () => {
    const h = host('ivy', 'pv');
    const inbox = mailbox(h, 'INBOX', 1);
    const store = await openStore(':memory:');
    const failing: Store = {
      ...store,
      putRunnerState: async () => {
        throw new StorageError('disk full');
      },
      putRunnerStates: async () => {
        throw new StorageError('disk full');
      },
    };
    const { logger, lines } = recordingLogger();
    const svc = service({ store: failing, logger, accounts: [account('i', 'i.test', 'ivy', 'pv', ['INBOX'])], session: route({ 'i.test': h }), schedule: { intervalSeconds: 300 } });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'i', 'INBOX').length === 2, 'synced and watching');
    deliver(inbox, makeRaw(nextId++));
    await waitFor(() => log.synced.length === 2, 'the pushed sync');
    await svc.stop();
    assert.deepEqual(log.synced.map(summary), ['i/INBOX start +1 ~0 -0 !0 r0', 'i/INBOX push +1 ~0 -0 !0 r0']);
    const failures = lines.filter((l) => l.obj.event === 'store_failed');
    assert.equal(failures.length, 2);
    assert.deepEqual(failures[0], { level: 'error', obj: { event: 'store_failed', code: 'STORAGE', message: 'disk full' }, msg: 'could not save the runner state' });
    assert.equal(await count(store, 'ivy@example.test', 'INBOX'), 2);
    await store.close();
  });

  test('start() validates the accounts; reload keeps unchanged accounts, restarts changed ones, stops removed ones and rejects bad configs', async () => {
    const a = host('ida', 'pi');
    const c = host('jon', 'pj');
    const aInbox = mailbox(a, 'INBOX', 1);
    mailbox(c, 'INBOX', 1);
    const store = await openStore(':memory:');
    const session = route({ 'a.test': a, 'c.test': c });
    const { logger, lines } = recordingLogger();
    const first = account('a', 'a.test', 'ida', 'pi', ['INBOX']);

    const duplicate = service({ store, accounts: [first, { ...first }], session });
    assert.match(await configError(duplicate.start()), /account name 'a' is used twice/);
    assert.equal(duplicate.running, false);
    const noHost = service({ store, accounts: [account('x', '', 'u', 'p', ['INBOX'])], session });
    await configError(noHost.start());
    const noEmail = service({ store, accounts: [{ ...first, email: ' ' }], session });
    assert.match(await configError(noEmail.start()), /email is required/);
    assert.equal(a.state.connections, 0, 'nothing connected for a rejected config');

    const svc = service({ store, logger, accounts: [first], session, schedule: { intervalSeconds: 300 } });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 1 && watcherStates(log, 'a', 'INBOX').length === 2, 'a synced and watching');

    // Same settings (a new object) plus a new account: a keeps running, c starts.
    await svc.reload({ accounts: [account('a', 'a.test', 'ida', 'pi', ['INBOX']), account('c', 'c.test', 'jon', 'pj', ['INBOX'])], schedule: { intervalSeconds: 300 } });
    await waitFor(() => log.synced.length === 2, 'c synced');
    assert.equal(summary(log.synced[1] as SyncedEvent), 'c/INBOX start +1 ~0 -0 !0 r0');
    assert.equal(accountStates(log, 'a').filter((s) => s.endsWith('stopped')).length, 0);
    assert.equal(a.state.connections, 2, 'a was not reconnected');
    assert.deepEqual(lines.find((l) => l.obj.event === 'reloaded')?.obj, { event: 'reloaded', accounts: 2 });
    await waitFor(() => watcherStates(log, 'c', 'INBOX').length === 2, 'c watching');

    // Rejected reloads change nothing: a duplicate name, invalid settings.
    assert.match(await configError(svc.reload({ accounts: [first, first] })), /account name 'a' is used twice/);
    await configError(svc.reload({ accounts: [first, { ...account('z', 'z.test', 'zed', 'pz', ['INBOX']), imap: { host: 'z.test', port: 0, user: 'zed', auth: { password: 'pz' } } }] }));
    assert.deepEqual(svc.status().map((s) => s.name), ['a', 'c']);
    assert.equal(lines.filter((l) => l.obj.event === 'reloaded').length, 1);

    // a changed (smaller batches), c removed.
    deliver(aInbox, makeRaw(nextId++));
    deliver(aInbox, makeRaw(nextId++));
    const aBatches = { ...first, maxMessagesPerSync: 1 };
    const sentBefore = a.state.commands.length;
    await svc.reload({ accounts: [aBatches], schedule: { intervalSeconds: 300 } });
    assert.deepEqual(svc.status().map((s) => s.name), ['a']);
    assert.equal(accountStates(log, 'c').at(-1), 'watching->stopped');
    assert.equal(watcherStates(log, 'c', 'INBOX').at(-1), 'watching->stopped');
    assert.equal(accountStates(log, 'a').at(-1), 'watching->stopped');
    await waitFor(() => log.synced.length === 3, 'a synced again');
    assert.equal(summary(log.synced[2] as SyncedEvent), 'a/INBOX start +2 ~0 -0 !0 r0', 'one event over two sync calls of one message each');
    assert.deepEqual(
      a.state.commands.slice(sentBefore).filter((cmd) => /BODY\.PEEK/.test(cmd)).map((cmd) => cmd.replace(/^\S+ /, '')),
      ['UID FETCH 2 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])', 'UID FETCH 3 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])'],
    );
    assert.equal(await count(store, 'ida@example.test', 'INBOX'), 3);
    await svc.stop();

    // A reload of a stopped service only replaces what the next start() runs.
    await svc.reload({ accounts: [aBatches, account('c', 'c.test', 'jon', 'pj', ['INBOX'])], schedule: { intervalSeconds: 300, idle: false } });
    assert.equal(svc.running, false);
    assert.deepEqual(svc.status(), []);
    await svc.start();
    await waitFor(() => log.synced.length === 5, 'both accounts synced after the restart');
    assert.deepEqual(log.synced.slice(3).map(summary).sort(), ['a/INBOX start +0 ~0 -0 !0 r0', 'c/INBOX start +0 ~0 -0 !0 r0']);
    await waitFor(() => svc.status().every((s) => s.state === 'polling'), 'both accounts polling');
    assert.deepEqual(svc.status().map((s) => s.name), ['a', 'c']);
    await svc.stop();

    // A start() that threw leaves nothing behind: after a valid reload it starts.
    await duplicate.reload({ accounts: [first] });
    await duplicate.start();
    assert.deepEqual(duplicate.status().map((s) => s.name), ['a']);
    await duplicate.stop();
    await store.close();
  });

  test('special-use selectors resolve against LIST; "all" follows new folders; IDLE goes to idleFolders within maxConnections', async () => {
    const h = host('kim', 'pk');
    mailbox(h, 'INBOX', 1);
    mailbox(h, 'Sent Items', 2, { specialUse: '\\Sent' });
    mailbox(h, 'Archive', 1, { specialUse: '\\Archive' });
    mailbox(h, 'Parent', 0, { noselect: true });
    const store = await openStore(':memory:');
    const { logger, lines } = recordingLogger();
    const selectors = [{ kind: 'special-use' as const, use: '\\sent' }, { kind: 'special-use' as const, use: '\\Junk' }, { kind: 'name' as const, name: 'INBOX' }];
    const accounts = [
      account('k1', 'k.test', 'kim', 'pk', selectors, { email: 'k1@example.test', idleFolders: ['Sent Items'] }),
      account('k2', 'k.test', 'kim', 'pk', 'all', { email: 'k2@example.test', maxConnections: 1 }),
      account('k3', 'k.test', 'kim', 'pk', [{ kind: 'special-use', use: '\\Drafts' }], { email: 'k3@example.test' }),
    ];
    const svc = service({
      store,
      logger,
      accounts,
      session: route({ 'k.test': h }),
      schedule: { intervalSeconds: 300 },
    });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.filter((e) => e.trigger === 'start').length === 5, 'the initial syncs');
    assert.deepEqual(log.synced.filter((e) => e.trigger === 'start').map(summary).sort(), [
      'k1/INBOX start +1 ~0 -0 !0 r0',
      'k1/Sent Items start +2 ~0 -0 !0 r0',
      'k2/Archive start +1 ~0 -0 !0 r0',
      'k2/INBOX start +1 ~0 -0 !0 r0',
      'k2/Sent Items start +2 ~0 -0 !0 r0',
    ]);
    await waitFor(() => watcherStates(log, 'k1', 'Sent Items').length === 2, 'IDLE on Sent Items');
    await waitFor(() => svc.status().every((s) => s.state !== 'syncing' && s.state !== 'starting'), 'every account resting');
    const status = svc.status();
    assert.deepEqual(status.map((s) => [s.name, s.state, s.folders.map((f) => `${f.folder}${f.watching ? ' (idle)' : ''}`)]), [
      ['k1', 'watching', ['Sent Items (idle)', 'INBOX']],
      ['k2', 'polling', ['INBOX', 'Archive', 'Sent Items']],
      ['k3', 'polling', []],
    ]);
    assert.deepEqual(
      lines
        .filter((l) => l.obj.event === 'folders_missing')
        .map((l) => [l.obj.account, l.obj.missing, l.level, l.msg])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      [
        ['k1', ['\\Junk'], 'warn', 'no folder has these special uses'],
        ['k3', ['\\Drafts'], 'warn', 'no folder has these special uses'],
      ],
    );
    assert.ok(lines.some((l) => l.obj.event === 'no_folders' && l.obj.account === 'k3' && l.msg === 'k3: no folder to sync'));
    assert.equal(log.states.filter((s) => s.folder !== null && s.account !== 'k1').length, 0, 'k2 (one connection) and k3 (no folder) have no IDLE');

    // The folder list of "all" (and of selectors) is looked up again every interval: a new
    // folder is synced. A reload brings the interval down (the accounts are unchanged).
    mailbox(h, 'New', 1);
    const lists = h.state.commands.filter((c) => / LIST /.test(c)).length;
    assert.equal(lists, 3, 'one LIST per account needing it');
    await svc.reload({ accounts, schedule: { intervalSeconds: 0.3 } });
    await waitFor(() => log.synced.some((e) => e.folder === 'New'), 'the new folder');
    assert.equal(summary(log.synced.find((e) => e.folder === 'New') as SyncedEvent), 'k2/New start +1 ~0 -0 !0 r0');
    assert.ok(!log.synced.some((e) => e.account !== 'k2' && e.folder === 'New'));
    const listsBefore = h.state.commands.filter((c) => / LIST /.test(c)).length;
    await waitFor(() => h.state.commands.filter((c) => / LIST /.test(c)).length >= listsBefore + 6, 'two more rounds of folder lookups');
    assert.equal(log.synced.filter((e) => e.trigger === 'start').length, 6, 'known folders keep their jobs');
    assert.deepEqual(watcherStates(log, 'k1', 'Sent Items'), ['null->connecting', 'connecting->watching'], 'and their IDLE connection');
    assert.equal(h.state.connections, 4, 'k1: sync and IDLE; k2, k3: sync');
    assert.deepEqual(log.errors, []);
    await svc.stop();
    await store.close();
  });
});

// ---------------------------------------------------------------------------------------------

describe('service event hub', () => {
  const event = (fields: Partial<SyncedEvent>): SyncedEvent => ({
    account: 'a',
    accountId: 1,
    folder: 'INBOX',
    trigger: 'push',
    ...emptySyncTotals(),
    durationMs: 5,
    at: 10,
    ...fields,
  });

  test('listeners: unsubscribe, a throwing listener is logged and the others still run', () => {
    const { logger, lines } = recordingLogger();
    const hub = createServiceEvents(logger);
    const seen: string[] = [];
    const off = hub.on('error', (e) => seen.push(`1 ${e.code}`));
    hub.on('error', () => {
      throw new Error('boom');
    });
    hub.on('error', (e) => seen.push(`3 ${e.code}`));
    hub.emit('error', { account: 'a', folder: null, code: 'NETWORK', message: 'x', retryAt: 1 });
    assert.deepEqual(seen, ['1 NETWORK', '3 NETWORK']);
    assert.deepEqual(lines, [{ level: 'error', obj: { event: 'listener_failed', listener: 'error', error: 'boom' }, msg: 'event listener threw' }]);
    assert.equal(off(), true);
    hub.emit('error', { account: 'a', folder: null, code: 'AUTH', message: 'x', retryAt: 1 });
    assert.deepEqual(seen, ['1 NETWORK', '3 NETWORK', '3 AUTH']);
    createServiceEvents({}).emit('synced', event({})); // no logger methods, no listeners: fine
  });

  test('state and synced announcements are logged with a readable line and emitted', () => {
    const { logger, lines } = recordingLogger();
    const hub = createServiceEvents(logger);
    const states: StateEvent[] = [];
    const synced: SyncedEvent[] = [];
    hub.on('state', (e) => states.push(e));
    hub.on('synced', (e) => synced.push(e));
    const backoff: StateEvent = { account: 'a', folder: null, state: 'backoff', previous: 'syncing', code: 'NETWORK', retryAt: 0 };
    hub.announceState(backoff);
    hub.announceState({ account: 'a', folder: 'INBOX', state: 'watching', previous: 'connecting' });
    hub.announceState({ account: 'a', folder: 'INBOX', state: 'auth-failed', previous: 'connecting', code: 'AUTH' });
    hub.announceSynced(event({ new: 1, updated: 2, deleted: 3, remaining: 4 }));
    hub.announceSynced(event({ folder: 'Lists', trigger: 'poll' }));
    assert.deepEqual(states.map((s) => s.state), ['backoff', 'watching', 'auth-failed']);
    assert.equal(synced.length, 2);
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [
      ['info', 'a: backoff (NETWORK, retry at 1970-01-01T00:00:00.000Z)'],
      ['info', 'a/INBOX: watching'],
      ['info', 'a/INBOX: auth-failed (AUTH)'],
      ['info', 'a/INBOX: +1 ~2 -3 (4 left) in 5 ms (push)'],
      ['info', 'a/Lists: +0 ~0 -0 in 5 ms (poll)'],
    ]);
    assert.deepEqual(lines[0]?.obj, { event: 'state', account: 'a', folder: null, state: 'backoff', previous: 'syncing', code: 'NETWORK', retryAt: 0 });
    assert.equal(lines[3]?.obj.event, 'synced');
    assert.equal(lines[3]?.obj.remaining, 4);
  });

  test('changes() yields syncs that changed something (uidvalidity included), to every iterator, until closeAll()', async () => {
    const hub = createServiceEvents({});
    const first = hub.changes();
    const second = hub.changes();
    // An iterator listens from its first next().
    const pending = first.next();
    const pendingSecond = second.next();
    hub.announceSynced(event({ new: 1 }));
    assert.deepEqual((await pending).value, event({ new: 1 }), 'a waiting iterator is woken');
    assert.deepEqual((await pendingSecond).value, event({ new: 1 }));
    const others = [event({}), event({ updated: 1 }), event({ deleted: 2 }), event({ uidvalidityChanged: true }), event({ bytes: 9, failed: 0, remaining: 3 })];
    for (const e of others) hub.emit('synced', e);
    hub.closeAll();
    const rest: SyncedEvent[] = [];
    for await (const e of first) rest.push(e);
    assert.deepEqual(rest, [event({ updated: 1 }), event({ deleted: 2 }), event({ uidvalidityChanged: true })]);
    const all: SyncedEvent[] = [];
    for await (const e of second) all.push(e);
    assert.deepEqual(all, [event({ updated: 1 }), event({ deleted: 2 }), event({ uidvalidityChanged: true })]);
    // A new iterator after closeAll() works; leaving it early is fine.
    const third = hub.changes();
    const next = third.next();
    hub.announceSynced(event({ deleted: 1 }));
    assert.deepEqual((await next).value, event({ deleted: 1 }));
    assert.equal((await third.return(undefined)).done, true);
    hub.announceSynced(event({ deleted: 1 }));
    assert.equal((await third.next()).done, true);
  });

  test('sync totals add up over the calls of one run; remaining is the last call', () => {
    const total = emptySyncTotals();
    assert.deepEqual(total, { new: 0, updated: 0, deleted: 0, failed: 0, bytes: 0, remaining: 0, uidvalidityChanged: false });
    addSyncResult(total, { new: 2, updated: 1, deleted: 3, failed: 1, bytes: 100, remaining: 5, uidvalidityChanged: true });
    addSyncResult(total, { new: 3, updated: 4, deleted: 1, failed: 2, bytes: 50, remaining: 0, uidvalidityChanged: false });
    assert.deepEqual(total, { new: 5, updated: 5, deleted: 4, failed: 3, bytes: 150, remaining: 0, uidvalidityChanged: true });
  });
});

describe('service runtime readings', () => {
  const schedule = { ...DEFAULT_SCHEDULE, intervalSeconds: 100 };
  const config = account('a', 'h.test', 'u', 'p', ['INBOX']);
  const job = (folder: string, fields: Partial<JobRuntime> = {}): JobRuntime => ({ folder, dirty: false, trigger: 'start', running: false, lastOkAt: 0, remaining: null, lastError: null, ...fields });
  function runtime(fields: Partial<AccountRuntime> = {}, jobs: JobRuntime[] = []): AccountRuntime {
    return { ...newAccountRuntime(config), accountId: 7, ...fields, jobs: new Map(jobs.map((j) => [j.folder, j])) };
  }
  const state = (nextAllowedAt: number, lastError: string | null = null): RunnerJobState => ({ nextAllowedAt, failureCount: lastError ? 1 : 0, lastError, lastAttemptAt: null });

  test('codeOf and describeDetail', () => {
    assert.equal(codeOf('AUTH: rejected'), 'AUTH');
    assert.equal(codeOf('NOT_FOUND: gone'), 'NOT_FOUND');
    assert.equal(codeOf('auth: rejected'), 'UNKNOWN');
    assert.equal(codeOf('x AUTH: y'), 'UNKNOWN');
    assert.equal(codeOf('AUTH rejected'), 'UNKNOWN');
    assert.equal(codeOf(null), 'UNKNOWN');
    assert.equal(describeDetail({}), '');
    assert.equal(describeDetail({ retryAt: 5 }), '');
    assert.equal(describeDetail({ code: 'AUTH' }), ' (AUTH)');
    assert.equal(describeDetail({ code: 'TLS', retryAt: 86_400_000 }), ' (TLS, retry at 1970-01-02T00:00:00.000Z)');
  });

  test('fingerprint: equal settings compare equal; secrets, CA, TLS mode and other fields count', () => {
    const base = fingerprint(config);
    assert.equal(fingerprint(account('a', 'h.test', 'u', 'p', ['INBOX'])), base);
    assert.notEqual(fingerprint(account('a', 'h.test', 'u', 'other', ['INBOX'])), base);
    assert.notEqual(fingerprint({ ...config, imap: { ...config.imap, auth: { oauthToken: 'p' } } }), base);
    assert.notEqual(fingerprint({ ...config, imap: { ...config.imap, tls: { mode: 'starttls' } } }), base);
    assert.notEqual(fingerprint({ ...config, imap: { ...config.imap, tls: { ca: 'PEM' } } }), base);
    assert.equal(fingerprint({ ...config, imap: { ...config.imap, tls: { ca: new TextEncoder().encode('1') } } }), fingerprint({ ...config, imap: { ...config.imap, tls: { ca: '49' } } }));
    assert.notEqual(fingerprint({ ...config, maxMessagesPerSync: 1 }), base);
    assert.notEqual(fingerprint({ ...config, folders: 'all' }), base);
    const provider = (token: string) => ({ ...config, imap: { ...config.imap, auth: { oauthTokenProvider: async () => token } } });
    assert.equal(fingerprint(provider('x')), fingerprint(provider('y')), 'a token provider counts by kind, not identity');
    assert.notEqual(fingerprint(provider('x')), base);
  });

  test('a new runtime, its resting state and its status', () => {
    const fresh = newAccountRuntime(config);
    assert.deepEqual({ ...fresh, config: null, jobs: [...fresh.jobs], watchers: [...fresh.watchers] }, {
      config: null,
      fingerprint: fingerprint(config),
      accountId: null,
      jobs: [],
      watchers: [],
      state: 'starting',
      lastError: null,
      blockedUntil: 0,
      setupFailures: 0,
      settingUp: false,
      resolvedAt: 0,
      removed: false,
      lastUsedAt: 0,
    });
    assert.equal(fresh.config, config);
    assert.equal(restingState(fresh), 'polling');
    const watched = runtime({}, [job('INBOX')]);
    watched.watchers.set('INBOX', {} as IdleWatcher);
    assert.equal(restingState(watched), 'watching');

    const now = Date.now();
    const future = Math.floor(now / 1000) + 100;
    const states = new Map<string, RunnerJobState>([
      ['7::INBOX', state(future, 'NO: x')],
      ['7::Old', state(Math.floor(now / 1000) - 100, 'NO: x')],
    ]);
    const rt = runtime({ state: 'backoff', lastError: 'NO: x' }, [job('INBOX', { running: true, lastError: 'NO: x' }), job('Old', { lastOkAt: 1234, remaining: 3 }), job('New')]);
    rt.watchers.set('INBOX', {} as IdleWatcher);
    assert.deepEqual(accountStatus(rt, states), {
      name: 'a',
      accountId: 7,
      state: 'backoff',
      lastError: 'NO: x',
      folders: [
        { folder: 'INBOX', watching: true, running: true, lastSyncAt: null, remaining: null, lastError: 'NO: x', nextAttemptAt: future * 1000 },
        { folder: 'Old', watching: false, running: false, lastSyncAt: 1234, remaining: 3, lastError: null, nextAttemptAt: null },
        { folder: 'New', watching: false, running: false, lastSyncAt: null, remaining: null, lastError: null, nextAttemptAt: null },
      ],
    });
    assert.equal(accountStatus(runtime({ accountId: null }, [job('INBOX')]), states).folders[0]?.nextAttemptAt, null, 'no id, no runner state');
  });

  test('nextWakeUpAt: the earliest due job, backoff end or account block, at most an hour away', () => {
    const now = 1_000_000_000;
    const none = new Map<string, RunnerJobState>();
    assert.equal(nextWakeUpAt([], none, schedule, now), now + 3_600_000);
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { dirty: true })])], none, schedule, now), now, 'dirty: now');
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { lastOkAt: now - 40_000 })])], none, schedule, now), now + 60_000, 'the interval after the last sync');
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { lastOkAt: now - 40_000 }), job('B', { lastOkAt: now - 90_000 })])], none, schedule, now), now + 10_000, 'the earliest job');
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { running: true, dirty: true })])], none, schedule, now), now + 3_600_000, 'a running job is not due');
    assert.equal(nextWakeUpAt([runtime({ removed: true }, [job('INBOX', { dirty: true })])], none, schedule, now), now + 3_600_000, 'a removed account is ignored');
    const backoff = new Map([['7::INBOX', state(now / 1000 + 30, 'NO: x')]]);
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { dirty: true })])], backoff, schedule, now), now + 30_000, 'a dirty job waits for its backoff');
    assert.equal(nextWakeUpAt([runtime({ accountId: null }, [job('INBOX', { dirty: true })])], backoff, schedule, now), now, 'no id: no runner state');
    assert.equal(nextWakeUpAt([runtime({}, [job('INBOX', { lastOkAt: now })])], new Map([['7::INBOX', state(now / 1000 + 30)]]), schedule, now), now + 100_000, 'an earlier backoff end does not matter');
    assert.equal(nextWakeUpAt([runtime({ blockedUntil: now + 20_000 }, [job('INBOX', { dirty: true })])], none, schedule, now), now + 20_000, 'the account block');
    assert.equal(nextWakeUpAt([runtime({ blockedUntil: now + 20_000 })], none, schedule, now), now + 20_000, 'a blocked account without jobs');
    assert.equal(nextWakeUpAt([runtime({ blockedUntil: now - 5 }, [job('INBOX', { lastOkAt: now })])], none, schedule, now), now + 100_000, 'a past block is over');
    assert.equal(nextWakeUpAt([runtime({ blockedUntil: now + 5_000_000 })], none, schedule, now), now + 3_600_000, 'an hour at most');
    assert.equal(
      nextWakeUpAt([runtime({}, [job('A', { lastOkAt: now })]), runtime({}, [job('B', { lastOkAt: now - 95_000 })])], none, schedule, now),
      now + 5_000,
      'over every account',
    );
  });

  test('probe: NOOP answered, or the connection closed after 10 s without an answer', async (t) => {
    let noops = 0;
    let closed = 0;
    const answering = { noop: async () => void noops++, close: () => void closed++ } as unknown as ImapClient;
    await probe(answering);
    assert.deepEqual([noops, closed], [1, 0]);

    t.mock.timers.enable({ apis: ['setTimeout'] });
    const silent = { noop: () => new Promise<void>(() => undefined), close: () => void closed++ } as unknown as ImapClient;
    const probing = probe(silent);
    const outcome = probing.then(
      () => 'answered',
      (error: Error) => error.message,
    );
    t.mock.timers.tick(9_999);
    await Promise.resolve();
    assert.equal(closed, 0);
    t.mock.timers.tick(1);
    assert.equal(await outcome, 'probe timed out');
    assert.equal(closed, 1);
  });
});

describe('service wake detector', () => {
  test('a wake is a gap of more than thresholdMs beyond the tick; stop() ends the checks', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let clock = 0;
    const woke: number[] = [];
    const detector = startWakeDetector((ms) => woke.push(ms), { tickMs: 10, thresholdMs: 100, now: () => clock });
    clock += 110;
    t.mock.timers.tick(10);
    assert.deepEqual(woke, [], 'exactly the threshold is no wake');
    clock += 111;
    t.mock.timers.tick(10);
    assert.deepEqual(woke, [101]);
    clock += 10;
    t.mock.timers.tick(10);
    assert.deepEqual(woke, [101], 'measured from the last tick');
    detector.stop();
    clock += 10_000;
    t.mock.timers.tick(10);
    assert.deepEqual(woke, [101]);
  });

  test('defaults: a check every 5 s, a wake beyond 30 s', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let clock = 0;
    const woke: number[] = [];
    const detector = startWakeDetector((ms) => woke.push(ms), { now: () => clock });
    clock += 35_000;
    t.mock.timers.tick(4_999);
    assert.deepEqual(woke, []);
    t.mock.timers.tick(1);
    assert.deepEqual(woke, [], '30 s exactly');
    clock += 35_001;
    t.mock.timers.tick(5_000);
    assert.deepEqual(woke, [30_001]);
    detector.stop();
  });
});

describe('service backoff codes and parse pool', () => {
  const policy = { baseBackoffSeconds: 10, maxBackoffSeconds: 300, authBackoffSeconds: 1800 };

  test('error codes; AUTH, CONFIG and TLS are permanent and wait the AUTH backoff', () => {
    assert.equal(errorCode(new AuthError('x')), 'AUTH');
    assert.equal(errorCode(new ByeError('x')), 'BYE');
    assert.equal(errorCode(new Error('x')), 'UNKNOWN');
    assert.equal(errorCode('text'), 'UNKNOWN');
    assert.deepEqual(['AUTH', 'CONFIG', 'TLS', 'NETWORK', 'THROTTLED', 'UNKNOWN', 'NO'].map(isPermanent), [true, true, true, false, false, false, false]);
    for (const error of [new ConfigError('x'), new TlsError('x'), new AuthError('x')]) assert.equal(retryDelaySeconds(5, error, policy, () => 0.5), 1800);
  });

  test('jitter stays within half and all of the delay even for a bad random source; THROTTLED gets none', () => {
    assert.equal(retryDelaySeconds(2, new NetworkError('x'), policy, () => 7), 20);
    assert.equal(retryDelaySeconds(2, new NetworkError('x'), policy, () => -3), 10);
    assert.equal(retryDelaySeconds(2, new NetworkError('x'), policy, () => 0.25), 12.5);
    assert.equal(retryDelaySeconds(2, new ThrottledError('slow'), policy, () => 0), 20);
    assert.equal(retryDelaySeconds(1, new ThrottledError('slow', { retryAfterMs: 45_500 }), policy, () => 1), 46);
  });

  test('the parse pool parses on this thread with 0 workers, waits for parses in flight at close and works after it', async () => {
    const pool = createServiceParsePool(0);
    const inFlight = pool.parse(makeRaw(9001), { headersOnly: false });
    const closing = pool.close();
    const record = await inFlight;
    await closing;
    assert.equal(record.subject, 'message 9001');
    assert.equal(record.messageId, '<m9001@example.test>');
    assert.equal((await pool.parse(makeRaw(9002), { headersOnly: true })).subject, 'message 9002');
    await pool.close();
    await createServiceParsePool(undefined).close(); // never used: nothing to close
  });

  test('the parse pool closes at once when no parse is in flight (no polling wait)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const pool = createServiceParsePool(0);
    await pool.parse(makeRaw(9003), { headersOnly: true });
    let closed = false;
    void pool.close().then(() => (closed = true));
    for (let i = 0; i < 5; i++) await turn();
    assert.equal(closed, true, 'no wait after the parses finished');
  });
});

describe('service secrets and accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prx-svc-secrets-'));

  async function rejects(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      assert.ok(isPrxError(error) && error.code === 'CONFIG', String(error));
      return error.message;
    }
    assert.fail('resolved');
  }

  test('passwordFile: one trailing CRLF dropped; empty, oversized or foreign files refused', async () => {
    const file = (name: string, content: string | Uint8Array): string => {
      const path = join(dir, name);
      writeFileSync(path, content);
      chmodSync(path, 0o600);
      return path;
    };
    assert.deepEqual(await resolveSecret({ kind: 'passwordFile', path: file('crlf', 'pw\r\n\r\n') }, 'a', {}), { password: 'pw\r\n' });
    assert.deepEqual(await resolveSecret({ kind: 'passwordFile', path: file('exact', 'x'.repeat(64 * 1024)) }, 'a', {}), { password: 'x'.repeat(64 * 1024) });
    assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: file('empty', '\n') }, 'a', {})), /^account a: passwordFile .*empty is empty$/);
    assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: file('big', 'x'.repeat(64 * 1024 + 1)) }, 'a', {})), /is too large to be a password$/);
    const groupReadable = file('group', 'pw');
    chmodSync(groupReadable, 0o604);
    assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: groupReadable }, 'a', {})), /readable by others \(mode 604\)/);
    if (process.getuid?.() === 0) {
      const foreign = file('foreign', 'pw');
      chownSync(foreign, 12345, 12345);
      assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: foreign }, 'a', {})), /^account a: passwordFile .*foreign is owned by another user$/);
    }
  });

  test('environment and command sources: unset variables and failing commands name the account and source', async () => {
    assert.match(await rejects(resolveSecret({ kind: 'oauthTokenEnv', variable: 'TOKEN' }, 'b', {})), /^account b: environment variable TOKEN \(oauthTokenEnv\) is not set$/);
    assert.match(await rejects(resolveSecret({ kind: 'passwordEnv', variable: 'PW' }, 'b', {})), /\(passwordEnv\) is not set$/);
    assert.match(await rejects(resolveSecret({ kind: 'oauthTokenCommand', argv: [process.execPath, '-e', 'process.exit(2)'] }, 'b', {})), /^account b: oauthTokenCommand ".*" failed \(exit status 2\)$/);
    assert.match(await rejects(resolveSecret({ kind: 'passwordCommand', argv: [process.execPath, '-e', 'process.kill(process.pid, "SIGKILL")'] }, 'b', {})), /failed \(exit status unknown\)$/);
    assert.deepEqual(await resolveSecret({ kind: 'passwordCommand', argv: [process.execPath, '-e', 'process.stdout.write("a\\r\\n")'] }, 'b', {}), { password: 'a' });
  });

  test('config accounts resolve to service accounts (only the fields set), all at once or failing with the first error', async () => {
    const config = validateServiceConfig({
      accounts: [
        { name: 'plain', host: 'h.test', user: 'u', passwordEnv: 'PW' },
        { name: 'full', provider: 'gmail', user: 'f@gmail.com', email: 'f@example.test', port: 1993, tls: 'implicit', oauthTokenEnv: 'TOKEN', folders: 'all', idleFolders: ['INBOX'], maxConnections: 3, maxMessagesPerSync: 50 },
      ],
    });
    const [plain, full] = await resolveServiceAccounts(config.accounts, { PW: 'secret', TOKEN: 'tok' });
    assert.deepEqual(plain, {
      name: 'plain',
      email: 'u',
      imap: { host: 'h.test', user: 'u', auth: { password: 'secret' }, tls: {} },
      folders: [{ kind: 'name', name: 'INBOX' }],
      maxConnections: 2,
      maxMessagesPerSync: 500,
    });
    assert.deepEqual(full, {
      name: 'full',
      email: 'f@example.test',
      provider: 'gmail',
      imap: { port: 1993, user: 'f@gmail.com', auth: { oauthToken: 'tok' }, tls: { mode: 'implicit' } },
      folders: 'all',
      idleFolders: ['INBOX'],
      maxConnections: 3,
      maxMessagesPerSync: 50,
    });
    assert.match(await rejects(resolveServiceAccounts(config.accounts, { PW: 'secret' })), /account full: environment variable TOKEN/);
    assert.match(await rejects(resolveServiceAccount(config.accounts[0] as ServiceAccountConfig, {})), /account plain: environment variable PW/);
    const caDir = validateServiceConfig({ accounts: [{ name: 'ca', host: 'h', user: 'u', passwordEnv: 'PW', ca: dir }] }).accounts[0] as ServiceAccountConfig;
    assert.match(await rejects(resolveServiceAccount(caDir, { PW: 'x' })), /^account ca: ca .* cannot be read \(EISDIR\)$/);
  });

  test('secrets from a file and a command reach the server: a service from a config file syncs both accounts', async () => {
    const one = host('one', 'from-file');
    const two = host('two', 'from-command');
    mailbox(one, 'INBOX', 1);
    mailbox(two, 'INBOX', 2);
    const pwFile = join(dir, 'one.pw');
    writeFileSync(pwFile, 'from-file\n');
    chmodSync(pwFile, 0o600);
    const config = validateServiceConfig({
      accounts: [
        { name: 'one', host: 'one.test', user: 'one', passwordFile: pwFile },
        { name: 'two', host: 'two.test', user: 'two', passwordCommand: [process.execPath, '-e', 'process.stdout.write("from-command\\n")'] },
      ],
      schedule: { idle: false },
    });
    const accounts = await resolveServiceAccounts(config.accounts, {});
    const store = await openStore(':memory:');
    const svc = service({ store, accounts, schedule: config.schedule, session: route({ 'one.test': one, 'two.test': two }) });
    const log = record(svc);
    await svc.start();
    await waitFor(() => log.synced.length === 2, 'both accounts synced');
    assert.deepEqual(log.synced.map(summary).sort(), ['one/INBOX start +1 ~0 -0 !0 r0', 'two/INBOX start +2 ~0 -0 !0 r0']);
    assert.deepEqual(log.errors, []);
    // Resolved again, unchanged: a reload restarts nothing.
    await svc.reload({ accounts: await resolveServiceAccounts(config.accounts, {}), schedule: config.schedule });
    assert.equal(log.states.filter((s) => s.state === 'stopped').length, 0);
    await svc.stop();
    await store.close();
  });
});
