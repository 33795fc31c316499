/**
 * Command-line parsing for `prx-email` (pure: argv + env in, a command or a ConfigError out).
 * node:util's parseArgs splits the command line into options and values; this module owns what
 * each command accepts, the defaults, and the checks that no tokenizer makes. Secrets are read
 * from the environment variable the user names, never from argv.
 */
import { parseArgs } from 'node:util';
import { secretFromEnv } from './env-name.js';
import { ConfigError } from '../errors.js';
import { isProviderName, type ProviderName } from '../sync/providers.js';
import { sinceDay } from '../sync/sync-request.js';

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

export type LogFormat = 'json' | 'text';

export type CliCommand =
  | { command: 'sync'; connection: ConnectionArgs; folders: string[]; allFolders: boolean; db: string; maxMessages: number; json: boolean; limits: SyncLimits }
  | { command: 'sync-config'; config: string; account?: string; db?: string; allFolders: boolean; maxMessages: number; json: boolean; limits: SyncLimits }
  | { command: 'watch'; connection: ConnectionArgs; folders: string[]; db: string; maxMessages: number; json: boolean; logFormat: LogFormat }
  | { command: 'daemon'; config: string; db?: string; workerId?: string; logFormat: LogFormat; json: boolean }
  | { command: 'status'; db: string; json: boolean }
  | { command: 'list'; db: string; account?: string; folder?: string; limit: number; json: boolean }
  | { command: 'search'; db: string; query: string; account?: string; limit: number; json: boolean }
  | { command: 'show'; db: string; id: number; format: 'text' | 'html' | 'raw' | 'summary'; config?: string; json: boolean }
  | { command: 'help' };

/** What one `sync` invocation stores: `--max-messages N` caps it (all folders together; without it
 * each folder's backlog is fetched to the end), `--since YYYY-MM-DD` bounds the backfill of older
 * mail. */
export interface SyncLimits {
  cap: number | null;
  since: string | null;
}

export const USAGE = `usage:
  prx-email daemon --config FILE [--db mail.db] [--log-format json|text]
                 keep every account of the config file in sync (IDLE push, polling, reconnect);
                 SIGTERM/SIGINT stop it cleanly, SIGHUP reloads the config
  prx-email daemon --config FILE --db postgres://… --worker-id W
                 one worker of the distributed runner: several daemons on one PostgreSQL store
                 share the account x folder jobs under leases (docs/postgres.md)
  prx-email sync --config FILE [--account NAME] [--all-folders] [--db mail.db] [--max-messages N]
                 [--since YYYY-MM-DD] [--json]
  prx-email sync --host H --port P --user U (--password-env VAR | --oauth-token-env VAR)
                 [--ca FILE] [--starttls] [--provider NAME] [--folder NAME]... [--all-folders]
                 [--db mail.db] [--max-messages N] [--since YYYY-MM-DD] [--json]
                 --folder takes a name or a special-use selector: '\\Sent', '\\Drafts', '\\Trash',
                 '\\Junk', '\\Archive', '\\All', '\\Flagged'. Exit 0 ok, 1 failed, 3 partial
                 (some folders failed; see each folder's error)
  prx-email watch  (same connection flags) [--folder NAME]... [--db mail.db] [--log-format json|text]
                 the daemon for one account given by flags
  prx-email status [--db mail.db] [--json]         per-account and per-folder health
  prx-email list   [--db mail.db] [--account EMAIL] [--folder F] [--limit N] [--json]
  prx-email search QUERY [--db mail.db] [--account EMAIL] [--limit N] [--json]
  prx-email show ID [--text|--html|--raw] [--config FILE] [--db mail.db] [--json]
                 --raw fetches the original message from the server (needs --config)
providers: gmail, outlook, yahoo, fastmail, protonmail-bridge`;

const COMMANDS = new Set(['sync', 'watch', 'daemon', 'status', 'list', 'search', 'show']);
/** Every option, by whether it takes a value (`string`, repeatable: the last one counts except
 * for `--folder`) or is a flag (`boolean`). */
const OPTION_TYPES: Record<string, 'string' | 'boolean'> = {
  '--host': 'string', '--port': 'string', '--user': 'string', '--password-env': 'string', '--oauth-token-env': 'string', '--ca': 'string',
  '--provider': 'string', '--folder': 'string', '--db': 'string', '--max-messages': 'string', '--since': 'string', '--config': 'string',
  '--account': 'string', '--log-format': 'string', '--limit': 'string', '--worker-id': 'string',
  '--starttls': 'boolean', '--all-folders': 'boolean', '--json': 'boolean', '--raw': 'boolean', '--html': 'boolean', '--text': 'boolean',
};

/** Which options each command accepts (anything else is an error, so typos do not pass silently). */
const ALLOWED: Record<string, string[]> = {
  sync: ['--host', '--port', '--user', '--password-env', '--oauth-token-env', '--ca', '--provider', '--folder', '--db', '--max-messages', '--since', '--starttls', '--all-folders', '--json', '--config', '--account'],
  watch: ['--host', '--port', '--user', '--password-env', '--oauth-token-env', '--ca', '--provider', '--folder', '--db', '--max-messages', '--starttls', '--json', '--log-format'],
  daemon: ['--config', '--db', '--worker-id', '--log-format', '--json'],
  status: ['--db', '--json'],
  list: ['--db', '--account', '--folder', '--limit', '--json'],
  search: ['--db', '--account', '--limit', '--json'],
  show: ['--db', '--raw', '--html', '--text', '--config', '--json'],
};

function positiveInt(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigError(`${name} must be an integer from 1 to ${max}`);
  return value;
}

function logFormat(text: string | undefined): LogFormat {
  if (text === undefined || text === 'text') return 'text';
  if (text === 'json') return 'json';
  throw new ConfigError("--log-format must be 'json' or 'text'");
}

/** The command line after the command word, split: each value-taking option's values in order,
 * the flags given, and the positional arguments. Returns null for `--help` / `-h`. The checks
 * run in command-line order, so the first problem is the one reported. */
function splitArguments(command: string, rest: string[]): { values: Map<string, string[]>; flags: Set<string>; positional: string[] } | null {
  const allowed = ALLOWED[command] ?? [];
  // Non-strict: parseArgs only tokenizes (an unknown option becomes a flag token, checked below,
  // and a value-taking option takes the next argument whatever it looks like).
  const { tokens } = parseArgs({
    args: rest,
    options: Object.fromEntries(allowed.map((name) => [name.slice(2), OPTION_TYPES[name] === 'string' ? { type: 'string', multiple: true } : { type: 'boolean' }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  let lastIndex = -1;
  for (const token of tokens) {
    const arg = rest[token.index] as string;
    if (token.kind === 'positional') {
      positional.push(token.value);
      continue;
    }
    if (arg === '--help' || arg === '-h') return null;
    // Only long options exist: anything else that starts with one dash (`-5`, `-abc`, which
    // parseArgs splits into short options) is a positional argument, once.
    if (token.kind === 'option' && !arg.startsWith('--')) {
      if (token.index !== lastIndex) positional.push(arg);
      lastIndex = token.index;
      continue;
    }
    // Only the option's name is echoed: `--password-env=hunter2` must not print the secret. An
    // inline `=value` is refused like an unknown option; so is the `--` terminator.
    if (token.kind === 'option-terminator' || token.inlineValue === true || !allowed.includes(arg)) {
      throw new ConfigError(`unknown option '${arg.includes('=') ? `${arg.slice(0, arg.indexOf('='))}=…` : arg}' for ${command}`);
    }
    if (OPTION_TYPES[arg] === 'boolean') {
      flags.add(arg);
      continue;
    }
    if (token.value === undefined) throw new ConfigError(`${arg} needs a value`);
    values.set(arg, [...(values.get(arg) ?? []), token.value]);
  }
  return { values, flags, positional };
}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (!COMMANDS.has(command)) throw new ConfigError(`unknown command '${command}'\n${USAGE}`);
  const split = splitArguments(command, rest);
  if (split === null) return { command: 'help' };
  const { values, flags, positional } = split;
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const dbFlag = one('--db');
  const db = dbFlag ?? 'mail.db';
  const json = flags.has('--json');
  const account = one('--account');
  const expectPositional = (count: number, what: string): void => {
    if (positional.length !== count) throw new ConfigError(count === 0 ? `unexpected argument '${positional[0]}'` : `${command} needs ${what}`);
  };

  switch (command) {
    case 'status':
      expectPositional(0, '');
      return { command, db, json };
    case 'daemon': {
      expectPositional(0, '');
      const config = one('--config');
      if (!config) throw new ConfigError('daemon needs --config FILE');
      const workerId = one('--worker-id');
      if (workerId !== undefined && !/^postgres(ql)?:\/\//i.test(dbFlag ?? '')) throw new ConfigError('--worker-id needs --db postgres://… (workers share a PostgreSQL store)');
      return { command, config, ...(dbFlag !== undefined ? { db: dbFlag } : {}), ...(workerId !== undefined ? { workerId } : {}), logFormat: logFormat(one('--log-format')), json };
    }
    case 'list': {
      expectPositional(0, '');
      const folder = one('--folder');
      return { command, db, ...(account !== undefined ? { account } : {}), ...(folder !== undefined ? { folder } : {}), limit: positiveInt(one('--limit'), '--limit', 20, 500), json };
    }
    case 'search':
      expectPositional(1, 'a QUERY');
      if ((positional[0] as string).trim() === '') throw new ConfigError('search needs a non-empty QUERY');
      return { command, db, query: positional[0] as string, ...(account !== undefined ? { account } : {}), limit: positiveInt(one('--limit'), '--limit', 20, 500), json };
    case 'show': {
      expectPositional(1, 'a message ID (from list or search)');
      const id = positiveInt(positional[0], 'the message ID', 0, Number.MAX_SAFE_INTEGER);
      const formats = (['--raw', '--html', '--text'] as const).filter((f) => flags.has(f));
      if (formats.length > 1) throw new ConfigError('give at most one of --raw, --html, --text');
      const format = formats.length === 0 ? 'summary' : (formats[0] as string).slice(2) as 'raw' | 'html' | 'text';
      const config = one('--config');
      if (format === 'raw' && config === undefined) throw new ConfigError('the database keeps parsed messages, not their bytes: --raw fetches the message from the server and needs --config FILE');
      return { command, db, id, format, ...(config !== undefined ? { config } : {}), json };
    }
  }
  expectPositional(0, '');
  const maxMessages = positiveInt(one('--max-messages'), '--max-messages', 1000, 1_000_000);
  const since = one('--since') ?? null;
  if (since !== null && !isCalendarDate(since)) throw new ConfigError('--since must be a date YYYY-MM-DD');
  const limits: SyncLimits = { cap: one('--max-messages') === undefined ? null : maxMessages, since };
  const config = one('--config');
  if (command === 'sync' && config !== undefined) {
    for (const flag of ['--host', '--port', '--user', '--password-env', '--oauth-token-env', '--ca', '--provider', '--folder', '--starttls']) {
      if (values.has(flag) || flags.has(flag)) throw new ConfigError(`${flag} cannot be combined with --config (the config file names the accounts)`);
    }
    return { command: 'sync-config', config, ...(account !== undefined ? { account } : {}), ...(dbFlag !== undefined ? { db: dbFlag } : {}), allFolders: flags.has('--all-folders'), maxMessages, json, limits };
  }
  if (account !== undefined) throw new ConfigError('--account needs --config FILE');

  const providerName = one('--provider');
  if (providerName !== undefined && !isProviderName(providerName)) throw new ConfigError(`unknown provider '${providerName}'`);
  const user = one('--user');
  if (!user) throw new ConfigError('--user is required (or --config FILE)');
  const passwordEnv = one('--password-env');
  const tokenEnv = one('--oauth-token-env');
  if ((passwordEnv === undefined) === (tokenEnv === undefined)) throw new ConfigError('give exactly one of --password-env VAR or --oauth-token-env VAR');
  const secret = secretFromEnv(passwordEnv !== undefined ? '--password-env' : '--oauth-token-env', (passwordEnv ?? tokenEnv) as string, env);
  const portText = one('--port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new ConfigError('--port must be 1-65535');
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
  if (command === 'watch') return { command, connection, folders: folders.length > 0 ? folders : ['INBOX'], db, maxMessages, json, logFormat: logFormat(one('--log-format')) };
  return { command: 'sync', connection, folders: folders.length > 0 ? folders : ['INBOX'], allFolders: flags.has('--all-folders'), db, maxMessages, json, limits };
}

/** YYYY-MM-DD naming a real day (the same rule as the library's `since`). */
export function isCalendarDate(text: string): boolean {
  try {
    sinceDay(text);
    return true;
  } catch {
    return false;
  }
}
