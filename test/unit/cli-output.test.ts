/**
 * CLI output hygiene: `--password-env` / `--oauth-token-env` take only variable names and never
 * echo a value that is not one (human and --json output), and server-supplied text (folder
 * names, stored lastError, error messages) reaches the terminal without control characters or
 * escape sequences.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseCliArgs } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { terminalText } from '../../src/cli/terminal-text.js';
import { openStore } from '../../src/store/index.js';

const SECRET = 'hunter2-my-password';

/** Runs main() with stdout and stderr captured. */
async function runMain(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const capture = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    const code = await main(argv, env);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

const base = ['sync', '--host', '127.0.0.1', '--port', '1', '--user', 'alice', '--db', ':memory:'];

describe('CLI: secrets given where a variable name belongs are never echoed', () => {
  test('parseCliArgs refuses a value that is not a variable name without repeating it', () => {
    for (const option of ['--password-env', '--oauth-token-env']) {
      assert.throws(
        () => parseCliArgs([...base, option, SECRET], {}),
        (error: Error & { code?: string }) => error.code === 'CONFIG' && !error.message.includes(SECRET) && !error.message.includes('hunter2'),
      );
    }
  });

  test('human and --json output of main() do not contain the secret', async () => {
    for (const extra of [[], ['--json']]) {
      const { code, out } = await runMain([...base, '--password-env', SECRET, ...extra]);
      assert.equal(code, 1);
      assert.ok(out.includes('CONFIG'), out);
      assert.ok(!out.includes('hunter2'), out);
    }
  });

  test('--password-env=value (an unknown option) is not echoed either', async () => {
    const { out } = await runMain([...base, `--password-env=${SECRET}`, '--json']);
    assert.ok(out.includes('CONFIG') && !out.includes('hunter2'), out);
  });

  test('a valid but unset variable name is named in the error', () => {
    assert.throws(() => parseCliArgs([...base, '--password-env', 'PRX_TEST_UNSET_VAR'], {}), /PRX_TEST_UNSET_VAR/);
    const parsed = parseCliArgs([...base, '--password-env', 'PRX_PW'], { PRX_PW: 's3cret' });
    assert.equal(parsed.command === 'sync' ? parsed.connection.password : null, 's3cret');
  });
});

describe('CLI: server text reaches the terminal without control characters', () => {
  test('terminalText removes CSI/OSC/DCS sequences, C0/C1 controls, DEL and bidi overrides', () => {
    assert.equal(terminalText('a\u001b[2J\u001b[31mred\u001b[0m b'), 'ared b');
    assert.equal(terminalText('x\u001b]0;window title\u0007y\u001b]8;;http://evil\u001b\\z'), 'xyz');
    assert.equal(terminalText('\u009b31mc1\u0085\u007f\u0000\u0008bell\u0007'), 'c1bell');
    assert.equal(terminalText('abc\u202edcba\u2066'), 'abcdcba');
    assert.equal(terminalText('line1\nline2\ttab'), 'line1 line2 tab');
    assert.equal(terminalText('line1\nline2', true), 'line1\nline2');
    assert.equal(terminalText('Grüße 📬 INBOX/Archiv'), 'Grüße 📬 INBOX/Archiv');
  });

  test('status prints hostile folder names and stored errors without escapes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prx-cli-'));
    try {
      const db = join(dir, 'mail.db');
      const store = await openStore(db);
      const accountId = await store.upsertAccount({ email: 'alice@example.test\u001b[8m', provider: null, settings: {} }, 1);
      const folderId = await store.ensureFolder(accountId, 'INBOX\u001b[2J\u001b[H');
      await store.recordFailure(accountId, folderId, 'NO \u001b]0;pwned\u0007\u001b[31mmailbox gone\u009b0m\r', 2);
      await store.save();
      await store.close();
      const { code, out } = await runMain(['status', '--db', db]);
      assert.equal(code, 0);
      assert.ok(out.includes('mailbox gone'), out);
      assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(out), JSON.stringify(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
