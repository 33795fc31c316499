/**
 * Validation of the connection settings the caller gives us (the seed's ImapConfig/AuthConfig
 * rules, fixed): host required, port 1–65535, user required, exactly one of password, OAuth
 * token or token provider (empty strings count as missing). Errors never echo secrets.
 */
import { ConfigError } from '../../errors.js';
import type { TlsOptions } from '../transport/types.js';

/** Credentials for the IMAP login: set exactly one of `password`, `oauthToken` or `oauthTokenProvider` (empty strings count as unset). */
export interface ImapAuth {
  /** Password, sent with AUTHENTICATE PLAIN when the server offers it, else LOGIN. */
  password?: string;
  /** OAuth 2 access token, sent with AUTHENTICATE OAUTHBEARER (RFC 7628) when the server offers it, else XOAUTH2. */
  oauthToken?: string;
  /** Called for a token; `forceRefresh` after the server rejected the previous one. */
  oauthTokenProvider?: (request: { user: string; forceRefresh: boolean }) => Promise<string>;
}

/** Where and as whom to connect: the settings `validateImapConfig` checks. */
export interface ImapConnectionConfig {
  /** IMAP server host name or IP address. */
  host: string;
  /** TCP port, 1-65535. */
  port: number;
  /** Login user name. */
  user: string;
  /** Credentials: exactly one of password, OAuth token or token provider. */
  auth: ImapAuth;
  /** TLS mode (implicit by default, or STARTTLS) and extra CA certificates; verification is never turned off. */
  tls?: TlsOptions;
}

/**
 * Checks connection settings before any connection is made: host and user non-empty, port an integer 1-65535, exactly one credential, a known TLS mode.
 * @throws ConfigError (code `CONFIG`) naming the first offending field; the message never contains the secret.
 */
export function validateImapConfig(config: ImapConnectionConfig): void {
  if (typeof config.host !== 'string' || config.host.trim() === '') throw new ConfigError('imap.host is required');
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {
    throw new ConfigError(`imap.port must be an integer from 1 to 65535 (got ${String(config.port)})`);
  }
  if (typeof config.user !== 'string' || config.user.trim() === '') throw new ConfigError('imap.user is required');
  const given = [
    typeof config.auth?.password === 'string' && config.auth.password !== '',
    typeof config.auth?.oauthToken === 'string' && config.auth.oauthToken !== '',
    typeof config.auth?.oauthTokenProvider === 'function',
  ].filter(Boolean).length;
  if (given !== 1) throw new ConfigError('imap.auth must set exactly one of password / oauthToken / oauthTokenProvider');
  const mode = config.tls?.mode;
  if (mode !== undefined && mode !== 'implicit' && mode !== 'starttls') throw new ConfigError("imap.tls.mode must be 'implicit' or 'starttls'");
}
