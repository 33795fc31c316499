/**
 * The service's JSON configuration file: its shape, defaults and validation. Pure (JSON value
 * in, a typed config or a ConfigError naming the offending field out), plus `loadServiceConfig`
 * which reads the file. Secrets are not in the file: only where to get them (see secrets.ts).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { isProviderName, type ProviderName } from '../providers.js';

/** Where an account's secret comes from: exactly one per account. */
export type SecretSource =
  | {
      /** A password in an environment variable (config field `passwordEnv`). */
      kind: 'passwordEnv';
      /** Name of the environment variable. */
      variable: string;
    }
  | {
      /** A password printed by a command (config field `passwordCommand`); one trailing newline is dropped. */
      kind: 'passwordCommand';
      /** Program and arguments, run without a shell (30 s timeout). */
      argv: string[];
    }
  | {
      /** A password in a file that only its owner may read (config field `passwordFile`). */
      kind: 'passwordFile';
      /** Path of the file; one trailing newline is dropped. */
      path: string;
    }
  | {
      /** An OAuth 2 access token in an environment variable (config field `oauthTokenEnv`). */
      kind: 'oauthTokenEnv';
      /** Name of the environment variable. */
      variable: string;
    }
  | {
      /** An OAuth 2 access token printed by a command (config field `oauthTokenCommand`), run again whenever a connection needs a fresh token. */
      kind: 'oauthTokenCommand';
      /** Program and arguments, run without a shell (30 s timeout). */
      argv: string[];
    };

/** A folder to sync: a name as the server spells it, or a special-use selector like `\Sent`. */
export type FolderSelector =
  | {
      /** A folder given by name. */
      kind: 'name';
      /** The folder's name as the server spells it, e.g. `INBOX` or `Archive/2024`. */
      name: string;
    }
  | {
      /** A folder given by its special use (RFC 6154). */
      kind: 'special-use';
      /** The special-use attribute, e.g. `\Sent`, `\Archive`; matched case-insensitively against LIST. */
      use: string;
    };

/** One account of the service's configuration file, validated; its secret is not resolved yet (`resolveServiceAccount` does that). */
export interface ServiceAccountConfig {
  /** Unique account name: 1-64 letters, digits, `.`, `_`, `@` or `-`. */
  name: string;
  /** The account's e-mail address (default: `user`). */
  email: string;
  /** Provider preset that supplies host, port and TLS mode not set here. */
  provider?: ProviderName;
  /** IMAP server host name; required unless `provider` is set. */
  host?: string;
  /** IMAP server port (default: the provider's, else 993 for implicit TLS, 143 for STARTTLS). */
  port?: number;
  /** `implicit` (TLS from the first byte) or `starttls` (RFC 3501 STARTTLS upgrade); default: the provider's, else implicit. */
  tls?: 'implicit' | 'starttls';
  /** Path of a PEM file with extra CA certificates (verification stays on). */
  ca?: string;
  /** Login user name. */
  user: string;
  /** Where the password or OAuth token comes from. */
  secret: SecretSource;
  /** Folders to sync: names and special-use selectors, or `'all'` for every selectable folder (default: INBOX). */
  folders: FolderSelector[] | 'all';
  /** Connections this account may hold at once: one for syncing, the rest for IDLE (default 2). */
  maxConnections: number;
  /** Folders to IDLE on (default: INBOX when synced, else the first folder). */
  idleFolders?: string[];
  /** New messages stored per sync call before the next call continues (default 500). */
  maxMessagesPerSync: number;
}

/** When and how hard the service syncs; every field has a default in `DEFAULT_SCHEDULE`. */
export interface ServiceSchedule {
  /** Poll every folder at least this often (default 300). */
  intervalSeconds: number;
  /** Sync jobs running at once over all accounts (default 4). */
  maxConcurrency: number;
  /** First retry after a failure; doubles per failure up to maxBackoffSeconds (defaults 10, 300). */
  baseBackoffSeconds: number;
  /** Longest wait between retries of a failing folder or account, in seconds (default 300). */
  maxBackoffSeconds: number;
  /** Wait after rejected credentials (default 1800): they will not get better by retrying. */
  authBackoffSeconds: number;
  /** Use IDLE for push (default true). */
  idle: boolean;
  /** Restart IDLE this often; RFC 2177 servers may drop it after 30 minutes (default 1500, at most 1740). */
  idleRefreshSeconds: number;
  /** Silence during IDLE longer than this is probed with NOOP (default 240). */
  livenessSeconds: number;
}

/** The service's configuration file, validated, with defaults applied. */
export interface ServiceConfig {
  /** Path of the SQLite database file, if the file names one. */
  db?: string;
  /** The accounts to sync. */
  accounts: ServiceAccountConfig[];
  /** The schedule, with defaults for the fields the file leaves out. */
  schedule: ServiceSchedule;
}

/** Schedule defaults: poll every 300 s, 4 jobs at once, backoff 10 s doubling up to 300 s, 1800 s after rejected credentials, IDLE on and restarted every 1500 s, NOOP probe after 240 s of IDLE silence. */
export const DEFAULT_SCHEDULE: ServiceSchedule = {
  intervalSeconds: 300,
  maxConcurrency: 4,
  baseBackoffSeconds: 10,
  maxBackoffSeconds: 300,
  authBackoffSeconds: 1800,
  idle: true,
  idleRefreshSeconds: 1500,
  livenessSeconds: 240,
};

type Json = Record<string, unknown>;

const ACCOUNT_FIELDS = new Set([
  'name', 'email', 'provider', 'host', 'port', 'tls', 'ca', 'user', 'passwordEnv', 'passwordCommand', 'passwordFile',
  'oauthTokenEnv', 'oauthTokenCommand', 'folders', 'maxConnections', 'idleFolders', 'maxMessagesPerSync',
]);
const SCHEDULE_FIELDS = new Set(Object.keys(DEFAULT_SCHEDULE));
const TOP_FIELDS = new Set(['db', 'accounts', 'schedule', '$schema', 'comment']);
const SECRET_FIELDS = ['passwordEnv', 'passwordCommand', 'passwordFile', 'oauthTokenEnv', 'oauthTokenCommand'] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, problem: string): never {
  throw new ConfigError(`config: ${field} ${problem}`);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a non-empty string');
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `must be an integer from ${min} to ${max}`);
  return value;
}

function argv(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === 'string')) {
    fail(field, 'must be a non-empty array of strings (program and arguments; no shell is used)');
  }
  if ((value[0] as string).trim() === '') fail(`${field}[0]`, 'must name a program');
  return value as string[];
}

function unknownFields(object: Json, allowed: Set<string>, where: string): void {
  for (const key of Object.keys(object)) if (!allowed.has(key)) fail(`${where}.${key}`, 'is not a known field');
}

function folderSelector(value: unknown, field: string): FolderSelector {
  const name = text(value, field);
  if (name.startsWith('\\')) {
    if (!/^\\[A-Za-z]+$/.test(name)) fail(field, `is not a special-use selector like "\\\\Sent" (got ${JSON.stringify(name)})`);
    return { kind: 'special-use', use: name };
  }
  return { kind: 'name', name };
}

function secretSource(account: Json, where: string): SecretSource {
  const given = SECRET_FIELDS.filter((field) => account[field] !== undefined);
  if (given.length !== 1) fail(`${where}`, `must set exactly one of ${SECRET_FIELDS.join(', ')} (got ${given.length === 0 ? 'none' : given.join(', ')})`);
  const field = given[0] as (typeof SECRET_FIELDS)[number];
  const value = account[field];
  switch (field) {
    case 'passwordEnv':
    case 'oauthTokenEnv': {
      const variable = text(value, `${where}.${field}`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) fail(`${where}.${field}`, 'must be an environment variable name');
      return { kind: field, variable };
    }
    case 'passwordCommand':
    case 'oauthTokenCommand':
      return { kind: field, argv: argv(value, `${where}.${field}`) };
    case 'passwordFile':
      return { kind: field, path: text(value, `${where}.${field}`) };
  }
}

function account(value: unknown, index: number): ServiceAccountConfig {
  const where = `accounts[${index}]`;
  if (!isObject(value)) fail(where, 'must be an object');
  unknownFields(value, ACCOUNT_FIELDS, where);
  const name = text(value.name, `${where}.name`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)) fail(`${where}.name`, 'must be 1-64 letters, digits, ".", "_", "@" or "-"');
  const user = text(value.user, `${where}.user`);
  const result: ServiceAccountConfig = {
    name,
    user,
    email: value.email === undefined ? user : text(value.email, `${where}.email`),
    secret: secretSource(value, where),
    folders: [{ kind: 'name', name: 'INBOX' }],
    maxConnections: value.maxConnections === undefined ? 2 : integer(value.maxConnections, `${where}.maxConnections`, 1, 16),
    maxMessagesPerSync: value.maxMessagesPerSync === undefined ? 500 : integer(value.maxMessagesPerSync, `${where}.maxMessagesPerSync`, 1, 100_000),
  };
  if (value.provider !== undefined) {
    const provider = text(value.provider, `${where}.provider`);
    if (!isProviderName(provider)) fail(`${where}.provider`, `is not a known provider (got ${JSON.stringify(provider)})`);
    result.provider = provider;
  }
  if (value.host !== undefined) result.host = text(value.host, `${where}.host`);
  if (value.port !== undefined) result.port = integer(value.port, `${where}.port`, 1, 65535);
  if (value.tls !== undefined) {
    if (value.tls !== 'implicit' && value.tls !== 'starttls') fail(`${where}.tls`, 'must be "implicit" or "starttls"');
    result.tls = value.tls;
  }
  if (value.ca !== undefined) result.ca = text(value.ca, `${where}.ca`);
  if (result.host === undefined && result.provider === undefined) fail(`${where}.host`, 'is required (or set provider)');
  if (value.folders !== undefined) {
    if (value.folders === 'all') result.folders = 'all';
    else if (Array.isArray(value.folders) && value.folders.length > 0) {
      result.folders = value.folders.map((folder, i) => folderSelector(folder, `${where}.folders[${i}]`));
    } else fail(`${where}.folders`, 'must be "all" or a non-empty array of folder names / special-use selectors');
  }
  if (value.idleFolders !== undefined) {
    if (!Array.isArray(value.idleFolders)) fail(`${where}.idleFolders`, 'must be an array of folder names');
    result.idleFolders = value.idleFolders.map((folder, i) => text(folder, `${where}.idleFolders[${i}]`));
  }
  return result;
}

function schedule(value: unknown): ServiceSchedule {
  if (value === undefined) return { ...DEFAULT_SCHEDULE };
  if (!isObject(value)) fail('schedule', 'must be an object');
  unknownFields(value, SCHEDULE_FIELDS, 'schedule');
  const out: ServiceSchedule = { ...DEFAULT_SCHEDULE };
  const numbers: Array<[keyof ServiceSchedule, number, number]> = [
    ['intervalSeconds', 1, 7 * 86_400],
    ['maxConcurrency', 1, 64],
    ['baseBackoffSeconds', 1, 86_400],
    ['maxBackoffSeconds', 1, 7 * 86_400],
    ['authBackoffSeconds', 1, 7 * 86_400],
    ['idleRefreshSeconds', 10, 1740],
    ['livenessSeconds', 5, 3600],
  ];
  for (const [field, min, max] of numbers) {
    if (value[field] !== undefined) (out[field] as number) = integer(value[field], `schedule.${field}`, min, max);
  }
  if (value.idle !== undefined) {
    if (typeof value.idle !== 'boolean') fail('schedule.idle', 'must be true or false');
    out.idle = value.idle;
  }
  if (out.maxBackoffSeconds < out.baseBackoffSeconds) fail('schedule.maxBackoffSeconds', 'must not be below schedule.baseBackoffSeconds');
  return out;
}

/** Validates a parsed config file. Every error names the field (`accounts[1].port`, ...). */
export function validateServiceConfig(value: unknown): ServiceConfig {
  if (!isObject(value)) fail('(top level)', 'must be a JSON object');
  unknownFields(value, TOP_FIELDS, '(top level)');
  if (!Array.isArray(value.accounts) || value.accounts.length === 0) fail('accounts', 'must be a non-empty array');
  const accounts = value.accounts.map(account);
  const seen = new Set<string>();
  accounts.forEach((a, i) => {
    if (seen.has(a.name)) fail(`accounts[${i}].name`, `repeats ${JSON.stringify(a.name)}`);
    seen.add(a.name);
  });
  const config: ServiceConfig = { accounts, schedule: schedule(value.schedule) };
  if (value.db !== undefined) config.db = text(value.db, 'db');
  return config;
}

/** Reads and validates a config file. */
export function loadServiceConfig(path: string): ServiceConfig {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`config: ${path} is not valid JSON (${(error as Error).message})`);
  }
  return validateServiceConfig(parsed);
}
