/**
 * Validation of the connection settings the caller gives us (the seed's ImapConfig/AuthConfig
 * rules, fixed): host required, port 1–65535, user required, exactly one of password, OAuth
 * token or token provider (empty strings count as missing). Errors never echo secrets.
 */
import { ConfigError } from '../../errors.js';
import type { TlsOptions } from '../transport/types.js';

export interface ImapAuth {
  password?: string;
  oauthToken?: string;
  /** Called for a token; `forceRefresh` after the server rejected the previous one. */
  oauthTokenProvider?: (request: { user: string; forceRefresh: boolean }) => Promise<string>;
}

export interface ImapConnectionConfig {
  host: string;
  port: number;
  user: string;
  auth: ImapAuth;
  tls?: TlsOptions;
}

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
