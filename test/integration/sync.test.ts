/**
 * The sync engine end to end against the real Dovecot: initial sync equals the server; a second
 * sync issues no FETCH; backlog over several small calls completes, newest first; flags and deletions
 * made by another connection are reflected; a UIDVALIDITY reset is recovered; nothing gains
 * \Seen; two messages sharing a Message-ID stay two rows while one message in two folders is one;
 * the CLI runs end to end with --json.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openImapSession, type ImapSessionOptions } from '../../src/imap/session/client.js';
import { openStore, type Store } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { startCuttingProxy } from '../support/cutting-proxy.js';
import { caPem, deliverMessages, resetUidValidity, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
let ca: string;
const openPlugins: EmailPlugin[] = [];

function sessionOptions(user: string): ImapSessionOptions {
  return { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] as string }, tls: { ca }, compress: false };
}

async function pluginFor(user: string, store?: Store): Promise<{ plugin: EmailPlugin; store: Store; accountId: number }> {
  const s = store ?? (await openStore(':memory:'));
  const plugin = new EmailPlugin({ store: s, session: { traceSize: 500 } });
  openPlugins.push(plugin);
  const accountId = await plugin.addAccount({
    email: `${user}@test`,
    imap: { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] as string }, tls: { ca } },
  });
  return { plugin, store: s, accountId };
}

async function serverState(user: string, folder = 'INBOX'): Promise<Map<number, string[]>> {
  const client = await openImapSession(sessionOptions(user));
  const state = new Map<number, string[]>();
  const selected = await client.select(folder, { readOnly: true });
  if (selected.exists > 0) {
    await client.uidFetch('1:*', { items: ['UID', 'FLAGS'] }, {
      message: (m) => state.set(m.attributes.uid as number, (m.attributes.flags ?? []).filter((f) => f !== '\\Recent')),
    });
  }
  await client.logout();
  return state;
}

async function storedState(store: Store, accountId: number, folder = 'INBOX'): Promise<Map<number, string[]>> {
  const state = await store.loadFolderState(accountId, folder);
  return new Map((await store.listLocations(state.folderId, state.uidValidity ?? -1)).map((l) => [l.uid, l.flags]));
}

describe('sync against Dovecot', () => {
  before(() => {
    env = startDovecot();
    ca = caPem(env);
    for (const user of ['user1', 'user2', 'user3', 'user4', 'user5']) resetUser(env, user);
  });

  after(async () => {
    for (const plugin of openPlugins) await plugin.close().catch(() => undefined);
  });

  test('initial sync equals the server; a second sync issues no FETCH; nothing gains \\Seen', async () => {
    deliverMessages(env, 'user1', 'INBOX', generateSampleMail(300, { seed: 11 }));
    const { plugin, store, accountId } = await pluginFor('user1');
    const first = await plugin.sync({ accountId, nowTs: 100, maxMessages: 1000 });
    assert.equal(first.new, 300);
    assert.equal(first.remaining, 0);
    const server = await serverState('user1');
    assert.deepEqual([...(await storedState(store, accountId)).keys()].sort((a, b) => a - b), [...server.keys()].sort((a, b) => a - b));
    for (const flags of server.values()) assert.ok(!flags.includes('\\Seen'), 'a fetched message gained \\Seen');
    const messages = await store.listMessages({ accountId, limit: 500 });
    assert.equal(messages.length, 300);
    assert.ok(messages.every((m) => m.parseError === null && m.snippet.length > 0));

    // Commands are told apart by tag number (the trace is a ring buffer, so its length says
    // nothing once it is full): everything tagged after the last command so far is the second sync's.
    const tagOf = (text: string): number => Number(/^A(\d+) /.exec(text)?.[1] ?? -1);
    const lastTagBefore = await plugin.connection(accountId, async (client) =>
      Math.max(...client.traceEntries().filter((e) => e.direction === 'C').map((e) => tagOf(e.text))),
    );
    assert.ok(lastTagBefore > 0, 'the trace holds the first sync');
    await store.saveIfDirty();
    const second = await plugin.sync({ accountId, nowTs: 101 });
    assert.equal(second.unchanged, true);
    // Nothing changed, so nothing is written: a file-backed store is not rewritten.
    assert.equal(store.db.dirty, false);
    const commands = await plugin.connection(accountId, async (client) =>
      client.traceEntries().filter((e) => e.direction === 'C' && tagOf(e.text) > lastTagBefore).map((e) => e.text),
    );
    assert.ok(commands.some((c) => /^A\d+ EXAMINE /.test(c)), `the second sync's EXAMINE is in the trace: ${commands.join(' | ')}`);
    assert.ok(!commands.some((c) => /FETCH|SEARCH/.test(c)), commands.join('\n'));
    await plugin.close();
  });

  test('message identity: two messages sharing a Message-ID are two rows; one message in two folders is one row', async () => {
    resetUser(env, 'dave');
    const message = (from: string, subject: string, body: string) =>
      new TextEncoder().encode(`Message-ID: <shared@example.test>\r\nFrom: ${from}\r\nSubject: ${subject}\r\nDate: Mon, 1 Dec 2026 10:00:00 +0000\r\n\r\n${body}\r\n`);
    const first = message('ann@example.test', 'first', 'one');
    deliverMessages(env, 'dave', 'INBOX', [first, message('bob@example.test', 'second', 'two')]);
    deliverMessages(env, 'dave', 'Archive', [first]);
    const { plugin, store, accountId } = await pluginFor('dave');
    for (const folder of ['INBOX', 'Archive']) assert.equal((await plugin.sync({ accountId, folder, nowTs: 100 })).new, folder === 'INBOX' ? 2 : 1);
    const rows = await store.db.all(
      `SELECT m.subject, COUNT(l.id) AS locations FROM messages m JOIN message_locations l ON l.message_row_id = m.id
        WHERE m.message_id = '<shared@example.test>' AND l.deleted_at IS NULL GROUP BY m.id ORDER BY m.subject`,
    );
    assert.deepEqual(rows.map((r) => [r.subject, Number(r.locations)]), [['first', 2], ['second', 1]]);
  });

  test('a backlog fetched with a small maxMessages ends complete, newest first', async () => {
    deliverMessages(env, 'user2', 'INBOX', generateSampleMail(55, { seed: 12 }));
    const { plugin, store, accountId } = await pluginFor('user2');
    const ranges: Array<[number, number]> = [];
    for (let call = 0; call < 10; call++) {
      const result = await plugin.sync({ accountId, nowTs: 200 + call, maxMessages: 10 });
      ranges.push([result.coveredFrom, result.cursor]);
      if (result.remaining === 0) break;
    }
    assert.deepEqual(ranges, [[46, 55], [36, 55], [26, 55], [16, 55], [6, 55], [1, 55]]);
    assert.equal(await store.countMessages(accountId), 55);
    await plugin.close();
  });

  test('flags and deletions made by another connection are reflected', async () => {
    deliverMessages(env, 'user3', 'INBOX', generateSampleMail(20, { seed: 13 }));
    const { plugin, store, accountId } = await pluginFor('user3');
    await plugin.sync({ accountId, nowTs: 300 });
    const other = await openImapSession(sessionOptions('user3'));
    await other.select('INBOX');
    await other.uidStore('2,4', 'add', ['\\Flagged', '\\Seen']);
    await other.uidStore('5:7', 'add', ['\\Deleted']);
    await other.uidExpunge('5:7');
    await other.append('INBOX', new TextEncoder().encode('Subject: late\r\nMessage-ID: <late@test>\r\n\r\nlate\r\n'));
    await other.logout();
    const result = await plugin.sync({ accountId, nowTs: 301 });
    assert.equal(result.updated, 2);
    assert.equal(result.deleted, 3);
    assert.equal(result.new, 1);
    assert.deepEqual(await storedState(store, accountId), await serverState('user3'));
    assert.equal((await store.folderCounts(accountId))[0]?.deleted, 3);
    await plugin.close();
  });

  test('a UIDVALIDITY reset is recovered without refetching known messages', async () => {
    deliverMessages(env, 'user4', 'INBOX', generateSampleMail(30, { seed: 14 }));
    const { plugin, store, accountId } = await pluginFor('user4');
    const first = await plugin.sync({ accountId, nowTs: 400 });
    await plugin.close();
    resetUidValidity(env, 'user4', 'INBOX');
    deliverMessages(env, 'user4', 'INBOX', generateSampleMail(2, { seed: 99 }));
    const again = await pluginFor('user4', store);
    const result = await again.plugin.sync({ accountId: again.accountId, nowTs: 401 }).finally(() => again.plugin.close());
    assert.equal(result.uidvalidityChanged, true);
    assert.notEqual(result.uidValidity, first.uidValidity);
    // The two new messages, plus sample message #13 which has no Message-ID and so cannot be
    // re-matched: it is fetched again and lands on the same sha256-keyed message row.
    assert.equal(result.new, 3, 'only unknown or unmatchable messages are fetched');
    assert.equal((await store.countMessages(accountId)), 32);
    assert.deepEqual([...(await storedState(store, accountId)).keys()].sort((a, b) => a - b), [...(await serverState('user4')).keys()].sort((a, b) => a - b));
  });

  test('a connection cut mid-FETCH (at several byte offsets) loses and duplicates nothing', async () => {
    resetUser(env, 'user6');
    deliverMessages(env, 'user6', 'INBOX', generateSampleMail(120, { seed: 17 }));
    const proxy = await startCuttingProxy(env.host, env.implicitPort);
    const store = await openStore(':memory:');
    const plugin = new EmailPlugin({ store, session: { compress: false } });
    openPlugins.push(plugin);
    const accountId = await plugin.addAccount({
      email: 'user6@test',
      imap: { host: '127.0.0.1', port: proxy.port, user: 'user6', auth: { password: env.users.user6 as string }, tls: { ca } },
    });
    const cuts: string[] = [];
    for (const cutAfter of [20_000, 150_000, 400_000, 900_000]) {
      proxy.setCut(cutAfter);
      const outcome = await plugin.sync({ accountId, nowTs: 600, maxMessages: 1000 }).then(
        (r) => `ok:${r.new}`,
        (e: { code: string }) => e.code,
      );
      cuts.push(outcome);
      const state = await store.loadFolderState(accountId, 'INBOX');
      assert.equal((await store.countMessages(accountId)), state.cursor, 'cursor never ahead of the stored rows');
    }
    proxy.setCut(null);
    await plugin.sync({ accountId, nowTs: 601, maxMessages: 1000 });
    assert.ok(cuts.some((c) => c === 'NETWORK' || c === 'TLS'), cuts.join(','));
    assert.equal((await store.countMessages(accountId)), 120);
    assert.deepEqual([...(await storedState(store, accountId)).keys()].sort((a, b) => a - b), [...(await serverState('user6')).keys()].sort((a, b) => a - b));
    await plugin.close();
    await proxy.close();
  });

  test('the CLI syncs all folders into a file and reports JSON', async () => {
    deliverMessages(env, 'user5', 'INBOX', generateSampleMail(40, { seed: 15 }));
    deliverMessages(env, 'user5', 'Archive', generateSampleMail(5, { seed: 16 }));
    const dir = mkdtempSync(join(tmpdir(), 'prx-cli-'));
    const db = join(dir, 'mail.db');
    const cli = join(process.cwd(), 'dist/src/cli/main.js');
    type StatusJson = { accounts: Array<{ messages: number; folders: Array<{ folder: string; backlog: number | null }> }> };
    const readStatus = () => JSON.parse(execFileSync(process.execPath, [cli, 'status', '--db', db, '--json'], { encoding: 'utf8' })) as StatusJson;
    // A capped first run (INBOX only) leaves a backlog that `status` counts.
    execFileSync(
      process.execPath,
      [cli, 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'user5', '--password-env', 'PRX_PW', '--ca', env.caFile, '--max-messages', '25', '--db', db, '--json'],
      { env: { ...process.env, PRX_PW: env.users.user5 }, encoding: 'utf8' },
    );
    assert.deepEqual(readStatus().accounts[0]?.folders.map((f) => [f.folder, f.backlog]), [['INBOX', 15]]);
    const out = execFileSync(
      process.execPath,
      [cli, 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'user5', '--password-env', 'PRX_PW', '--ca', env.caFile, '--all-folders', '--db', db, '--json'],
      { env: { ...process.env, PRX_PW: env.users.user5 }, encoding: 'utf8' },
    );
    const report = JSON.parse(out) as { ok: boolean; folders: Array<{ folder: string; new: number }> };
    assert.equal(report.ok, true);
    assert.equal(report.folders.find((f) => f.folder === 'INBOX')?.new, 15);
    assert.equal(report.folders.find((f) => f.folder === 'Archive')?.new, 5);
    const status = readStatus();
    assert.equal(status.accounts[0]?.messages, 45);
    assert.deepEqual(
      status.accounts[0]?.folders.filter((f) => f.folder === 'INBOX' || f.folder === 'Archive').map((f) => [f.folder, f.backlog]),
      [['Archive', 0], ['INBOX', 0]],
    );
    let failed: { status: number | null; stdout: string } | null = null;
    try {
      execFileSync(process.execPath, [cli, 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'user5', '--password-env', 'PRX_PW', '--ca', env.caFile, '--db', db, '--json'], {
        env: { ...process.env, PRX_PW: 'wrong' },
        encoding: 'utf8',
      });
    } catch (error) {
      failed = error as { status: number | null; stdout: string };
    }
    assert.equal(failed?.status, 1);
    assert.equal((JSON.parse(failed?.stdout ?? '{}') as { error: { code: string } }).error.code, 'AUTH');
  });
});
