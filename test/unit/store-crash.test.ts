/**
 * A process killed (SIGKILL) at random moments while it saves leaves a file that opens and
 * holds a committed state: cursor == number of messages == highest stored UID.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { createRandom } from '../fuzz/mutate.js';
import { randomSeed } from '../support/property-config.js';

const writer = join(process.cwd(), 'dist/test/support/crash-writer.js');
/** The kill windows' seed: printed, so a failing run can be repeated with PRX_PROPERTY_SEED. */
const SEED = randomSeed();

/** The file's modification time in ms, or null while it does not exist. */
function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Waits (polling, at most 20 s) until the child has saved the file at least once since `since`,
 * so the kill lands while it is saving, however slow its start-up on a loaded machine. */
async function waitForSave(path: string, since: number | null): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const now = mtimeOf(path);
    if (now !== null && now !== since) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test(`SIGKILL during saves never leaves a torn or inconsistent file (seed ${SEED})`, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'prx-crash-')), 'mail.db');
  const kills = 16;
  const random = createRandom(SEED);
  let lastCursor = 0;
  for (let i = 0; i < kills; i++) {
    const before = mtimeOf(path);
    const child = spawn(process.execPath, [writer, path], { stdio: 'ignore' });
    await waitForSave(path, before);
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 100)));
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
