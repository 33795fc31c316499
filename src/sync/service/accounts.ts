/**
 * Config file accounts -> the accounts the service runs: the CA file read, the secret fetched
 * from its source (secrets.ts). Secrets exist only in memory from here on.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import { resolveAccount } from '../email-plugin.js';
import type { ServiceAccountConfig } from './config.js';
import { resolveSecret } from './secrets.js';
import type { ServiceAccount } from './sync-service.js';

/**
 * Turns a configured account into one the service can run: reads its `ca` file and fetches its secret from the configured source (environment variable, command or file; `env` is the environment to read, usually `process.env`).
 * @throws ConfigError (code `CONFIG`) when the CA file cannot be read or the secret cannot be obtained; the message names the account and source, never the secret.
 */
export async function resolveServiceAccount(config: ServiceAccountConfig, env: Record<string, string | undefined>): Promise<ServiceAccount> {
  let ca: string | undefined;
  if (config.ca !== undefined) {
    try {
      ca = await readFile(config.ca, 'utf8');
    } catch (error) {
      throw new ConfigError(`account ${config.name}: ca ${config.ca} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const auth = await resolveSecret(config.secret, config.name, env);
  return {
    name: config.name,
    email: config.email,
    ...(config.provider ? { provider: config.provider } : {}),
    imap: {
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.port !== undefined ? { port: config.port } : {}),
      user: config.user,
      auth,
      tls: { ...(config.tls ? { mode: config.tls } : {}), ...(ca !== undefined ? { ca } : {}) },
    },
    folders: config.folders,
    ...(config.idleFolders ? { idleFolders: config.idleFolders } : {}),
    maxConnections: config.maxConnections,
    maxMessagesPerSync: config.maxMessagesPerSync,
  };
}

/** `resolveServiceAccount` for every configured account, in parallel; rejects with the first ConfigError. */
export function resolveServiceAccounts(configs: ServiceAccountConfig[], env: Record<string, string | undefined>): Promise<ServiceAccount[]> {
  return Promise.all(configs.map((config) => resolveServiceAccount(config, env)));
}

/**
 * The accounts by name, each checked before anything runs (host, port, user, auth: the plugin's
 * own check).
 * @throws ConfigError (code `CONFIG`) for a name used twice or invalid connection settings.
 */
export function checkServiceAccounts(accounts: ServiceAccount[]): Map<string, ServiceAccount> {
  const byName = new Map<string, ServiceAccount>();
  for (const account of accounts) {
    if (byName.has(account.name)) throw new ConfigError(`account name '${account.name}' is used twice`);
    resolveAccount(account);
    byName.set(account.name, account);
  }
  return byName;
}
