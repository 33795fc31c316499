/**
 * Real mailboxes against the project's Dovecot: non-ASCII and `&` folder names sync with
 * --all-folders and syncAll (wire names pass through, display names decoded); special-use
 * selectors resolve through LIST; an unknown folder fails with NO and leaves no row; one folder's
 * failure is that folder's (syncAll and the CLI's partial exit code); newest mail first, then
 * backfill, with the CLI's --max-messages cap and --since bound; a folder deleted on the server is
 * tombstoned without an error loop, a renamed one keeps its rows without a download.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { appendFixtureMessages, buildFixtureMailbox } from '../support/replay/fixture-mailbox.js';
import { makeRaw } from '../support/simple-parse.js';
import { caPem, doveadm, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
let ca: string;
const openPlugins: EmailPlugin[] = [];
let nextId = 1;

/** Creates the folder (UTF-8 name, as doveadm takes it) and saves `count` messages into it. */
function fill(user: string, folder: string, count: number): void {
  if (folder !== 'INBOX') doveadm(env, ['mailbox', 'create', '-u', user, folder]);
  for (let i = 0; i < count; i++) {
    execFileSync('doveadm', ['-c', env.configFile, 'save', '-u', user, '-m', folder], { input: makeRaw(90_000 + nextId++) });
  }
}

async function pluginFor(user: string, store?: Store): Promise<{ plugin: EmailPlugin; store: Store; accountId: number }> {
  const s = store ?? (await openStore(':memory:'));
  const plugin = new EmailPlugin({ store: s, session: { traceSize: 200 } });
  openPlugins.push(plugin);
  const accountId = await plugin.addAccount({
    email: `${user}@test`,
    imap: { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] as string }, tls: { ca } },
  });
  return { plugin, store: s, accountId };
}

function cli(user: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const main = join(process.cwd(), 'dist/src/cli/main.js');
  const run = spawnSync(
    process.execPath,
    [main, 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', user, '--password-env', 'PRX_PW', '--ca', env.caFile, '--json', ...args],
    { env: { ...process.env, PRX_PW: env.users[user] }, encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const INTERNATIONAL: Array<{ display: string; wire: string; count: number }> = [
  { display: 'Entwürfe', wire: 'Entw&APw-rfe', count: 2 },
  { display: 'Éléments envoyés', wire: '&AMk-l&AOk-ments envoy&AOk-s', count: 3 },
  { display: '已发送', wire: '&XfJT0ZAB-', count: 1 },
  { display: 'A&B', wire: 'A&-B', count: 4 },
  { display: 'Work/Ünïcode/Deep', wire: 'Work/&ANw-n&AO8-code/Deep', count: 2 },
];

describe('real mailboxes against Dovecot', () => {
  before(() => {
    env = startDovecot();
    ca = caPem(env);
    for (const user of ['folders1', 'folders2', 'folders3', 'folders4', 'folders5']) resetUser(env, user);
    fill('folders1', 'INBOX', 1);
    for (const folder of INTERNATIONAL) fill('folders1', folder.display, folder.count);
  });

  after(async () => {
    for (const plugin of openPlugins) await plugin.close().catch(() => undefined);
  });

  test('non-ASCII and & folder names: --all-folders syncs each folder once under its wire name, with decoded display names', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'prx-folders-')), 'mail.db');
    const first = cli('folders1', ['--all-folders', '--db', db]);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const report = JSON.parse(first.stdout) as { ok: boolean; folders: Array<{ folder: string; displayName?: string; new: number; error?: unknown }> };
    assert.equal(report.ok, true);
    assert.equal(report.folders.find((f) => f.folder === 'INBOX')?.new, 1);
    for (const folder of INTERNATIONAL) {
      const row = report.folders.find((f) => f.folder === folder.wire);
      assert.ok(row, `${folder.display} missing from ${JSON.stringify(report.folders.map((f) => f.folder))}`);
      assert.equal(row.new, folder.count, folder.display);
      assert.equal(row.displayName, folder.display);
      assert.equal(row.error, undefined);
    }
    const status = JSON.parse(execFileSync(process.execPath, [join(process.cwd(), 'dist/src/cli/main.js'), 'status', '--db', db, '--json'], { encoding: 'utf8' })) as {
      accounts: Array<{ messages: number; folders: Array<{ folder: string; live: number }> }>;
    };
    assert.equal(status.accounts[0]?.messages, 1 + INTERNATIONAL.reduce((sum, f) => sum + f.count, 0));
    for (const folder of INTERNATIONAL) assert.equal(status.accounts[0]?.folders.find((f) => f.folder === folder.wire)?.live, folder.count);
    // No double-encoded row (the old bug sent `Entw&-APw-rfe`).
    assert.ok(status.accounts[0]?.folders.every((f) => !f.folder.includes('&-A') && !f.folder.includes('&-X')));
    // A second run finds nothing new.
    const second = JSON.parse(cli('folders1', ['--all-folders', '--db', db]).stdout) as { folders: Array<{ new: number }> };
    assert.ok(second.folders.every((f) => f.new === 0));
  });

  test('syncAll and sync by display name use the same folder rows; display names are decoded in the store', async () => {
    const { plugin, store, accountId } = await pluginFor('folders1');
    const all = await plugin.syncAll(accountId, { nowTs: 100, maxMessages: 100 });
    for (const folder of INTERNATIONAL) {
      const entry = all.find((e) => e.folder === folder.wire);
      assert.equal(entry?.error, undefined, folder.display);
      assert.equal(entry?.result?.new, folder.count, folder.display);
      assert.equal(entry?.displayName, folder.display);
      assert.equal((await store.getFolder(accountId, folder.wire))?.displayName, folder.display);
    }
    const rows = (await store.listFolders(accountId)).length;
    // By display name (NFD input too) and by wire name: the same row, nothing new.
    for (const request of [...INTERNATIONAL.map((f) => f.display), INTERNATIONAL[0]?.display.normalize('NFD') as string, ...INTERNATIONAL.map((f) => f.wire)]) {
      const result = await plugin.sync({ accountId, folder: request, nowTs: 101, maxMessages: 100 });
      assert.equal(result.new, 0, request);
      assert.ok(INTERNATIONAL.some((f) => f.wire === result.folder), result.folder);
    }
    assert.equal((await store.listFolders(accountId)).length, rows);
  });

  test('special-use selectors resolve through LIST; an unknown folder fails with NO and leaves no row', async () => {
    fill('folders2', 'INBOX', 1);
    fill('folders2', 'Sent', 2);
    fill('folders2', 'Archive', 1);
    const { plugin, store, accountId } = await pluginFor('folders2');
    const sent = await plugin.sync({ accountId, folder: '\\Sent', nowTs: 100, maxMessages: 100 });
    assert.equal(sent.folder, 'Sent');
    assert.equal(sent.new, 2);
    const archive = await plugin.sync({ accountId, folder: '\\archive', nowTs: 100, maxMessages: 100 });
    assert.equal(archive.folder, 'Archive');
    assert.equal(archive.new, 1);
    const before = (await store.listFolders(accountId)).map((f) => f.name).sort();
    await assert.rejects(plugin.sync({ accountId, folder: 'No Such Folder', nowTs: 100, maxMessages: 100 }), { code: 'NO' });
    await assert.rejects(plugin.sync({ accountId, folder: '\\Flagged', nowTs: 100, maxMessages: 100 }), { code: 'NO' });
    assert.equal(await store.getFolder(accountId, 'No Such Folder'), null);
    assert.deepEqual((await store.listFolders(accountId)).map((f) => f.name).sort(), before);
    // The connection survived the NOs.
    assert.equal((await plugin.sync({ accountId, folder: 'INBOX', nowTs: 100, maxMessages: 100 })).new, 1);

    const db = join(mkdtempSync(join(tmpdir(), 'prx-folders-')), 'mail.db');
    const run = cli('folders2', ['--folder', '\\Sent', '--db', db]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { folders: Array<{ folder: string; new: number }> };
    assert.deepEqual(report.folders.map((f) => [f.folder, f.new]), [['Sent', 2]]);
  });

  test("one folder's failure is that folder's: syncAll goes on, the CLI exits 3 (partial) with the error in the folder's row", async () => {
    fill('folders3', 'INBOX', 3);
    fill('folders3', 'Mid', 2);
    fill('folders3', 'Zed', 2);
    const { plugin, accountId } = await pluginFor('folders3');
    let deleted = false;
    // INBOX goes first; while it is stored, another client deletes "Mid" (listed already).
    const outcome = await plugin.syncAll(accountId, {
      nowTs: 100,
      maxMessages: 100,
      onProgress: () => {
        if (deleted) return;
        deleted = true;
        doveadm(env, ['mailbox', 'delete', '-u', 'folders3', 'Mid']);
      },
    });
    assert.ok(deleted);
    const byName = new Map(outcome.map((entry) => [entry.folder, entry]));
    assert.equal(byName.get('INBOX')?.result?.new, 3);
    assert.equal(byName.get('Mid')?.error?.code, 'NO');
    assert.equal(byName.get('Zed')?.result?.new, 2);

    const db = join(mkdtempSync(join(tmpdir(), 'prx-folders-')), 'mail.db');
    const run = cli('folders3', ['--folder', 'INBOX', '--folder', 'Gone Already', '--folder', 'Zed', '--db', db]);
    assert.equal(run.status, 3, run.stdout + run.stderr);
    const report = JSON.parse(run.stdout) as { ok: boolean; partial: boolean; folders: Array<{ folder: string; new: number; error?: { code: string; message: string } }> };
    assert.equal(report.ok, false);
    assert.equal(report.partial, true);
    assert.deepEqual(report.folders.map((f) => [f.folder, f.new, f.error?.code ?? null]), [
      ['INBOX', 3, null],
      ['Gone Already', 0, 'NO'],
      ['Zed', 2, null],
    ]);
    assert.match(report.folders[1]?.error?.message ?? '', /./);
  });

  test('newest first, then backfill: --max-messages caps one invocation, --since bounds the backfill', async () => {
    const DAY = 86_400;
    const day0 = Date.UTC(2026, 0, 1) / 1000;
    // UID n arrives n days after 2026-01-01; UID 10 is an old message moved in (300 days before).
    const message = (n: number) => ({ raw: makeRaw(80_000 + n), flags: '', internalDate: day0 + (n === 10 ? -300 : n) * DAY + 3600 });
    buildFixtureMailbox(env, 'folders4', 'INBOX', 1_800_000_004, Array.from({ length: 30 }, (_, i) => message(i + 1)));
    const db = join(mkdtempSync(join(tmpdir(), 'prx-folders-')), 'mail.db');
    type Report = { folders: Array<{ folder: string; new: number; cursor: number; remaining?: number }> };
    const stored = async (): Promise<number[]> => {
      const store = await openStore(db);
      const uids = (await store.listMessages({ accountId: 1, limit: 500 })).flatMap((m) => m.locations.map((l) => l.uid)).sort((a, b) => a - b);
      await store.close();
      return uids;
    };
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    const first = cli('folders4', ['--db', db, '--max-messages', '10']);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.deepEqual((JSON.parse(first.stdout) as Report).folders.map((f) => [f.new, f.cursor, f.remaining]), [[10, 30, 20]]);
    assert.deepEqual(await stored(), range(21, 30));

    appendFixtureMessages(env, 'folders4', 'INBOX', [message(31), message(32), message(33)]);
    const second = JSON.parse(cli('folders4', ['--db', db, '--max-messages', '5']).stdout) as Report;
    assert.deepEqual(second.folders.map((f) => [f.new, f.cursor, f.remaining]), [[5, 33, 18]]);
    assert.deepEqual(await stored(), [...range(19, 33)]);

    // --since 2026-01-16 (UID 15's day): the newest message before that day is UID 14.
    const bounded = JSON.parse(cli('folders4', ['--db', db, '--since', '2026-01-16']).stdout) as Report;
    assert.deepEqual(bounded.folders.map((f) => [f.new, f.remaining]), [[4, 0]]);
    assert.deepEqual(await stored(), range(15, 33));

    // Without a bound the rest arrives, the moved-in UID 10 included.
    const rest = JSON.parse(cli('folders4', ['--db', db]).stdout) as Report;
    assert.deepEqual(rest.folders.map((f) => [f.new, f.remaining]), [[14, 0]]);
    assert.deepEqual(await stored(), range(1, 33));
    const bad = cli('folders4', ['--db', db, '--since', '2026-02-30']);
    assert.equal(bad.status, 1);
    assert.equal((JSON.parse(bad.stdout) as { error: { code: string } }).error.code, 'CONFIG');
  });

  test('folder lifecycle: a deleted folder is tombstoned and marked, no error loop; a renamed one keeps its rows', async () => {
    fill('folders5', 'INBOX', 2);
    fill('folders5', 'Projects', 3);
    fill('folders5', 'Old Name', 4);
    const { plugin, store, accountId } = await pluginFor('folders5');
    const first = await plugin.syncAll(accountId, { nowTs: 100, maxMessages: 100 });
    assert.deepEqual(first.map((e) => [e.folder, e.result?.new]).sort(), [['INBOX', 2], ['Old Name', 4], ['Projects', 3], ['Archive', 0], ['Drafts', 0], ['Junk', 0], ['Sent', 0], ['Trash', 0]].sort());
    const oldRow = await store.getFolder(accountId, 'Old Name');
    const oldIds = (await store.listMessages({ accountId, folder: 'Old Name', limit: 10 })).map((m) => m.id).sort();

    doveadm(env, ['mailbox', 'rename', '-u', 'folders5', 'Old Name', 'New Name']);
    doveadm(env, ['mailbox', 'delete', '-u', 'folders5', 'Projects']);
    let stored = 0;
    const second = await plugin.syncAll(accountId, { nowTs: 200, maxMessages: 100, onProgress: (p) => (stored = Math.max(stored, p.stored)) });
    const byName = new Map(second.map((e) => [e.folder, e]));
    // Renamed: the same row under the new name, nothing downloaded again.
    assert.equal(byName.get('New Name')?.result?.new, 0);
    assert.equal(stored, 0);
    assert.equal((await store.getFolder(accountId, 'New Name'))?.id, oldRow?.id);
    assert.equal(await store.getFolder(accountId, 'Old Name'), null);
    assert.deepEqual((await store.listMessages({ accountId, folder: 'New Name', limit: 10 })).map((m) => m.id).sort(), oldIds);
    // Deleted: reported, locations tombstoned, state marked.
    assert.deepEqual([byName.get('Projects')?.result?.folderDeleted, byName.get('Projects')?.result?.deleted, byName.get('Projects')?.error], [true, 3, undefined]);
    assert.equal((await store.listMessages({ accountId, folder: 'Projects', limit: 10 })).length, 0);
    assert.equal((await store.listMessages({ accountId, limit: 50 })).length, 6);
    assert.equal((await store.listMessages({ accountId, limit: 50, includeDeleted: true })).length, 9);
    assert.equal((await store.folderCounts(accountId)).find((f) => f.folder === 'Projects')?.status, 'deleted');

    // A runner job for the deleted folder: no failure, no backoff, tick after tick.
    for (const tick of [300, 400]) {
      const report = await plugin.runSyncRunner([{ accountId, folder: 'Projects', maxMessages: 10 }], tick, { baseBackoffSeconds: 1 });
      assert.deepEqual([report.results[0]?.status, report.results[0]?.result?.folderDeleted, report.failed], ['ok', true, 0]);
    }
    assert.equal((await store.getRunnerState(`${accountId}::Projects`))?.failureCount, 0);

    // The folder comes back: it is live again and synced from scratch.
    fill('folders5', 'Projects', 1);
    const third = await plugin.syncAll(accountId, { nowTs: 500, maxMessages: 100 });
    assert.equal(third.find((e) => e.folder === 'Projects')?.result?.new, 1);
    assert.equal((await store.folderCounts(accountId)).find((f) => f.folder === 'Projects')?.status, 'ok');
  });
});
