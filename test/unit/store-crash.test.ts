/**
 * A process killed (SIGKILL) at random moments while it saves leaves a file that opens and
 * holds a committed state: cursor == number of messages == highest stored UID.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';

const writer = join(process.cwd(), 'dist/test/support/crash-writer.js');

test('SIGKILL during saves never leaves a torn or inconsistent file', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'prx-crash-')), 'mail.db');
  const kills = 12;
  let lastCursor = 0;
  for (let i = 0; i < kills; i++) {
    const child = spawn(process.execPath, [writer, path], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(Math.random() * 400)));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    if (!existsSync(path)) continue;
    const store = await openStore(path, { autosaveIntervalMs: null });
    const account = store.listAccounts()[0];
    if (account) {
      const state = store.loadFolderState(account.id, 'INBOX');
      const count = store.countMessages(account.id);
      assert.equal(count, state.cursor, `kill ${i}: cursor ${state.cursor} but ${count} messages`);
      assert.equal(state.liveCount, count);
      assert.ok(state.cursor >= lastCursor, 'committed state never goes backwards');
      lastCursor = state.cursor;
    }
    store.close();
  }
  assert.ok(lastCursor > 0, 'the writer made progress between kills');
  console.log(`crash test: ${kills} kills, final cursor ${lastCursor}`);
});
