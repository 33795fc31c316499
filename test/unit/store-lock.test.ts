/**
 * The file engine across processes: a live owner makes others wait and then fail with LOCKED; a
 * SIGKILLed owner's lock is taken over (its half-done transaction rolled back); processes opening
 * one new file at once all migrate it; two writer processes on one file lose no batch, and a
 * reader in a third process is served while they run.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { lockPathFor, readLockOwner } from '../../src/store/engine/file-lock.js';
import { openStore } from '../../src/store/index.js';

const holder = join(process.cwd(), 'dist/test/support/lock-holder.js');
const writer = join(process.cwd(), 'dist/test/support/crash-writer.js');

function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(line)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before "${line}"`)));
  });
}

test('a live owner makes another process wait, then LOCKED; a SIGKILLed owner is taken over', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'prx-lock-')), 'mail.db');
  const setup = await openStore(path);
  await setup.close();
  const child = spawn(process.execPath, [holder, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForLine(child, 'held');
  const owner = readLockOwner(lockPathFor(path));
  assert.deepEqual({ pid: owner?.pid, host: owner?.host }, { pid: child.pid, host: hostname() });
  const started = Date.now();
  await assert.rejects(openStore(path, { busyTimeoutMs: 400 }), { code: 'LOCKED' });
  assert.ok(Date.now() - started >= 400, 'waited for the busy timeout');

  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(lockPathFor(path)), 'the dead owner left its lock behind');
  const store = await openStore(path, { busyTimeoutMs: 2_000 });
  assert.equal((await store.db.one('PRAGMA integrity_check'))?.integrity_check, 'ok');
  assert.equal(await store.getRunnerState('holder'), null, "the dead owner's uncommitted row is gone");
  await store.putRunnerState('after', { nextAllowedAt: 1, failureCount: 0, lastError: null, lastAttemptAt: null });
  await store.close();
  assert.deepEqual(readdirSync(dirname(path)), ['mail.db']);
});

test('processes that open one new file at the same moment all migrate it without error', async () => {
  for (let round = 0; round < 3; round++) {
    const path = join(mkdtempSync(join(tmpdir(), 'prx-lock-')), 'mail.db');
    const folders = ['INBOX', 'Archive', 'Sent', 'Drafts'];
    const children = folders.map((folder) => spawn(process.execPath, [writer, path, 'file', folder, '1'], { stdio: ['ignore', 'ignore', 'inherit'] }));
    const codes = await Promise.all(children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve))));
    assert.deepEqual(codes, folders.map(() => 0), `round ${round}: every opener migrated or found the file migrated`);
    const store = await openStore(path);
    const accountId = (await store.listAccounts())[0]?.id as number;
    assert.equal(await store.countMessages(accountId), folders.length * 20);
    await store.close();
  }
});

test('two writer processes on one file lose no batch; a reader is served while they write', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'prx-lock-')), 'mail.db');
  const batches = 15;
  const pauseAfter = 5;
  const children = ['INBOX', 'Archive'].map((folder) =>
    spawn(process.execPath, [writer, path, 'file', folder, String(batches), String(pauseAfter)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const exits = children.map((child) => new Promise<number | null>((resolve) => child.once('exit', resolve)));
  // Both writers stop after their 5th batch: a reader in this process sees exactly the batches
  // committed so far (a mid-way state), whatever the speed of the machine.
  await Promise.all(children.map((child) => waitForLine(child, 'paused')));
  const reader = await openStore(path, { busyTimeoutMs: 10_000 });
  const accountId = (await reader.listAccounts())[0]?.id as number;
  const midway = await reader.countMessages(accountId);
  assert.equal(midway, 2 * pauseAfter * 20, 'mid-way the reader sees the committed batches of both writers, and nothing else');
  let running = true;
  void Promise.all(exits).then(() => {
    running = false;
  });
  for (const child of children) child.stdin?.end('go\n');
  // Reads from this process while both writers run: each is answered between their transactions.
  const counts: number[] = [midway];
  while (running) {
    counts.push(await reader.countMessages(accountId));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(await Promise.all(exits), [0, 0], 'both writers finished without error');
  assert.equal(await reader.countMessages(accountId), 2 * batches * 20, 'every batch of both writers is there');
  for (const folder of ['INBOX', 'Archive']) {
    const state = await reader.loadFolderState(accountId, folder);
    assert.equal(state.cursor, batches * 20);
    assert.equal(state.liveCount, batches * 20);
  }
  await reader.close();
  assert.ok(counts.every((n) => n % 20 === 0), `never a half-applied batch: ${counts.join(',')}`);
  for (let i = 1; i < counts.length; i++) assert.ok((counts[i] as number) >= (counts[i - 1] as number), `counts never go back: ${counts.join(',')}`);
  console.log(`two writers: ${counts.length} reads served while they ran (${counts.filter((n) => n < 2 * batches * 20).length} mid-way)`);
});
