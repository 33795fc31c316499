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

export interface AccountConfig {
  email: string;
  provider?: ProviderName;
  imap: {
    host?: string;
    port?: number;
    user: string;
    auth: ImapAuth;
    tls?: { mode?: 'implicit' | 'starttls'; ca?: string | Uint8Array };
  };
}

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
