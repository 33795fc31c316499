/**
 * `openImapSession()`: connect (verified TLS, or mandatory STARTTLS), read the greeting within
 * its deadline, log in (./auth.ts), learn the capabilities again unless the login announced
 * them, ENABLE QRESYNC/CONDSTORE/UTF8=ACCEPT when offered and turn on COMPRESS=DEFLATE unless
 * told not to (off by default for local-network hosts). Any failure closes the connection.
 */

import { TimeoutError, TlsError } from '../../errors.js';
import { connect as connectTransport } from '../transport/connect.js';
import { logIn } from './auth.js';
import { capabilitiesFromCode } from './commands/capability.js';
import type { Greeting } from './connection.js';
import { ImapClient } from './imap-client.js';
import { isLocalNetworkHost } from './network.js';
import type { ImapSessionOptions } from './session-options.js';
import { validateImapConfig } from './validate-config.js';

/**
 * Opens a ready-to-use IMAP session: connects (implicit TLS, or a mandatory STARTTLS upgrade; certificates always verified), waits for the greeting, logs in (PLAIN/LOGIN for passwords, OAUTHBEARER/XOAUTH2 for tokens), ENABLEs QRESYNC, CONDSTORE and UTF8=ACCEPT when offered, and turns on COMPRESS=DEFLATE per `options.compress`. Any failure closes the connection.
 * @throws ConfigError (`CONFIG`) for invalid settings (see `validateImapConfig`), and rejects with `NETWORK`, `TLS`, `TIMEOUT`, `AUTH` (credentials refused), `PROTOCOL` (not an IMAP server) or `ABORTED` (`options.signal`).
 */
export async function openImapSession(options: ImapSessionOptions): Promise<ImapClient> {
  validateImapConfig(options);
  const mode = options.tls?.mode ?? 'implicit';
  const transport = await (options.connectTransport ?? connectTransport)({
    host: options.host,
    port: options.port,
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const client = new ImapClient(transport, options);
  try {
    const greeting = await withDeadline(client.greeting, options.greetingTimeoutMs ?? 15_000);
    const preauth = greeting.condition === 'PREAUTH';
    const announced = capabilitiesFromCode(greeting.text);
    if (announced) client.capabilities = announced;
    else await client.capability(options.signal);
    if (mode === 'starttls') {
      if (preauth) throw new TlsError('server sent PREAUTH on a connection that must use STARTTLS');
      await client.startTls(options.signal);
    }
    if (!preauth) {
      // Capabilities change at login (RFC 9051 §6.2.3); ask unless the server already said.
      const afterLogin = await logIn(client, options);
      if (afterLogin) client.capabilities = afterLogin;
      else await client.capability(options.signal);
    }
    await client.enable(['QRESYNC', 'CONDSTORE', 'UTF8=ACCEPT'], options.signal);
    if (options.compress === true || ((options.compress ?? 'auto') === 'auto' && !isLocalNetworkHost(options.host))) {
      await client.compress(options.signal);
    }
    return client;
  } catch (error) {
    client.close();
    throw error;
  }
}

async function withDeadline(greeting: Promise<Greeting>, ms: number): Promise<Greeting> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    greeting,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no greeting within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
