/**
 * The IMAP session against the project's real Dovecot (test/servers/dovecot.sh): TLS and
 * STARTTLS, every auth method with good and bad credentials, pipelining, IDLE, COMPRESS, BYE,
 * a killed connection, and servers that are not IMAP or never answer.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openImapSession, type ImapClient, type ImapSessionOptions } from '../../src/imap/session/client.js';
import { caPem, doveadm, makeOAuthToken, resetUser, startDovecot, type DovecotEnv } from '../servers/dovecot-env.js';

let env: DovecotEnv;
let ca: string;

function options(user: string, extra: Partial<ImapSessionOptions> = {}): ImapSessionOptions {
  return { host: env.host, port: env.implicitPort, user, auth: { password: env.users[user] as string }, tls: { ca }, ...extra };
}

const message = (n: number) => new TextEncoder().encode(`Subject: idle ${n}\r\nMessage-ID: <idle-${n}@test>\r\n\r\nbody ${n}\r\n`);

/** Polls (no fixed sleep) until the server has answered the client's IDLE with its "+". */
async function idleStarted(client: ImapClient): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const entries = client.traceEntries();
    const idleAt = entries.findLastIndex((e) => e.direction === 'C' && / IDLE$/.test(e.text));
    if (idleAt >= 0 && entries.slice(idleAt + 1).some((e) => e.direction === 'S' && e.text.startsWith('+'))) return;
    if (Date.now() > deadline) throw new Error('IDLE did not start within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function listen(onConnection: (socket: import('node:net').Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('IMAP session against Dovecot', () => {
  before(() => {
    env = startDovecot();
    ca = caPem(env);
    resetUser(env, 'bob');
  });

  test('implicit TLS with the test CA; capabilities and ENABLE', async () => {
    const client = await openImapSession(options('alice'));
    assert.ok(client.capabilities.has('IMAP4REV1'));
    assert.ok(client.enabled.has('QRESYNC') && client.enabled.has('CONDSTORE'));
    await client.logout();
  });

  test('TLS is refused without the CA, with another CA and for a wrong host name', async () => {
    await assert.rejects(openImapSession({ ...options('alice'), tls: {} }), { code: 'TLS' });
    await assert.rejects(openImapSession({ ...options('alice'), tls: { ca: caPem({ ...env, caFile: env.otherCaFile }) } }), { code: 'TLS' });
    await assert.rejects(openImapSession({ ...options('alice'), tls: { ca, servername: 'imap.example.com' } }), { code: 'TLS' });
  });

  test('STARTTLS upgrades before any credentials are sent', async () => {
    const client = await openImapSession({ ...options('alice'), port: env.starttlsPort, tls: { ca, mode: 'starttls' }, traceSize: 20 });
    const trace = client.traceEntries().map((e) => e.text);
    const starttls = trace.findIndex((t) => t.includes('STARTTLS'));
    const auth = trace.findIndex((t) => t.includes('AUTHENTICATE') || t.includes('LOGIN'));
    assert.ok(starttls >= 0 && auth > starttls, trace.join('\n'));
    await client.list();
    await client.logout();
  });

  test('LOGIN and AUTHENTICATE PLAIN, good and bad passwords', async () => {
    for (const passwordMechanism of ['LOGIN', 'PLAIN'] as const) {
      const client = await openImapSession(options('alice', { passwordMechanism }));
      await client.logout();
      const error = await openImapSession({ ...options('alice', { passwordMechanism }), auth: { password: 'wrong-password' } }).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      assert.equal(error?.code, 'AUTH');
      assert.ok(!error?.message.includes('wrong-password'), 'the password never appears in errors');
    }
  });

  test('XOAUTH2 and OAUTHBEARER: good, expired and wrong-user tokens', async () => {
    for (const oauthMechanism of ['XOAUTH2', 'OAUTHBEARER'] as const) {
      const good = makeOAuthToken(env, { sub: 'alice' });
      const client = await openImapSession({ ...options('alice', { oauthMechanism }), auth: { oauthToken: good } });
      await client.noop();
      await client.logout();
      const expired = makeOAuthToken(env, { sub: 'alice', expiresInSec: -600 });
      await assert.rejects(openImapSession({ ...options('alice', { oauthMechanism }), auth: { oauthToken: expired } }), { code: 'AUTH' });
      const wrongUser = makeOAuthToken(env, { sub: 'bob' });
      await assert.rejects(openImapSession({ ...options('alice', { oauthMechanism }), auth: { oauthToken: wrongUser } }), { code: 'AUTH' });
      const badSignature = makeOAuthToken(env, { sub: 'alice', secret: Buffer.from('not the key').toString('base64') });
      await assert.rejects(openImapSession({ ...options('alice', { oauthMechanism }), auth: { oauthToken: badSignature } }), { code: 'AUTH' });
    }
  });

  test('an expired token is refreshed through the provider and the login retried once', async () => {
    const calls: boolean[] = [];
    const client = await openImapSession({
      ...options('alice'),
      auth: {
        oauthTokenProvider: async ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return makeOAuthToken(env, { sub: 'alice', expiresInSec: forceRefresh ? 3600 : -600 });
        },
      },
    });
    assert.deepEqual(calls, [false, true]);
    await client.logout();
  });

  test('pipelining: independent commands are in flight together', async () => {
    const client = await openImapSession(options('alice'));
    const folders = ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive'];
    const results = await Promise.all([...folders, ...folders, ...folders].map((f) => client.status(f, ['MESSAGES', 'UIDNEXT'])));
    assert.equal(results.length, 18);
    assert.ok(client.maxObservedInFlight >= 10, `in flight: ${client.maxObservedInFlight}`);
    console.log(`pipelining: ${client.maxObservedInFlight} commands in flight at once`);
    await client.logout();
  });

  test('IDLE sees a message appended by another connection; COMPRESS on', async () => {
    const watcher = await openImapSession(options('bob', { compress: true, traceSize: 50 }));
    const writer = await openImapSession(options('bob', { compress: false }));
    await watcher.select('INBOX', { readOnly: true });
    const seen: number[] = [];
    watcher.onUnsolicited((data) => {
      if (data.type === 'exists') {
        seen.push(data.count);
        watcher.stopIdle?.();
      }
    });
    const idle = watcher.idle({ maxIdleMs: 20_000 });
    await idleStarted(watcher);
    await writer.append('INBOX', message(1));
    await idle;
    assert.ok(seen.length > 0 && (seen[0] as number) >= 1);
    // COMPRESS=DEFLATE is active on the watcher and a FETCH over it works.
    assert.ok(watcher.traceEntries().some((e) => e.text.includes('COMPRESS DEFLATE')));
    const bodies: number[] = [];
    await watcher.uidFetch('1:*', { items: ['UID', 'RFC822.SIZE'] }, { message: (m) => bodies.push(m.attributes.rfc822Size ?? 0) });
    assert.ok(bodies.length >= 1);
    await watcher.logout();
    await writer.logout();
  });

  test('BYE from the server (doveadm kick) fails pending commands with a typed error, no hang', async () => {
    const client = await openImapSession(options('carol', { traceSize: 50 }));
    await client.select('INBOX', { readOnly: true });
    const idle = client.idle({ maxIdleMs: 20_000 });
    await idleStarted(client);
    doveadm(env, ['kick', 'carol']);
    await idle.catch(() => undefined);
    const error = await client.noop().then(() => null, (e: { code: string }) => e);
    assert.ok(error && ['BYE', 'NETWORK', 'PROTOCOL'].includes(error.code), String(error?.code));
  });

  test('a server that is not IMAP, or never greets, gives a clear typed error', async () => {
    const smtp = await listen((socket) => socket.write('220 mail.example.com ESMTP ready\r\n'));
    await assert.rejects(
      openImapSession({ ...options('alice'), port: smtp.port, tls: { mode: 'starttls' } }),
      (e: { code: string; message: string }) => e.code === 'PROTOCOL' && /SMTP/.test(e.message),
    );
    const silent = await listen(() => undefined);
    await assert.rejects(openImapSession({ ...options('alice'), port: silent.port, tls: { mode: 'starttls' }, greetingTimeoutMs: 300 }), { code: 'TIMEOUT' });
    const tlsSilent = await listen(() => undefined);
    await assert.rejects(openImapSession({ ...options('alice'), port: tlsSilent.port, connectTimeoutMs: 300 }), { code: 'TIMEOUT' });
    const plainOnly = await listen((socket) => socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here\r\n'));
    await assert.rejects(openImapSession({ ...options('alice'), port: plainOnly.port, tls: { mode: 'starttls' } }), { code: 'TLS' });
    await assert.rejects(openImapSession({ ...options('alice'), port: 1 }), { code: 'NETWORK' });
    for (const s of [smtp, silent, tlsSilent, plainOnly]) s.server.close();
  });

  test('aborting an operation closes the connection with ABORTED', async () => {
    const client = await openImapSession(options('alice'));
    const controller = new AbortController();
    const pending = client.select('INBOX', { readOnly: true }, controller.signal);
    controller.abort();
    await assert.rejects(pending, { code: 'ABORTED' });
    assert.equal(client.closed, true);
  });

  test('invalid configuration is refused before connecting', async () => {
    await assert.rejects(openImapSession({ ...options('alice'), host: ' ' }), { code: 'CONFIG' });
    await assert.rejects(openImapSession({ ...options('alice'), port: 70000 }), { code: 'CONFIG' });
    await assert.rejects(openImapSession({ ...options('alice'), user: '' }), { code: 'CONFIG' });
    await assert.rejects(openImapSession({ ...options('alice'), auth: { password: '', oauthToken: '' } }), { code: 'CONFIG' });
    await assert.rejects(openImapSession({ ...options('alice'), auth: { password: 'a', oauthToken: 'b' } }), { code: 'CONFIG' });
  });

  after(() => undefined);
});
