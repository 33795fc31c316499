/**
 * `prx-email daemon` as a process against the real Dovecot: SIGTERM in the middle of a large
 * initial sync exits 0 within 5 s and leaves a database whose cursor covers only stored messages,
 * which the next run completes without duplicates; a passwordCommand's output (and a wrong one)
 * never appears in the logs (text or JSON) or the database file; SIGHUP reloads the config file
 * (an added account starts syncing; a broken file is reported and the running config kept).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openImapSession } from '../../src/imap/session/client.js';
import { openStore } from '../../src/store/index.js';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { caPem, deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
const dir = mkdtempSync(join(tmpdir(), 'prx-daemon-'));
const cli = join(process.cwd(), 'dist/src/cli/main.js');
const children: ChildProcess[] = [];

interface Daemon {
  child: ChildProcess;
  output(): string;
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function startDaemon(args: string[], extraEnv: Record<string, string> = {}): Daemon {
  const child = spawn(process.execPath, [cli, 'daemon', ...args], { env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  const waiters: Array<() => void> = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const wake of waiters.splice(0)) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return {
    child,
    output: () => text,
    exit,
    async waitForLine(pattern, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const line = text.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (Date.now() > end) throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log:\n${text}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

async function serverUids(user: string): Promise<number> {
  const client = await openImapSession({ host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] as string }, tls: { ca: caPem(env) } });
  const selected = await client.select('INBOX', { readOnly: true });
  await client.logout();
  return selected.exists;
}

describe('prx-email daemon (process)', () => {
  before(() => {
    env = startDovecot();
  });
  after(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('SIGTERM during a large sync: exit 0 within 5 s, a consistent database, and the next run completes it', async () => {
    resetUser(env, 'svc6');
    const total = 4000;
    deliverMessages(env, 'svc6', 'INBOX', generateSampleMail(total, { seed: 500 }));
    const db = join(dir, 'big.db');
    const config = join(dir, 'big.json');
    writeFileSync(config, JSON.stringify({ db, accounts: [{ name: 'big', host: env.host, port: env.implicitPort, user: 'svc6', passwordEnv: 'BIG_PW', ca: env.caFile, maxMessagesPerSync: 200 }] }));
    const daemon = startDaemon(['--config', config], { BIG_PW: env.users.svc6 as string });
    await daemon.waitForLine(/big: syncing/, 20_000);
    // Let a few batches land, then stop it in the middle.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const sentAt = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exit;
    assert.equal(exit.code, 0, daemon.output());
    assert.ok(exit.at - sentAt < 5_000, `exit took ${exit.at - sentAt} ms`);
    process.stdout.write(`# SIGTERM -> exit in ${exit.at - sentAt} ms\n`);
    assert.match(daemon.output(), /SIGTERM: stopping/);
    assert.match(daemon.output(), /stopped/);

    const store = await openStore(db);
    const account = (await store.listAccounts())[0];
    assert.ok(account);
    const state = await store.loadFolderState(account.id, 'INBOX');
    const stored = (await store.folderCounts(account.id)).find((f) => f.folder === 'INBOX')?.live ?? 0;
    assert.ok(stored < total, `the stop came mid-sync (stored ${stored} of ${total})`);
    // The covered range is exactly what is stored: UIDs coveredFrom..cursor, newest first
    // (fresh mailbox: dense UIDs).
    const locations = await store.listLocations(state.folderId, state.uidValidity ?? -1);
    const covered = state.cursor - state.coveredFrom + 1;
    assert.equal(locations.filter((l) => l.uid >= state.coveredFrom && l.uid <= state.cursor).length, covered);
    assert.equal(stored, covered, 'nothing outside the committed range');
    await store.close();

    // The next run (a one-shot sync with the same config) completes it.
    const out = execFileSync(process.execPath, [cli, 'sync', '--config', config, '--json'], { env: { ...process.env, BIG_PW: env.users.svc6 }, encoding: 'utf8' });
    const report = JSON.parse(out) as { ok: boolean; folders: Array<{ account: string; folder: string; new: number }> };
    assert.equal(report.ok, true);
    const after = await openStore(db);
    const id = (await after.listAccounts())[0]?.id as number;
    assert.equal((await after.folderCounts(id)).find((f) => f.folder === 'INBOX')?.live, total);
    assert.equal(await after.countMessages(id), total);
    assert.equal(await serverUids('svc6'), total);
    await after.close();
  });

  test('passwordCommand works and its output never reaches the logs or the database; a wrong one is an AUTH error without the secret', async () => {
    resetUser(env, 'svc7');
    resetUser(env, 'svc8');
    deliverMessages(env, 'svc7', 'INBOX', generateSampleMail(3, { seed: 600 }));
    const secret = env.users.svc7 as string;
    const wrong = 'wrong-secret-do-not-log-7d1f';
    const passFile = join(dir, 'svc8.pass');
    writeFileSync(passFile, `${wrong}\n`);
    chmodSync(passFile, 0o600);
    const db = join(dir, 'secrets.db');
    const config = join(dir, 'secrets.json');
    writeFileSync(
      config,
      JSON.stringify({
        accounts: [
          { name: 'cmd', host: env.host, port: env.implicitPort, user: 'svc7', passwordCommand: [process.execPath, '-e', `process.stdout.write(${JSON.stringify(secret)})`], ca: env.caFile },
          { name: 'file', host: env.host, port: env.implicitPort, user: 'svc8', passwordFile: passFile, ca: env.caFile },
        ],
      }),
    );
    for (const format of ['json', 'text']) {
      const daemon = startDaemon(['--config', config, '--db', db, '--log-format', format]);
      await daemon.waitForLine(format === 'json' ? /"event":"synced".*"account":"cmd"/ : /cmd\/INBOX: \+\d+/, 15_000);
      // The first run meets the AUTH error; the second finds the long backoff in the store and
      // does not try to log in at all.
      await daemon.waitForLine(format === 'json' ? /"code":"AUTH"/ : /file: auth-failed \(AUTH, retry at /, 15_000);
      if (format === 'text') assert.doesNotMatch(daemon.output(), /file\/INBOX: connecting/);
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.exit).code, 0);
      const log = daemon.output();
      assert.ok(!log.includes(secret), `the password appears in the ${format} log`);
      assert.ok(!log.includes(wrong), `the wrong password appears in the ${format} log`);
      if (format === 'json') for (const line of log.trim().split('\n')) JSON.parse(line); // one JSON object per line
    }
    const bytes = readFileSync(db);
    assert.equal(bytes.includes(Buffer.from(secret)), false);
    assert.equal(bytes.includes(Buffer.from(wrong)), false);
    const store = await openStore(db);
    const cmd = (await store.listAccounts()).find((a) => a.email === 'svc7');
    assert.equal(await store.countMessages(cmd?.id as number), 3);
    await store.close();

    // A password file others can read is refused before anything connects.
    chmodSync(passFile, 0o644);
    const refused = startDaemon(['--config', config, '--db', db]);
    assert.equal((await refused.exit).code, 1);
    assert.match(refused.output(), /CONFIG: account file: passwordFile .* is readable by others/);
    assert.ok(!refused.output().includes(wrong));
  });

  test('SIGHUP reloads the config: an added account starts syncing; a broken file keeps the running config', async () => {
    resetUser(env, 'svc9');
    resetUser(env, 'svc10');
    deliverMessages(env, 'svc9', 'INBOX', generateSampleMail(2, { seed: 700 }));
    deliverMessages(env, 'svc10', 'INBOX', generateSampleMail(4, { seed: 701 }));
    const config = join(dir, 'reload.json');
    const account = (name: string, user: string) => ({ name, host: env.host, port: env.implicitPort, user, passwordEnv: `PW_${user}`, ca: env.caFile });
    writeFileSync(config, JSON.stringify({ db: 'reload.db', accounts: [account('a', 'svc9')] }));
    const daemon = startDaemon(['--config', config, '--log-format', 'json'], { PW_svc9: env.users.svc9 as string, PW_svc10: env.users.svc10 as string });
    await daemon.waitForLine(/"event":"synced".*"account":"a".*"new":2/, 15_000);
    writeFileSync(config, '{ "accounts": [ { "name": "a", "port": 99999 } ] }');
    daemon.child.kill('SIGHUP');
    await daemon.waitForLine(/"event":"reload_failed".*"code":"CONFIG".*accounts\[0\]/, 5_000);
    writeFileSync(config, JSON.stringify({ db: 'reload.db', accounts: [account('a', 'svc9'), account('b', 'svc10')] }));
    daemon.child.kill('SIGHUP');
    await daemon.waitForLine(/"event":"reloaded"/, 5_000);
    await daemon.waitForLine(/"event":"synced".*"account":"b".*"new":4/, 15_000);
    assert.ok(daemon.child.exitCode === null, 'still running after two reloads');
    daemon.child.kill('SIGINT');
    assert.equal((await daemon.exit).code, 0);
    // The database named in the config file is relative to the config file.
    const store = await openStore(join(dir, 'reload.db'));
    assert.deepEqual((await store.listAccounts()).map((a) => a.email).sort(), ['svc10', 'svc9']);
    await store.close();
  });
});
