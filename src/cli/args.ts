/**
 * Command-line parsing for `prx-email` (pure: argv + env in, a command or a ConfigError out).
 * Secrets are read from the environment variable the user names, never from argv.
 */
import { ConfigError } from '../errors.js';
import { isProviderName, type ProviderName } from '../sync/providers.js';

export interface ConnectionArgs {
  host?: string;
  port?: number;
  user: string;
  password?: string;
  oauthToken?: string;
  caFile?: string;
  starttls: boolean;
  provider?: ProviderName;
}

export type CliCommand =
  | { command: 'sync'; connection: ConnectionArgs; folders: string[]; allFolders: boolean; db: string; maxMessages: number; json: boolean; sync: SyncLimits }
  | { command: 'watch'; connection: ConnectionArgs; folders: string[]; db: string; maxMessages: number; json: boolean; sync: SyncLimits }
  | { command: 'status'; db: string; json: boolean }
  | { command: 'help' };

/** What one invocation stores: `--max-messages N` caps it (all folders together; without it the
 * backlog is fetched to the end), `--since YYYY-MM-DD` bounds the backfill of older mail. */
export interface SyncLimits {
  cap: number | null;
  since: string | null;
}

export const USAGE = `usage:
  prx-email sync --host H --port P --user U (--password-env VAR | --oauth-token-env VAR)
                 [--ca FILE] [--starttls] [--provider NAME] [--folder NAME]... [--all-folders]
                 [--db mail.db] [--max-messages N] [--since YYYY-MM-DD] [--json]
                 --folder takes a name or a special-use selector: '\\Sent', '\\Drafts', '\\Trash',
                 '\\Junk', '\\Archive', '\\All', '\\Flagged'. Exit 0 ok, 1 failed, 3 partial
                 (some folders failed; see each folder's error)
  prx-email watch  (same connection flags) [--folder NAME] [--db mail.db]   IDLE, re-sync on change
  prx-email status [--db mail.db] [--json]                                  folders, counts, last sync
providers: gmail, outlook, yahoo, fastmail, protonmail-bridge`;

export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command !== 'sync' && command !== 'watch' && command !== 'status') throw new ConfigError(`unknown command '${command}'\n${USAGE}`);
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const takesValue = new Set(['--host', '--port', '--user', '--password-env', '--oauth-token-env', '--ca', '--provider', '--folder', '--db', '--max-messages', '--since']);
  const booleans = new Set(['--starttls', '--all-folders', '--json']);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (booleans.has(arg)) {
      flags.add(arg);
      continue;
    }
    if (!takesValue.has(arg)) throw new ConfigError(`unknown option '${arg}'`);
    const value = rest[++i];
    if (value === undefined) throw new ConfigError(`${arg} needs a value`);
    values.set(arg, [...(values.get(arg) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const db = one('--db') ?? 'mail.db';
  const json = flags.has('--json');
  if (command === 'status') return { command, db, json };

  const providerName = one('--provider');
  if (providerName !== undefined && !isProviderName(providerName)) throw new ConfigError(`unknown provider '${providerName}'`);
  const user = one('--user');
  if (!user) throw new ConfigError('--user is required');
  const passwordEnv = one('--password-env');
  const tokenEnv = one('--oauth-token-env');
  if ((passwordEnv === undefined) === (tokenEnv === undefined)) throw new ConfigError('give exactly one of --password-env VAR or --oauth-token-env VAR');
  const secretVar = (passwordEnv ?? tokenEnv) as string;
  const secret = env[secretVar];
  if (secret === undefined || secret === '') throw new ConfigError(`environment variable ${secretVar} is not set`);
  const portText = one('--port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new ConfigError('--port must be 1-65535');
  const maxText = one('--max-messages');
  const maxMessages = maxText === undefined ? 1000 : Number(maxText);
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new ConfigError('--max-messages must be a positive integer');
  const since = one('--since') ?? null;
  if (since !== null && !isCalendarDate(since)) throw new ConfigError('--since must be a date YYYY-MM-DD');
  const limits: SyncLimits = { cap: maxText === undefined ? null : maxMessages, since };
  const host = one('--host');
  const caFile = one('--ca');
  const connection: ConnectionArgs = {
    user,
    starttls: flags.has('--starttls'),
    ...(host !== undefined ? { host } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(passwordEnv !== undefined ? { password: secret } : { oauthToken: secret }),
    ...(caFile !== undefined ? { caFile } : {}),
    ...(providerName !== undefined ? { provider: providerName } : {}),
  };
  const folders = values.get('--folder') ?? [];
  if (command === 'watch') return { command, connection, folders: folders.length > 0 ? folders : ['INBOX'], db, maxMessages, json, sync: limits };
  return { command, connection, folders: folders.length > 0 ? folders : ['INBOX'], allFolders: flags.has('--all-folders'), db, maxMessages, json, sync: limits };
}

/** YYYY-MM-DD naming a real day. */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.getUTCDate() === Number(match[3]) && date.getUTCMonth() + 1 === Number(match[2]);
}
