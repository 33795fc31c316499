/**
 * `prx-email` argument parsing (src/cli/args.ts): commands, defaults, repeated and boolean
 * flags, secrets read only from the named environment variable, and a ConfigError (never a
 * crash) for every malformed command line, without the secret in its message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCliArgs, USAGE } from '../../src/cli/args.js';

const SECRET = 'pw-from-env-7f3a';
const env = { IMAP_PASSWORD: SECRET, IMAP_TOKEN: 'tok-from-env-91', EMPTY: '' };
const conn = ['--host', 'imap.example.test', '--user', 'me@example.test', '--password-env', 'IMAP_PASSWORD'];

describe('CLI arguments', () => {
  test('help in every spelling, and no command at all', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['sync', '--help'], ['status', '-h'], ['watch', ...conn, '--help']]) {
      assert.deepEqual(parseCliArgs(argv, env), { command: 'help' }, argv.join(' '));
    }
    assert.match(USAGE, /prx-email sync/);
  });

  test('sync: defaults, the secret from the named variable, folders in order', () => {
    const parsed = parseCliArgs(['sync', ...conn], env);
    assert.deepEqual(parsed, {
      command: 'sync',
      connection: { user: 'me@example.test', starttls: false, host: 'imap.example.test', password: SECRET },
      folders: ['INBOX'],
      allFolders: false,
      db: 'mail.db',
      maxMessages: 1000,
      json: false,
      limits: { cap: null, since: null },
    });
    const full = parseCliArgs(
      ['sync', ...conn, '--port', '143', '--starttls', '--ca', 'ca.pem', '--provider', 'fastmail', '--folder', 'Sent', '--folder', 'Archive', '--all-folders', '--db', '/tmp/x.db', '--max-messages', '25', '--json'],
      env,
    );
    assert.deepEqual(full, {
      command: 'sync',
      connection: { user: 'me@example.test', starttls: true, host: 'imap.example.test', port: 143, password: SECRET, caFile: 'ca.pem', provider: 'fastmail' },
      folders: ['Sent', 'Archive'],
      allFolders: true,
      db: '/tmp/x.db',
      maxMessages: 25,
      json: true,
      limits: { cap: 25, since: null },
    });
  });

  test('an OAuth token from its variable; the last of a repeated single-value flag wins', () => {
    const parsed = parseCliArgs(['sync', '--user', 'u', '--oauth-token-env', 'IMAP_TOKEN', '--provider', 'gmail', '--db', 'a.db', '--db', 'b.db'], env);
    assert.equal(parsed.command, 'sync');
    if (parsed.command !== 'sync') return;
    assert.equal(parsed.connection.oauthToken, 'tok-from-env-91');
    assert.equal(parsed.connection.password, undefined);
    assert.equal(parsed.connection.host, undefined, 'the provider fills the host later');
    assert.equal(parsed.db, 'b.db');
  });

  test('watch defaults to INBOX; status needs no connection', () => {
    const watch = parseCliArgs(['watch', ...conn], env);
    assert.equal(watch.command, 'watch');
    if (watch.command === 'watch') {
      assert.deepEqual(watch.folders, ['INBOX']);
      assert.equal(watch.maxMessages, 1000);
    }
    const team = parseCliArgs(['watch', ...conn, '--folder', 'Team'], env);
    assert.deepEqual(team.command === 'watch' ? team.folders : null, ['Team']);
    assert.deepEqual(parseCliArgs(['status'], {}), { command: 'status', db: 'mail.db', json: false });
    assert.deepEqual(parseCliArgs(['status', '--db', 'm.db', '--json'], {}), { command: 'status', db: 'm.db', json: true });
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['unknown option', ['sync', ...conn, '--pasword-env', 'X'], /unknown option '--pasword-env'/],
    ['a flag without its value', ['sync', ...conn, '--db'], /--db needs a value/],
    ['no user', ['sync', '--host', 'h', '--password-env', 'IMAP_PASSWORD'], /--user is required/],
    ['an empty user', ['sync', '--user', '', '--password-env', 'IMAP_PASSWORD'], /--user is required/],
    ['no secret variable', ['sync', '--user', 'u'], /exactly one of/],
    ['both secret variables', ['sync', '--user', 'u', '--password-env', 'IMAP_PASSWORD', '--oauth-token-env', 'IMAP_TOKEN'], /exactly one of/],
    ['an unset variable', ['sync', '--user', 'u', '--password-env', 'NOT_SET'], /NOT_SET \(from --password-env\) is not set/],
    ['an empty variable', ['sync', '--user', 'u', '--password-env', 'EMPTY'], /EMPTY \(from --password-env\) is not set/],
    ['a port that is not a number', ['sync', ...conn, '--port', 'imap'], /--port must be 1-65535/],
    ['port 0', ['sync', ...conn, '--port', '0'], /--port must be 1-65535/],
    ['port 65536', ['sync', ...conn, '--port', '65536'], /--port must be 1-65535/],
    ['a fractional port', ['sync', ...conn, '--port', '99.5'], /--port must be 1-65535/],
    ['max-messages 0', ['sync', ...conn, '--max-messages', '0'], /--max-messages must be an integer from 1 to 1000000/],
    ['max-messages not a number', ['sync', ...conn, '--max-messages', 'lots'], /--max-messages must be an integer from 1 to 1000000/],
    ['an unknown provider', ['sync', ...conn, '--provider', 'aol'], /unknown provider 'aol'/],
  ];
  for (const [name, argv, message] of bad) {
    test(`refused with a ConfigError: ${name}`, () => {
      assert.throws(
        () => parseCliArgs(argv, env),
        (error: { code?: string; message: string }) => {
          assert.equal(error.code, 'CONFIG');
          assert.match(error.message, message);
          assert.ok(!error.message.includes(SECRET), 'the secret is not in the message');
          return true;
        },
      );
    });
  }

  test('port limits 1 and 65535 are accepted', () => {
    for (const port of ['1', '65535']) {
      const parsed = parseCliArgs(['sync', ...conn, '--port', port], env);
      assert.equal(parsed.command === 'sync' && parsed.connection.port, Number(port));
    }
    const one = parseCliArgs(['sync', ...conn, '--max-messages', '1'], env);
    assert.equal(one.command === 'sync' && one.maxMessages, 1);
  });
});
