/**
 * The store-reading commands on a database filled from Dovecot by `sync --config`: `list`
 * (newest first, per folder, `--json`), `search` (literal match), `show` (summary, `--text`,
 * `--html`, `--raw` fetched back from the server byte for byte, without setting \Seen), all
 * while `watch` (the one-account daemon) holds the same file open and keeps writing it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { main } from '../../src/cli/main.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
const dir = mkdtempSync(join(tmpdir(), 'prx-readers-'));
const cli = join(process.cwd(), 'dist/src/cli/main.js');
/** Runs the CLI in this process (fast); the daemon it reads beside is a separate process. */
async function runBytes(args: string[], extra: Record<string, string> = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const code = await main(args, { ...process.env, ...extra }, { stdout: { write: (t: string | Uint8Array) => out.push(Buffer.from(t)), isTTY: false }, stderr: { write: (t: string | Uint8Array) => err.push(String(t)) } });
  if (code !== 0) throw new Error(`exit ${code}: ${err.join('')}${Buffer.concat(out).toString()}`);
  return Buffer.concat(out);
}
const run = async (args: string[], extra: Record<string, string> = {}): Promise<string> => (await runBytes(args, extra)).toString('utf8');

const plain = (subject: string, body: string, date: string): Uint8Array =>
  Buffer.from(`From: Ann <ann@example.com>\r\nTo: svc11@test\r\nSubject: ${subject}\r\nDate: ${date}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`);
const html = Buffer.from(
  'From: Bob <bob@example.com>\r\nTo: svc11@test\r\nSubject: Weekly 100% report\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <weekly@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Numbers are <b>up</b>.</p>\r\n',
);

describe('CLI readers: list, search, show', () => {
  before(() => {
    env = startDovecot();
    resetUser(env, 'svc11');
    deliverMessages(env, 'svc11', 'INBOX', [
      plain('Invoice 2024-17', 'Please pay the invoice.', 'Mon, 30 Nov 2026 09:00:00 +0000'),
      plain('Lunch?', 'Noodles at noon', 'Sun, 29 Nov 2026 12:00:00 +0000'),
      html,
    ]);
    deliverMessages(env, 'svc11', 'Archive', generateSampleMail(3, { seed: 77 }));
  });
  after(() => undefined);

  test('sync --config fills the database; list, search and show read it while watch keeps it open', async () => {
    const config = join(dir, 'config.json');
    const db = join(dir, 'mail.db');
    writeFileSync(config, JSON.stringify({ db, accounts: [{ name: 'r', host: env.host, port: env.implicitPort, user: 'svc11', passwordEnv: 'R_PW', ca: env.caFile, folders: ['INBOX', '\\Archive'] }] }));
    const synced = JSON.parse(await run(['sync', '--config', config, '--account', 'r', '--json'], { R_PW: env.users.svc11 as string })) as { ok: boolean; folders: Array<{ account: string; folder: string; new: number }> };
    assert.deepEqual(synced.folders.map((f) => [f.account, f.folder, f.new]), [['r', 'INBOX', 3], ['r', 'Archive', 3]]);

    // watch: the daemon for one account from flags, holding the same database.
    const watch = spawn(process.execPath, [cli, 'watch', '--host', env.host, '--port', String(env.implicitPort), '--user', 'svc11', '--password-env', 'R_PW', '--ca', env.caFile, '--db', db, '--log-format', 'json'], {
      env: { ...process.env, R_PW: env.users.svc11 },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    watch.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((resolve) => watch.on('exit', resolve));
    try {
      const end = Date.now() + 15_000;
      while (!/"state":"watching".*"folder":"INBOX"|"folder":"INBOX".*"state":"watching"/.test(log)) {
        assert.ok(Date.now() < end, `watch did not start IDLE: ${log}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      const listed = JSON.parse(await run(['list', '--db', db, '--folder', 'INBOX', '--json'])) as { messages: Array<{ id: number; subject: string; folders: string[]; from: string }> };
      assert.deepEqual(listed.messages.map((m) => m.subject), ['Weekly 100% report', 'Invoice 2024-17', 'Lunch?']);
      assert.deepEqual(listed.messages[1]?.folders, ['INBOX']);
      assert.equal(listed.messages[1]?.from, 'Ann <ann@example.com>');
      const table = await run(['list', '--db', db, '--limit', '2']);
      assert.match(table, /^id +date +from +subject +folder\n/);
      assert.equal(table.trim().split('\n').length, 4, table);
      assert.equal((JSON.parse(await run(['list', '--db', db, '--json', '--limit', '500'])) as { messages: unknown[] }).messages.length, 6);

      const found = JSON.parse(await run(['search', '100%', '--db', db, '--json'])) as { messages: Array<{ id: number; subject: string }> };
      assert.deepEqual(found.messages.map((m) => m.subject), ['Weekly 100% report'], 'a literal %, not a wildcard');
      assert.match(await run(['search', 'noodles', '--db', db]), /Lunch\?/);
      assert.match(await run(['search', 'nothing-like-this', '--db', db]), /^no messages$/m);

      const invoice = listed.messages[1]?.id as number;
      const summary = await run(['show', String(invoice), '--db', db]);
      assert.match(summary, /^subject: +Invoice 2024-17$/m);
      assert.match(summary, /^folders: +INBOX \(uid 1\)$/m, 'not \\Seen');
      assert.match(summary, /Please pay the invoice\./);
      assert.equal((await run(['show', String(invoice), '--text', '--db', db])).trim(), 'Please pay the invoice.');
      const weekly = found.messages[0]?.id as number;
      assert.match(await run(['show', String(weekly), '--html', '--db', db]), /<p>Numbers are <b>up<\/b>\.<\/p>/);
      const raw = await runBytes(['show', String(weekly), '--raw', '--config', config, '--db', db], { R_PW: env.users.svc11 as string });
      assert.ok(Buffer.compare(raw, html) === 0, 'the original bytes');
      // --raw used BODY.PEEK: still not \Seen.
      assert.match(await run(['show', String(weekly), '--db', db]), /^folders: +INBOX \(uid 3\)$/m);
      await assert.rejects(run(['show', '99999', '--db', db]), /no message with id 99999/);
      await assert.rejects(run(['list', '--db', join(dir, 'nope.db')]), /no database at/);

      // The daemon keeps writing the file the readers use.
      deliverMessages(env, 'svc11', 'INBOX', [plain('Pushed while watching', 'hi', 'Wed, 02 Dec 2026 08:00:00 +0000')]);
      const until = Date.now() + 10_000;
      for (;;) {
        const out = await run(['search', 'Pushed while watching', '--db', db, '--json']);
        if ((JSON.parse(out) as { messages: unknown[] }).messages.length === 1) break;
        assert.ok(Date.now() < until, 'the watched message reached the file');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      watch.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});
