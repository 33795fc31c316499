/**
 * An account as the caller registers it (e-mail, optional provider preset, IMAP settings with the
 * secret) and its resolution into validated session options: the preset fills host, port and TLS
 * mode that the caller left out.
 */

import { ConfigError } from '../errors.js';
import type { ImapSessionOptions } from '../imap/session/client.js';
import type { ImapAuth } from '../imap/session/validate-config.js';
import { validateImapConfig } from '../imap/session/validate-config.js';
import { PROVIDERS, isProviderName, type ProviderName } from './providers.js';

/** An account as registered with `EmailPlugin.addAccount` or run by the sync service: its address, an optional provider preset and the IMAP settings with the secret. */
export interface AccountConfig {
  /** The account's e-mail address (required, non-empty). */
  email: string;
  /** Provider preset whose host, port and TLS mode fill in what `imap` leaves out. */
  provider?: ProviderName;
  /** IMAP connection settings; explicit values win over the provider preset. */
  imap: {
    /** IMAP server host name; required unless `provider` is set. */
    host?: string;
    /** IMAP server port (default: the preset's, else 993 for implicit TLS and 143 for STARTTLS). */
    port?: number;
    /** Login user name. */
    user: string;
    /** Credentials: exactly one of password, OAuth token or token provider. */
    auth: ImapAuth;
    /** TLS settings; certificates are always verified. */
    tls?: {
      /** `implicit` (TLS from the first byte) or `starttls` (mandatory RFC 3501 STARTTLS upgrade); default: the preset's, else implicit. */
      mode?: 'implicit' | 'starttls';
      /** Extra CA certificate(s) in PEM, for servers with a private CA. */
      ca?: string | Uint8Array;
    };
  };
}

/**
 * Turns an account into validated session options: the provider preset fills host, port and TLS mode (default implicit TLS on 993, 143 for STARTTLS).
 * @throws ConfigError (code `CONFIG`) for a missing e-mail, an unknown provider or invalid connection settings (see `validateImapConfig`).
 */
export function resolveAccount(config: AccountConfig): ImapSessionOptions {
  if (typeof config.email !== 'string' || config.email.trim() === '') throw new ConfigError('email is required');
  if (config.provider !== undefined && !isProviderName(config.provider)) throw new ConfigError(`unknown provider '${String(config.provider)}'`);
  const preset = config.provider ? PROVIDERS[config.provider] : undefined;
  const mode = config.imap.tls?.mode ?? preset?.mode ?? 'implicit';
  const options: ImapSessionOptions = {
    host: config.imap.host ?? preset?.host ?? '',
    port: config.imap.port ?? preset?.port ?? (mode === 'starttls' ? 143 : 993),
    user: config.imap.user,
    auth: config.imap.auth,
    tls: { mode, ...(config.imap.tls?.ca !== undefined ? { ca: config.imap.tls.ca } : {}) },
  };
  validateImapConfig(options);
  return options;
}
