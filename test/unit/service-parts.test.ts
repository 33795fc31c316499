/**
 * The service's parts without a server: jittered backoff (and the runner using it), folder
 * selection and the IDLE connection budget, the wake detector, and the IDLE watcher driven by a
 * scripted fake connection (push, re-IDLE, reconnect with backoff after a cut or BYE, long wait
 * after AUTH, probe, stop with LOGOUT).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, ByeError, NetworkError, ThrottledError } from '../../src/errors.js';
import type { ImapClient, MailboxInfo } from '../../src/imap/session/client.js';
import type { UntaggedResponse } from '../../src/imap/wire/types.js';
import { runSyncRunner, type RunnerJobState } from '../../src/sync/runner.js';
import { retryDelaySeconds } from '../../src/sync/service/backoff.js';
import { createRunnerStateCache } from '../../src/sync/service/runner-state-cache.js';
import { openStore } from '../../src/store/index.js';
import { idleFolders, namedFolders, needsFolderList, selectFolders } from '../../src/sync/service/folder-selection.js';
import { startIdleWatcher, type WatcherState } from '../../src/sync/service/idle-watcher.js';
import { startWakeDetector } from '../../src/sync/service/wake-detector.js';

const policy = { baseBackoffSeconds: 10, maxBackoffSeconds: 300, authBackoffSeconds: 1800 };

describe('service backoff', () => {
  test('exponential with equal jitter: between half and all of base * 2^(n-1), capped', () => {
    assert.equal(retryDelaySeconds(1, new NetworkError('x'), policy, () => 0), 5);
    assert.equal(retryDelaySeconds(1, new NetworkError('x'), policy, () => 1), 10);
    assert.equal(retryDelaySeconds(3, new NetworkError('x'), policy, () => 0.5), 30);
    assert.equal(retryDelaySeconds(20, new ByeError('x'), policy, () => 1), 300);
    const spread = new Set(Array.from({ length: 50 }, () => retryDelaySeconds(2, new Error('x'), policy)));
    assert.ok(spread.size > 10, 'random jitter');
    for (const value of spread) assert.ok(value >= 10 && value <= 20);
  });

  test('AUTH waits the long AUTH backoff; THROTTLED never less than the server asked', () => {
    assert.equal(retryDelaySeconds(1, new AuthError('no'), policy, () => 0), 1800);
    assert.equal(retryDelaySeconds(1, new ThrottledError('slow down', { retryAfterMs: 120_000 }), policy, () => 0), 120);
  });

  test('the runner stores the delay the service computes', async () => {
    const states = new Map<string, RunnerJobState>();
    const report = await runSyncRunner([{ accountId: 1, folder: 'INBOX', maxMessages: 1 }], 1000, {}, {
      runJob: async () => {
        throw new AuthError('rejected');
      },
      state: { get: (k) => states.get(k) ?? null, put: (k, s) => void states.set(k, s) },
      retryDelaySeconds: (failures, error) => (failures === 1 && error instanceof AuthError ? 1234.2 : 0),
    });
    assert.equal(report.results[0]?.nextAllowedAt, 1000 + 1235);
    assert.equal(states.get('1::INBOX')?.nextAllowedAt, 2235);
  });
});

describe('runner state cache', () => {
  test('states put while a write is in flight are written together by the next one; settled() waits for all', async () => {
    const store = await openStore(':memory:');
    const writes: string[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = createRunnerStateCache(
      {
        ...store,
        putRunnerStates: async (entries) => {
          writes.push(entries.map(([key]) => key));
          await gate;
          await store.putRunnerStates(entries);
        },
      },
      {},
    );
    const ok = (at: number): RunnerJobState => ({ nextAllowedAt: at, failureCount: 0, lastError: null, lastAttemptAt: at });
    cache.put('1::INBOX', ok(1));
    cache.put('2::INBOX', ok(1));
    await new Promise((resolve) => setImmediate(resolve));
    cache.put('3::INBOX', ok(2));
    cache.put('1::INBOX', ok(3));
    assert.equal(cache.states.get('1::INBOX')?.lastAttemptAt, 3, 'the scheduler sees a state at once');
    release();
    await cache.settled();
    assert.deepEqual(writes, [['1::INBOX', '2::INBOX'], ['3::INBOX', '1::INBOX']], 'two writes for four states');
    assert.equal((await store.getRunnerState('1::INBOX'))?.lastAttemptAt, 3);
    assert.equal((await store.getRunnerState('3::INBOX'))?.lastAttemptAt, 2);
    cache.put('2::INBOX', ok(4));
    await cache.settled();
    assert.equal(writes.length, 3);
    assert.equal((await store.getRunnerState('2::INBOX'))?.lastAttemptAt, 4);
    await store.close();
  });
});

describe('folder selection', () => {
  const box = (name: string, specialUse: string | null = null, selectable = true): MailboxInfo =>
    ({ name, displayName: name, delimiter: '/', attributes: [], specialUse, selectable }) as unknown as MailboxInfo;
  const listed = [box('Archive', '\\Archive'), box('INBOX'), box('Sent Items', '\\Sent'), box('[Gmail]', null, false), box('Lists')];

  test('names need no LIST; special-use selectors and "all" do', () => {
    assert.equal(needsFolderList([{ kind: 'name', name: 'INBOX' }]), false);
    assert.equal(needsFolderList([{ kind: 'special-use', use: '\\Sent' }]), true);
    assert.equal(needsFolderList('all'), true);
    assert.deepEqual(namedFolders([{ kind: 'name', name: 'INBOX' }, { kind: 'name', name: 'INBOX' }, { kind: 'name', name: 'Lists' }]), ['INBOX', 'Lists']);
  });

  test('selectors resolve against LIST; "all" is every selectable folder, INBOX first', () => {
    assert.deepEqual(selectFolders([{ kind: 'name', name: 'INBOX' }, { kind: 'special-use', use: '\\sent' }, { kind: 'special-use', use: '\\Junk' }], listed), { folders: ['INBOX', 'Sent Items'], missing: ['\\Junk'] });
    assert.deepEqual(selectFolders('all', listed).folders, ['INBOX', 'Archive', 'Lists', 'Sent Items']);
  });

  test('IDLE goes to INBOX (or the configured folders) within maxConnections - 1', () => {
    assert.deepEqual(idleFolders(['Archive', 'INBOX'], undefined, 2), ['INBOX']);
    assert.deepEqual(idleFolders(['Archive', 'Lists'], undefined, 2), ['Archive']);
    assert.deepEqual(idleFolders(['INBOX', 'Lists', 'Archive'], ['Lists', 'Archive', 'Nope'], 2), ['Lists']);
    assert.deepEqual(idleFolders(['INBOX', 'Lists', 'Archive'], ['Lists', 'Archive'], 3), ['Lists', 'Archive']);
    assert.deepEqual(idleFolders(['INBOX'], undefined, 1), [], 'one connection: polling only');
  });
});

describe('wake detector', () => {
  test('fires when far more time passed between ticks than asked for', async () => {
    let clock = 0;
    const woke: number[] = [];
    const detector = startWakeDetector((ms) => woke.push(ms), { tickMs: 10, thresholdMs: 1000, now: () => clock });
    clock += 10;
    await new Promise((resolve) => setTimeout(resolve, 15));
    assert.deepEqual(woke, []);
    clock += 60_000; // the machine slept
    await new Promise((resolve) => setTimeout(resolve, 15));
    detector.stop();
    assert.equal(woke.length, 1);
    assert.ok((woke[0] ?? 0) > 50_000);
  });
});

/** A scripted stand-in for an ImapClient: enough of it for the watcher. */
class FakeClient {
  closed = false;
  stopIdle: (() => void) | null = null;
  idles = 0;
  noops = 0;
  loggedOut = false;
  private listeners: Array<(data: UntaggedResponse) => void> = [];
  private closeListeners: Array<(error: Error | null) => void> = [];
  private endIdle: ((error?: Error) => void) | null = null;
  constructor(readonly noopAnswers = true) {}
  onUnsolicited(listener: (data: UntaggedResponse) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  onClose(listener: (error: Error | null) => void): () => void {
    this.closeListeners.push(listener);
    return () => undefined;
  }
  async select(): Promise<object> {
    return { exists: 0 };
  }
  idle(options: { maxIdleMs?: number; signal?: AbortSignal }): Promise<void> {
    this.idles++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(), options.maxIdleMs ?? 1000);
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.stopIdle = null;
        this.endIdle = null;
        if (error) reject(error);
        else resolve();
      };
      this.endIdle = finish;
      this.stopIdle = () => finish();
      options.signal?.addEventListener('abort', () => finish(), { once: true });
    });
  }
  async noop(): Promise<void> {
    this.noops++;
    if (!this.noopAnswers) await new Promise(() => undefined);
  }
  async logout(): Promise<void> {
    this.loggedOut = true;
    this.closed = true;
  }
  close(): void {
    this.closed = true;
  }
  /** Server side: unsolicited data. */
  push(data: UntaggedResponse): void {
    for (const listener of this.listeners) listener(data);
  }
  /** Server side: the connection drops with this error. */
  cut(error: Error): void {
    this.closed = true;
    for (const listener of this.closeListeners) listener(error);
    this.endIdle?.(error);
  }
}

const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

describe('IDLE watcher', () => {
  function harness(opens: Array<FakeClient | Error>, options: { idleRefreshMs?: number; probeTimeoutMs?: number } = {}) {
    const log = { changes: 0, connected: [] as boolean[], states: [] as Array<[WatcherState, string | undefined, number | undefined]>, opened: [] as FakeClient[] };
    const watcher = startIdleWatcher({
      folder: 'INBOX',
      open: async () => {
        const next = opens.shift();
        if (!next) throw new NetworkError('no more scripted connections');
        if (next instanceof Error) throw next;
        log.opened.push(next);
        return next as unknown as ImapClient;
      },
      onChange: () => log.changes++,
      onConnected: (reconnected) => log.connected.push(reconnected),
      onState: (state, detail) => log.states.push([state, detail?.code, detail?.retryInMs]),
      policy: { baseBackoffSeconds: 0.01, maxBackoffSeconds: 0.05, authBackoffSeconds: 3600 },
      idleRefreshMs: options.idleRefreshMs ?? 60_000,
      livenessMs: 60_000,
      ...(options.probeTimeoutMs !== undefined ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
      random: () => 1,
    });
    return { watcher, log };
  }

  test('new mail, expunges and flag changes end IDLE and report a change; IDLE is restarted before its refresh time', async () => {
    const client = new FakeClient();
    const { watcher, log } = harness([client], { idleRefreshMs: 30 });
    await until(() => client.idles === 1, 'IDLE');
    client.push({ type: 'exists', count: 3 });
    await until(() => log.changes === 1, 'the change');
    client.push({ type: 'expunge', seq: 1 });
    await until(() => log.changes === 2, 'the expunge');
    client.push({ type: 'recent', count: 1 }); // not a change by itself
    const idlesBefore = client.idles;
    await until(() => client.idles >= idlesBefore + 2, 're-IDLE after the refresh time');
    assert.equal(log.changes, 2);
    assert.deepEqual(log.connected, [false]);
    await watcher.stop();
    assert.equal(client.loggedOut, true);
    assert.equal(log.states.at(-1)?.[0], 'stopped');
  });

  test('a cut connection, a BYE and a refused reconnect are retried with backoff; each reconnect asks for a catch-up', async () => {
    const first = new FakeClient();
    const second = new FakeClient();
    const third = new FakeClient();
    const { watcher, log } = harness([first, new NetworkError('refused'), second, third]);
    await until(() => first.idles === 1, 'IDLE');
    first.cut(new NetworkError('reset'));
    await until(() => second.idles === 1, 'IDLE on the second connection');
    second.cut(new ByeError('shutting down'));
    await until(() => third.idles === 1, 'IDLE on the third connection');
    assert.deepEqual(log.connected, [false, true, true]);
    const backoffs = log.states.filter((s) => s[0] === 'backoff');
    assert.deepEqual(backoffs.map((s) => s[1]), ['NETWORK', 'NETWORK', 'BYE']);
    assert.deepEqual(backoffs.map((s) => s[2]), [10, 20, 10], 'exponential, reset after a good connection');
    await watcher.stop();
  });

  test('rejected credentials wait the long AUTH backoff instead of retrying', async () => {
    const { watcher, log } = harness([new AuthError('bad password'), new FakeClient()]);
    await until(() => log.states.some((s) => s[0] === 'backoff'), 'the backoff');
    await tick(50);
    assert.equal(log.opened.length, 0, 'no second login within the AUTH wait');
    assert.deepEqual(log.states.find((s) => s[0] === 'backoff'), ['backoff', 'AUTH', 3_600_000]);
    await watcher.stop();
  });

  test('probe() ends IDLE and checks with NOOP; a connection that does not answer is replaced', async () => {
    const healthy = new FakeClient();
    const dead = new FakeClient(false);
    const next = new FakeClient();
    const { watcher, log } = harness([healthy], { probeTimeoutMs: 30 });
    await until(() => healthy.idles === 1, 'IDLE');
    watcher.probe();
    await until(() => healthy.noops === 1 && healthy.idles === 2, 'NOOP then IDLE again');
    await watcher.stop();

    const second = harness([dead, next], { probeTimeoutMs: 30 });
    await until(() => dead.idles === 1, 'IDLE');
    second.watcher.probe();
    await until(() => next.idles === 1, 'a new connection after the silent one');
    assert.equal(dead.closed, true);
    assert.ok(second.log.states.some((s) => s[0] === 'backoff' && s[1] === 'TIMEOUT'));
    assert.deepEqual(second.log.connected, [false, true]);
    await second.watcher.stop();
    assert.equal(log.changes, 0);
  });
});
