/**
 * Write transactions of a runner tick on the file engine (issue: the runner-load bench wrote
 * three per job). A write transaction is counted the way the bench counts it: SQLite opens the
 * rollback journal (`<db>-journal`) once per transaction that writes a page, and never for one
 * that only reads. node-sqlite3-wasm's VFS calls `fs.openSync` on the CommonJS `node:fs` object,
 * so wrapping it there sees every journal it opens.
 *
 * A first-time job now commits its folder row, messages and cursor in one transaction; the
 * runner states of the tick are written together, in one transaction at the end of the tick.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { addMailbox, createMiniState, deliver, miniServerConnector } from '../support/mini-imap-server.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Counts the rollback journals SQLite opens for `dbPath` while `work` runs. */
async function countWriteTransactions(dbPath: string, work: () => Promise<void>): Promise<number> {
  const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
  const journal = `${resolve(dbPath)}-journal`;
  const open = fs.openSync;
  let opened = 0;
  fs.openSync = ((path: import('node:fs').PathLike, ...rest: unknown[]) => {
    if (resolve(String(path)) === journal) opened++;
    return (open as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  try {
    await work();
  } finally {
    fs.openSync = open;
  }
  return opened;
}

const ACCOUNTS = 4;
const FOLDERS = ['INBOX', 'Archive'];

async function setup(): Promise<{ plugin: EmailPlugin; store: Store; path: string; accountIds: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'prx-runner-tx-'));
  dirs.push(dir);
  const path = join(dir, 'mail.db');
  const state = createMiniState();
  const inbox = addMailbox(state, 'INBOX', { uidValidity: 3 });
  for (let i = 0; i < 5; i++) deliver(inbox, makeRaw(i));
  const archive = addMailbox(state, 'Archive', { uidValidity: 7 });
  for (let i = 0; i < 3; i++) deliver(archive, makeRaw(100 + i));
  addMailbox(state, 'Broken', { refuse: '[SERVERBUG] cannot open' });
  const store = await openStore(path);
  const connector = miniServerConnector(state, { user: 'me', password: 'pw' });
  const plugin = new EmailPlugin({ store, parse: simpleParse, parseWorkers: 0, session: { connectTransport: connector.connect, compress: false } });
  const accountIds: number[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    accountIds.push(await plugin.addAccount({ email: `u${i}@example.test`, imap: { host: 'mini.example.test', port: 993, user: 'me', auth: { password: 'pw' } } }, 1));
  }
  return { plugin, store, path, accountIds };
}

describe('runner write transactions (file engine)', () => {
  test('a tick of N first-time jobs commits about one write transaction per job, and stores every runner state', async () => {
    const { plugin, store, path, accountIds } = await setup();
    // One tick runs at most one job per account: INBOX of every account, then Archive of every account.
    for (const folder of FOLDERS) {
      const jobs = accountIds.map((accountId) => ({ accountId, folder, maxMessages: 100 }));
      let report: Awaited<ReturnType<EmailPlugin['runSyncRunner']>> | undefined;
      const writes = await countWriteTransactions(path, async () => {
        report = await plugin.runSyncRunner(jobs, 1000, { maxConcurrency: 8 });
      });
      assert.equal(report?.succeeded, jobs.length);
      // One per job (folder row + messages + cursor) and one for the tick's runner states; it was
      // three per job (folder row, batch, runner state).
      assert.ok(writes <= jobs.length + 1, `${writes} write transactions for ${jobs.length} jobs`);
      for (const job of jobs) {
        assert.deepEqual(await store.getRunnerState(`${job.accountId}::${folder}`), { nextAllowedAt: 1000, failureCount: 0, lastError: null, lastAttemptAt: 1000 });
      }
    }
    for (const accountId of accountIds) {
      assert.equal((await store.listMessages({ accountId, folder: 'INBOX', limit: 10 })).length, 5);
      assert.equal((await store.listMessages({ accountId, folder: 'Archive', limit: 10 })).length, 3);
    }
    await plugin.close();
    await store.close();
  });

  test('a failed job backs off in the same tick transaction; runner states that did not change are not rewritten', async () => {
    const { plugin, store, path, accountIds } = await setup();
    const jobs = accountIds.map((accountId, i) => ({ accountId, folder: i === 0 ? 'Broken' : 'INBOX', maxMessages: 100 }));
    let writes = await countWriteTransactions(path, async () => {
      const report = await plugin.runSyncRunner(jobs, 1000, { maxConcurrency: 8, baseBackoffSeconds: 10 });
      assert.equal(report.failed, 1);
      assert.equal(report.succeeded, jobs.length - 1);
    });
    assert.ok(writes <= jobs.length, `${writes} write transactions for ${jobs.length - 1} new folders and the tick's runner states`);
    const broken = await store.getRunnerState(`${accountIds[0]}::Broken`);
    assert.equal(broken?.failureCount, 1);
    assert.equal(broken?.nextAllowedAt, 1010);
    assert.match(broken?.lastError ?? '', /^NO: /);

    // The same tick again at the same time: the failed job is skipped (backoff), the others find
    // nothing new and their runner states are the ones stored: nothing is written at all.
    writes = await countWriteTransactions(path, async () => {
      const report = await plugin.runSyncRunner(jobs, 1000, { maxConcurrency: 8 });
      assert.equal(report.skipped, 1);
      assert.equal(report.succeeded, jobs.length - 1);
    });
    assert.equal(writes, 0, 'nothing changed, nothing written');

    // Later, still no new mail: each job records its sync time (the mini server has no
    // CONDSTORE, so there is no "unchanged" shortcut) and the runner states of the whole tick
    // take one more transaction.
    writes = await countWriteTransactions(path, async () => {
      await plugin.runSyncRunner(jobs.slice(1), 1100, { maxConcurrency: 8 });
    });
    assert.ok(writes <= jobs.length - 1 + 1, `${writes} write transactions for a tick of ${jobs.length - 1} jobs with no new mail`);
    assert.equal((await store.getRunnerState(`${accountIds[1]}::INBOX`))?.lastAttemptAt, 1100);
    await plugin.close();
    await store.close();
  });
});
