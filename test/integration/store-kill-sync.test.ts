/**
 * SIGKILL at random points of a real sync (Dovecot, file engine, MIME workers, batches of
 * messages, index maintenance by the FTS triggers): after every kill the file opens without
 * manual steps (the dead owner's lock is taken over, a hot journal rolled back), passes
 * integrity_check and FTS5's own index check, never has its covered UID range ahead of the stored rows; a
 * sync resumed afterwards converges on the server.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { caPem, deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

const child = join(process.cwd(), 'dist/test/support/sync-child.js');
const USER = 'kill1';
const MESSAGES = 1500;
const KILLS = 20;
let env: DovecotEnv;

before(() => {
  env = startDovecot();
  resetUser(env, USER);
  deliverMessages(env, USER, 'INBOX', generateSampleMail(MESSAGES, { seed: 31 }));
});

test(`SIGKILL at ${KILLS} random points of a real sync leaves a file that opens, checks and converges`, async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'prx-kill-sync-')), 'mail.db');
  const config = { db, host: env.host, port: env.implicitPort, user: USER, password: env.users[USER] as string, ca: caPem(env), maxMessages: 100_000 };
  let lastCursor = 0;
  let finished = false;
  const cursors: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const proc = spawn(process.execPath, [child], { env: { ...process.env, PRX_SYNC_CHILD: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    // Kill points are spread over the initial sync whatever the speed of the machine: kill i of
    // the first 12 waits until the folder's stored count passes a random point of the i-th
    // twelfth of the mailbox, then a random moment more (between batches, mid-FETCH, mid-commit).
    // The later kills fall wherever the child is, usually in an already complete sync.
    const target = i < 12 ? Math.floor(((i + Math.random()) * MESSAGES) / 12) : 0;
    const storedByChild = () => Math.max(0, ...[...out.matchAll(/progress (\d+)/g)].map((m) => Number(m[1])));
    const reached = new Promise<void>((resolve) =>
      proc.stdout.on('data', () => lastCursor + storedByChild() >= target && out.includes('progress') && resolve()),
    );
    await Promise.race([reached, exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20))), exited]);
    proc.kill('SIGKILL');
    await exited;
    finished ||= out.includes('synced');
    if (!existsSync(db)) continue;
    const store = await openStore(db, { busyTimeoutMs: 5_000 });
    assert.equal((await store.db.one('PRAGMA integrity_check'))?.integrity_check, 'ok', `kill ${i}`);
    // FTS5's own check of the index against the messages table (throws when they differ).
    await store.db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    const account = (await store.listAccounts())[0];
    if (account) {
      const state = await store.loadFolderState(account.id, 'INBOX');
      if (state.uidValidity !== null) {
        const stored = new Set((await store.listLocations(state.folderId, state.uidValidity)).map((l) => l.uid));
        // Delivered UIDs are 1..MESSAGES, synced newest first: every UID of the covered range
        // [coveredFrom, cursor] must be stored.
        for (let uid = state.coveredFrom; uid <= state.cursor; uid++) {
          assert.ok(stored.has(uid), `kill ${i}: UID ${uid} in [${state.coveredFrom}, ${state.cursor}] missing`);
        }
      }
      // How much of the folder the committed range covers: it never shrinks.
      const covered = state.cursor === 0 ? 0 : state.cursor - state.coveredFrom + 1;
      assert.ok(covered >= lastCursor, `the committed range never shrinks (${covered} < ${lastCursor})`);
      lastCursor = covered;
    }
    cursors.push(lastCursor);
    await store.close();
  }
  // Resume in this process: the sync completes and equals the server.
  const store = await openStore(db, { busyTimeoutMs: 5_000 });
  const plugin = new EmailPlugin({ store });
  const accountId = await plugin.addAccount({
    email: `${USER}@test`,
    imap: { host: env.host, port: env.implicitPort, user: USER, auth: { password: env.users[USER] as string }, tls: { ca: caPem(env) } },
  });
  for (;;) {
    const result = await plugin.sync({ accountId, nowTs: Math.floor(Date.now() / 1000), maxMessages: 1000 });
    if (result.remaining === 0) break;
  }
  await plugin.close();
  const state = await store.loadFolderState(accountId, 'INBOX');
  assert.equal(state.liveCount, MESSAGES);
  assert.equal(state.cursor, MESSAGES);
  assert.equal(state.coveredFrom, 1);
  assert.equal(await store.countMessages(accountId), MESSAGES);
  assert.equal((await store.db.one('PRAGMA integrity_check'))?.integrity_check, 'ok');
  await store.close();
  assert.deepEqual(readdirSync(dirname(db)), ['mail.db'], 'no journal, lock or temporary file is left');
  assert.ok(new Set(cursors.filter((c) => c < MESSAGES)).size >= 4, `kills at varied points of the initial sync: ${cursors.join(',')}`);
  console.log(`kill-during-sync: messages covered after each kill ${cursors.join(',')} of ${MESSAGES}`);
});
