/**
 * EmailPlugin end to end on the real client, session adapter and sql.js store, against a tiny
 * in-memory IMAP server: syncAll (every selectable folder, INBOX first, failures per folder),
 * runSyncRunner (results, persisted backoff), connection reuse and reopening, unknown accounts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { addMailbox, createMiniState, deliver, miniServerConnector, type MiniServerState } from '../support/mini-imap-server.js';
import { makeRaw, simpleParse } from '../support/simple-parse.js';

async function setup(state: MiniServerState): Promise<{ plugin: EmailPlugin; store: Store; accountId: number; connector: ReturnType<typeof miniServerConnector> }> {
  const store = await openStore(':memory:');
  const connector = miniServerConnector(state, { user: 'me', password: 'pw' });
  const plugin = new EmailPlugin({ store, parse: simpleParse, session: { connectTransport: connector.connect, compress: false } });
  const accountId = await plugin.addAccount({ email: 'me@example.test', imap: { host: 'mini.example.test', port: 993, user: 'me', auth: { password: 'pw' } } }, 1);
  return { plugin, store, accountId, connector };
}

function mailboxes(): MiniServerState {
  const state = createMiniState();
  const archive = addMailbox(state, 'Archive', { uidValidity: 7 });
  for (let i = 0; i < 2; i++) deliver(archive, makeRaw(100 + i));
  const inbox = addMailbox(state, 'INBOX', { uidValidity: 3 });
  for (let i = 0; i < 3; i++) deliver(inbox, makeRaw(i), i === 0 ? ['\\Seen'] : []);
  addMailbox(state, 'Broken', { refuse: '[SERVERBUG] cannot open' });
  addMailbox(state, 'Parent', { noselect: true });
  return state;
}

describe('EmailPlugin', () => {
  test('syncAll syncs every selectable folder, INBOX first, and reports failures per folder', async () => {
    const state = mailboxes();
    const { plugin, store, accountId } = await setup(state);
    const results = await plugin.syncAll(accountId, { nowTs: 10, maxMessages: 100 });
    assert.deepEqual(
      results.map((r) => r.folder),
      ['INBOX', 'Archive', 'Broken'],
      'INBOX first, then by name; the \\Noselect folder is left out',
    );
    assert.equal(results[0]?.result?.new, 3);
    assert.equal(results[1]?.result?.new, 2);
    assert.equal(results[2]?.result, undefined);
    assert.equal(results[2]?.error?.code, 'NO', 'a folder that cannot be opened fails alone');
    assert.equal((await store.listMessages({ accountId, folder: 'INBOX', limit: 10 })).length, 3);
    assert.equal((await store.listMessages({ accountId, folder: 'Archive', limit: 10 })).length, 2);
    assert.deepEqual(
      (await store.listFolders(accountId)).map((f) => f.name).sort(),
      ['Archive', 'Broken', 'INBOX', 'Parent'],
      'listed folders are recorded',
    );
    assert.equal(state.connections, 1, 'one connection, reused across folders (a NO does not drop it)');
    // No FETCH of bodies with BODY[] (which would set \Seen): only BODY.PEEK[].
    assert.ok(!state.commands.some((c) => /BODY\[\]/i.test(c)));
    assert.ok(state.commands.some((c) => /BODY\.PEEK\[\]/i.test(c)));

    // A second pass finds nothing new; new mail in one folder is picked up.
    deliver(state.mailboxes.get('Archive') as never, makeRaw(200));
    const again = await plugin.syncAll(accountId, { nowTs: 11, maxMessages: 100 });
    assert.deepEqual(
      again.map((r) => [r.folder, r.result?.new ?? r.error?.code]),
      [
        ['INBOX', 0],
        ['Archive', 1],
        ['Broken', 'NO'],
      ],
    );
    await plugin.close();
    await store.close();
  });

  test('runSyncRunner runs the jobs, reports per job and persists backoff in the store', async () => {
    const state = mailboxes();
    const { plugin, store, accountId } = await setup(state);
    const jobs = ['INBOX', 'Archive', 'Broken'].map((folder) => ({ accountId, folder, maxMessages: 100 }));
    const report = await plugin.runSyncRunner(jobs, 1000, { maxConcurrency: 4, baseBackoffSeconds: 10, maxBackoffSeconds: 300 });
    assert.equal(report.attempted, 3);
    assert.equal(report.succeeded, 2);
    assert.equal(report.failed, 1);
    const byFolder = new Map(report.results.map((r) => [r.folder, r]));
    assert.equal(byFolder.get('INBOX')?.result?.newMessages, 3);
    assert.equal(byFolder.get('Archive')?.result?.newMessages, 2);
    assert.equal(byFolder.get('Broken')?.error?.code, 'NO');
    const broken = await store.getRunnerState(`${accountId}::Broken`);
    assert.equal(broken?.failureCount, 1);
    assert.equal(broken?.nextAllowedAt, 1010);
    assert.equal((await store.getRunnerState(`${accountId}::INBOX`))?.failureCount, 0);
    assert.deepEqual({ ...plugin.metrics, bytes: 0 }, { attempts: 3, successes: 2, failures: 1, messages: 5, bytes: 0 });
    assert.ok(plugin.metrics.bytes > 0);

    // Within the backoff window the failed job is skipped; the others run.
    const next = await plugin.runSyncRunner(jobs, 1005, { baseBackoffSeconds: 10 });
    assert.equal(next.skipped, 1);
    assert.equal(next.succeeded, 2);
    assert.equal(new Map(next.results.map((r) => [r.folder, r.status])).get('Broken'), 'skipped-backoff');
    await plugin.close();
    await store.close();
  });

  test('a dropped connection is reopened by the next call; the interrupted sync loses nothing', async () => {
    const state = mailboxes();
    const { plugin, store, accountId, connector } = await setup(state);
    const first = await plugin.sync({ accountId, folder: 'INBOX', nowTs: 1 });
    assert.equal(first.new, 3);
    connector.servers[0]?.hangUp(null);
    await new Promise((resolve) => setImmediate(resolve));
    deliver(state.mailboxes.get('INBOX') as never, makeRaw(300));
    const second = await plugin.sync({ accountId, folder: 'INBOX', nowTs: 2 });
    assert.equal(second.new, 1);
    assert.equal(second.cursor, 4);
    assert.equal(state.connections, 2);
    await plugin.close();
    await store.close();
  });

  test('an account not registered in this process, and a bad cursor, are CONFIG errors', async () => {
    const state = mailboxes();
    const { plugin, store, accountId } = await setup(state);
    await assert.rejects(plugin.sync({ accountId: accountId + 1, nowTs: 1 }), { code: 'CONFIG' });
    await assert.rejects(plugin.sync({ accountId, nowTs: 1, cursor: 'abc' }), { code: 'CONFIG' });
    await assert.rejects(plugin.sync({ accountId, nowTs: 1, cursor: -1 }), { code: 'CONFIG' });
    assert.equal(state.connections, 0, 'nothing was opened for a bad request');
    // A cursor given explicitly starts after it.
    const result = await plugin.sync({ accountId, folder: 'INBOX', nowTs: 1, cursor: '2' });
    assert.equal(result.new, 1);
    assert.equal(result.cursor, 3);
    await plugin.close();
    await store.close();
  });

  test('a wrong password is an AUTH error and the next call tries again', async () => {
    const state = mailboxes();
    const store = await openStore(':memory:');
    const connector = miniServerConnector(state, { user: 'me', password: 'right' });
    const plugin = new EmailPlugin({ store, parse: simpleParse, session: { connectTransport: connector.connect, compress: false } });
    const accountId = await plugin.addAccount({ email: 'me@example.test', imap: { host: 'mini.example.test', port: 993, user: 'me', auth: { password: 'wrong' } } }, 1);
    await assert.rejects(plugin.sync({ accountId, nowTs: 1 }), { code: 'AUTH' });
    await assert.rejects(plugin.sync({ accountId, nowTs: 2 }), { code: 'AUTH' });
    assert.equal(state.connections, 2, 'a failed login is not cached');
    await plugin.addAccount({ email: 'me@example.test', imap: { host: 'mini.example.test', port: 993, user: 'me', auth: { password: 'right' } } }, 3);
    assert.equal((await plugin.sync({ accountId, nowTs: 3 })).new, 3, 're-registering with the right password works');
    await plugin.close();
    await store.close();
  });
});
