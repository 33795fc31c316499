/**
 * The service's config file and secret sources: the example and every alternative parse;
 * each mistake is a CONFIG error naming its field; passwordCommand runs without a shell and its
 * output never reaches an error; passwordFile must be owner-only; an oauthTokenCommand is run
 * again for a refreshed token.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isPrxError } from '../../src/errors.js';
import { resolveServiceAccount } from '../../src/sync/service/accounts.js';
import { DEFAULT_SCHEDULE, loadServiceConfig, validateServiceConfig } from '../../src/sync/service/config.js';
import { resolveSecret } from '../../src/sync/service/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'prx-config-'));
const base = { name: 'work', host: 'imap.example.com', user: 'me@example.com', passwordEnv: 'PW' };

function configError(value: unknown): string {
  try {
    validateServiceConfig(value);
  } catch (error) {
    assert.ok(isPrxError(error) && error.code === 'CONFIG', String(error));
    return (error as Error).message;
  }
  assert.fail('accepted an invalid config');
}

async function rejects(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isPrxError(error) && error.code === 'CONFIG', String(error));
    return (error as Error).message;
  }
  assert.fail('resolved');
}

describe('service config file', () => {
  test("the issue's example parses, with defaults filled in", () => {
    const config = validateServiceConfig({
      accounts: [{ name: 'work', host: 'imap.example.com', port: 993, user: 'me@example.com', passwordEnv: 'WORK_IMAP_PASSWORD', ca: '/etc/ssl/private-ca.pem', folders: ['INBOX', '\\Sent'] }],
      schedule: { intervalSeconds: 300, maxConcurrency: 4 },
    });
    const [account] = config.accounts;
    assert.deepEqual(account?.secret, { kind: 'passwordEnv', variable: 'WORK_IMAP_PASSWORD' });
    assert.deepEqual(account?.folders, [{ kind: 'name', name: 'INBOX' }, { kind: 'special-use', use: '\\Sent' }]);
    assert.equal(account?.email, 'me@example.com');
    assert.equal(account?.port, 993);
    assert.equal(account?.ca, '/etc/ssl/private-ca.pem');
    assert.equal(account?.maxConnections, 2);
    assert.deepEqual(config.schedule, { ...DEFAULT_SCHEDULE, intervalSeconds: 300, maxConcurrency: 4 });
  });

  test('the alternatives: provider, tls, passwordCommand, passwordFile, oauthTokenEnv, oauthTokenCommand, folders "all"', () => {
    const config = validateServiceConfig({
      db: 'mail.db',
      accounts: [
        { name: 'a', provider: 'gmail', user: 'a@gmail.com', oauthTokenEnv: 'TOKEN', folders: 'all' },
        { name: 'b', host: 'h', tls: 'starttls', user: 'b', passwordCommand: ['pass', 'show', 'mail/b'] },
        { name: 'c', host: 'h', user: 'c', passwordFile: '/run/secrets/c' },
        { name: 'd', host: 'h', user: 'd', oauthTokenCommand: ['get-token', '--user', 'd'], idleFolders: ['INBOX', 'Lists'], maxConnections: 3 },
      ],
    });
    assert.equal(config.db, 'mail.db');
    assert.deepEqual(config.accounts.map((a) => a.secret.kind), ['oauthTokenEnv', 'passwordCommand', 'passwordFile', 'oauthTokenCommand']);
    assert.equal(config.accounts[0]?.folders, 'all');
    assert.equal(config.accounts[0]?.provider, 'gmail');
    assert.equal(config.accounts[1]?.tls, 'starttls');
    assert.deepEqual(config.accounts[1]?.secret, { kind: 'passwordCommand', argv: ['pass', 'show', 'mail/b'] });
    assert.deepEqual(config.accounts[3]?.idleFolders, ['INBOX', 'Lists']);
    assert.equal(config.accounts[3]?.maxConnections, 3);
  });

  test('every mistake names its field', () => {
    assert.match(configError([]), /\(top level\) must be a JSON object/);
    assert.match(configError({}), /accounts must be a non-empty array/);
    assert.match(configError({ accounts: [base], extra: 1 }), /\(top level\)\.extra is not a known field/);
    assert.match(configError({ accounts: [{ ...base, port: 99999 }] }), /accounts\[0\]\.port must be an integer from 1 to 65535/);
    assert.match(configError({ accounts: [base, { ...base, port: '993' }] }), /accounts\[1\]\.port must be an integer/);
    assert.match(configError({ accounts: [{ ...base, pasword: 'x' }] }), /accounts\[0\]\.pasword is not a known field/);
    assert.match(configError({ accounts: [{ ...base, passwordFile: '/x' }] }), /accounts\[0\] must set exactly one of .* \(got passwordEnv, passwordFile\)/);
    assert.match(configError({ accounts: [{ name: 'x', host: 'h', user: 'u' }] }), /accounts\[0\] must set exactly one of .* \(got none\)/);
    assert.match(configError({ accounts: [{ ...base, passwordEnv: undefined, passwordCommand: 'pass show x' }] }), /accounts\[0\]\.passwordCommand must be a non-empty array of strings .*no shell/);
    assert.match(configError({ accounts: [{ ...base, passwordEnv: 'NOT A VAR' }] }), /accounts\[0\]\.passwordEnv must be an environment variable name/);
    assert.match(configError({ accounts: [{ ...base, host: undefined }] }), /accounts\[0\]\.host is required \(or set provider\)/);
    assert.match(configError({ accounts: [{ ...base, provider: 'aol' }] }), /accounts\[0\]\.provider is not a known provider/);
    assert.match(configError({ accounts: [{ ...base, tls: 'ssl' }] }), /accounts\[0\]\.tls must be "implicit" or "starttls"/);
    assert.match(configError({ accounts: [{ ...base, folders: [] }] }), /accounts\[0\]\.folders must be "all" or a non-empty array/);
    assert.match(configError({ accounts: [{ ...base, folders: ['INBOX', '\\Sent Items'] }] }), /accounts\[0\]\.folders\[1\] is not a special-use selector/);
    assert.match(configError({ accounts: [{ ...base, name: 'a b' }] }), /accounts\[0\]\.name must be/);
    assert.match(configError({ accounts: [base, base] }), /accounts\[1\]\.name repeats "work"/);
    assert.match(configError({ accounts: [base], schedule: { intervalSeconds: 0 } }), /schedule\.intervalSeconds must be an integer from 1/);
    assert.match(configError({ accounts: [base], schedule: { idleRefreshSeconds: 1800 } }), /schedule\.idleRefreshSeconds must be an integer from 10 to 1740/);
    assert.match(configError({ accounts: [base], schedule: { idle: 'yes' } }), /schedule\.idle must be true or false/);
    assert.match(configError({ accounts: [base], schedule: { baseBackoffSeconds: 60, maxBackoffSeconds: 30 } }), /schedule\.maxBackoffSeconds must not be below/);
    assert.match(configError({ accounts: [base], schedule: { every: 5 } }), /schedule\.every is not a known field/);
  });

  test('loadServiceConfig reports unreadable files and bad JSON as CONFIG errors', () => {
    assert.throws(() => loadServiceConfig(join(dir, 'missing.json')), (e: Error) => isPrxError(e) && /cannot read .*ENOENT/.test(e.message));
    writeFileSync(join(dir, 'bad.json'), '{ "accounts": [ }');
    assert.throws(() => loadServiceConfig(join(dir, 'bad.json')), (e: Error) => isPrxError(e) && /is not valid JSON/.test(e.message));
  });
});

describe('secret sources', () => {
  test('an environment variable, which must be set', async () => {
    assert.deepEqual(await resolveSecret({ kind: 'passwordEnv', variable: 'PW' }, 'a', { PW: 'p' }), { password: 'p' });
    assert.deepEqual(await resolveSecret({ kind: 'oauthTokenEnv', variable: 'T' }, 'a', { T: 't' }), { oauthToken: 't' });
    assert.match(await rejects(resolveSecret({ kind: 'passwordEnv', variable: 'PW' }, 'a', { PW: '' })), /account a: environment variable PW \(passwordEnv\) is not set/);
  });

  test('passwordCommand runs without a shell; one trailing newline is dropped; failures never echo its output', async () => {
    const echo = { kind: 'passwordCommand' as const, argv: [process.execPath, '-e', 'process.stdout.write(process.argv[1] + "\\n")', '$HOME; rm -rf /'] };
    assert.deepEqual(await resolveSecret(echo, 'a', {}), { password: '$HOME; rm -rf /' });
    const keepsSpaces = { kind: 'passwordCommand' as const, argv: [process.execPath, '-e', 'process.stdout.write(" pw \\n\\n")'] };
    assert.deepEqual(await resolveSecret(keepsSpaces, 'a', {}), { password: ' pw \n' });
    const failing = { kind: 'passwordCommand' as const, argv: [process.execPath, '-e', 'process.stdout.write("leaked-secret"); process.stderr.write("leaked-stderr"); process.exit(3)'] };
    const message = await rejects(resolveSecret(failing, 'a', {}));
    assert.match(message, /account a: passwordCommand .* failed \(exit status 3\)/);
    assert.ok(!message.includes('leaked'), message);
    assert.match(await rejects(resolveSecret({ kind: 'passwordCommand', argv: ['/nonexistent/prx-pass'] }, 'a', {})), /program not found/);
    assert.match(await rejects(resolveSecret({ kind: 'passwordCommand', argv: [process.execPath, '-e', 'process.exit(0)'] }, 'a', {})), /printed nothing/);
  });

  test('passwordFile must be a regular file only its owner can read', async () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'file-secret\n');
    chmodSync(file, 0o600);
    assert.deepEqual(await resolveSecret({ kind: 'passwordFile', path: file }, 'a', {}), { password: 'file-secret' });
    chmodSync(file, 0o640);
    const message = await rejects(resolveSecret({ kind: 'passwordFile', path: file }, 'a', {}));
    assert.match(message, /readable by others \(mode 640\); chmod 600 it/);
    assert.ok(!message.includes('file-secret'));
    assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: dir }, 'a', {})), /is not a regular file/);
    assert.match(await rejects(resolveSecret({ kind: 'passwordFile', path: join(dir, 'nope') }, 'a', {})), /cannot be read \(ENOENT\)/);
  });

  test('oauthTokenCommand: the first token is reused once, a forced refresh runs the command again', async () => {
    const counter = join(dir, 'count');
    writeFileSync(counter, '0');
    const script = `const fs=require('fs');const n=Number(fs.readFileSync(${JSON.stringify(counter)},'utf8'))+1;fs.writeFileSync(${JSON.stringify(counter)},String(n));process.stdout.write('token-'+n)`;
    const auth = await resolveSecret({ kind: 'oauthTokenCommand', argv: [process.execPath, '-e', script] }, 'a', {});
    assert.equal(readFileSync(counter, 'utf8'), '1', 'checked at start');
    assert.equal(await auth.oauthTokenProvider?.({ user: 'u', forceRefresh: false }), 'token-1');
    assert.equal(await auth.oauthTokenProvider?.({ user: 'u', forceRefresh: true }), 'token-2');
    assert.equal(await auth.oauthTokenProvider?.({ user: 'u', forceRefresh: false }), 'token-3');
  });

  test('a config account becomes a service account: CA file read, secret resolved', async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    const [config] = validateServiceConfig({ accounts: [{ ...base, tls: 'starttls', port: 143, ca, folders: ['\\Sent'] }] }).accounts;
    const account = await resolveServiceAccount(config!, { PW: 'secret' });
    assert.deepEqual(account.imap, { host: 'imap.example.com', port: 143, user: 'me@example.com', auth: { password: 'secret' }, tls: { mode: 'starttls', ca: '-----BEGIN CERTIFICATE-----\n' } });
    assert.deepEqual(account.folders, [{ kind: 'special-use', use: '\\Sent' }]);
    const missingCa = validateServiceConfig({ accounts: [{ ...base, ca: join(dir, 'none.pem') }] }).accounts[0]!;
    assert.match(await rejects(resolveServiceAccount(missingCa, { PW: 'x' })), /account work: ca .* cannot be read \(ENOENT\)/);
  });
});
