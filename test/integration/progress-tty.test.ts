/**
 * The `sync` progress bar under a real terminal (tmux): on a 2,000-message INBOX synced in two
 * calls of 1,000 (the CLI's call size; --max-messages would cap the whole run), every frame shows the whole backlog as the total (never the slice of one
 * call), megabytes of the whole backlog, a rate and an ETA; the final frame is `2000/2000` with
 * the real megabytes; `--all-folders` leaves one line per folder. tmux is installed with apt-get
 * when missing; only when that fails is the test skipped, saying why.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { before, describe, test } from 'node:test';
import { generateSampleMail } from '../../scripts/sample-mail.js';
import { deliverMessages, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

function ensureTmux(): string | null {
  const has = (): boolean => spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
  if (has()) return null;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['install', '-y', '-q', 'tmux'], { stdio: 'ignore', env }).status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-q', 'tmux'], { stdio: 'ignore', env });
  }
  return has() ? null : 'tmux is not installed and apt-get could not install it';
}

const tmuxMissing = ensureTmux();
let env: DovecotEnv;

describe('sync progress bar in a terminal', () => {
  before(() => {
    env = startDovecot();
  });

  test('shows the whole backlog, cumulative MB, rate and ETA, and ends at the true totals, one line per folder', { skip: tmuxMissing ?? false }, async () => {
    resetUser(env, 'tty1');
    deliverMessages(env, 'tty1', 'INBOX', generateSampleMail(2000, { seed: 900 }));
    deliverMessages(env, 'tty1', 'Archive', generateSampleMail(200, { seed: 901 }));
    const db = join(mkdtempSync(join(tmpdir(), 'prx-tty-')), 'mail.db');
    const session = `prx-progress-${process.pid}`;
    const command = [
      process.execPath, join(process.cwd(), 'dist/src/cli/main.js'), 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'tty1',
      '--password-env', 'TTY_PW', '--ca', env.caFile, '--all-folders', '--db', db,
    ].map((part) => `'${part}'`).join(' ');
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '220', '-y', '50', '-e', `TTY_PW=${env.users.tty1}`, `${command} >/dev/null; echo EXIT=$?; sleep 60`]);
    const frames: string[] = [];
    try {
      const end = Date.now() + 120_000;
      for (;;) {
        const screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
        frames.push(screen);
        if (/EXIT=\d+/.test(screen) || Date.now() > end) break;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    }
    const last = frames.at(-1) as string;
    assert.match(last, /EXIT=0/, last);
    const bar = /^(\S+) \[[#.]{24}\] (\d+)\/(\d+) msgs (\d+\.\d)\/(\d+\.\d) MB (\d+) msg\/s (\d+\.\d) MB\/s ETA (\S+)$/;
    const inbox = frames.flatMap((f) => f.split('\n')).map((line) => bar.exec(line.trimEnd())).filter((m) => m?.[1] === 'INBOX') as RegExpExecArray[];
    assert.ok(inbox.length > 0, frames.join('\n----\n'));
    // Every INBOX frame: the total is the whole backlog, and the MB total is the whole backlog's.
    const totalMb = Number(inbox.at(-1)?.[5]);
    assert.ok(totalMb > 10, `2,000 sample messages are tens of MB (got ${totalMb})`);
    for (const m of inbox) {
      assert.equal(m[3], '2000', m[0]);
      assert.equal(Number(m[5]), totalMb, m[0]);
    }
    // It moved through the run, with a rate and a time left while not done.
    const middle = inbox.filter((m) => Number(m[2]) > 0 && Number(m[2]) < 2000);
    assert.ok(middle.length > 0, 'at least one frame mid-way');
    for (const m of middle) {
      assert.ok(Number(m[6]) > 0, m[0]);
      assert.match(m[8] as string, /^\d+(s|m\d\ds)$/, m[0]);
    }
    // The last frame: one line per folder, INBOX and Archive at their true totals.
    const finalLines = last.split('\n').map((line) => bar.exec(line.trimEnd())).filter(Boolean) as RegExpExecArray[];
    const finalInbox = finalLines.find((m) => m[1] === 'INBOX');
    assert.equal(finalInbox?.[2], '2000');
    assert.equal(Number(finalInbox?.[4]), totalMb);
    assert.equal(finalInbox?.[8], '0s');
    const archive = finalLines.find((m) => m[1] === 'Archive');
    assert.equal(archive?.[2], '200');
    assert.equal(archive?.[3], '200');
    assert.ok(Number(archive?.[4]) > 0);
    assert.ok(finalLines.some((m) => m[1] === 'Sent' && m[2] === '0' && m[3] === '0'), 'empty folders get their line too');
  });
});
