/**
 * Secret sources of a service account, turned into the session's `ImapAuth`: an environment
 * variable, a command run without a shell whose stdout is the secret (mbsync's PassCmd), or a
 * file that only its owner may read. Errors name the account and the source, never the secret,
 * the command's output or its stderr.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';
import type { ImapAuth } from '../../imap/session/validate-config.js';
import type { SecretSource } from './config.js';

const COMMAND_TIMEOUT_MS = 30_000;
const MAX_SECRET_BYTES = 64 * 1024;

/** One trailing newline (LF or CRLF) is not part of the secret; anything else is. */
function stripNewline(value: string): string {
  return value.replace(/\r?\n$/, '');
}

/** Runs argv without a shell; resolves to its stdout. */
export function runSecretCommand(argv: string[], account: string, field: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      argv[0] as string,
      argv.slice(1),
      { shell: false, timeout: COMMAND_TIMEOUT_MS, maxBuffer: MAX_SECRET_BYTES, encoding: 'utf8', windowsHide: true },
      (error, stdout) => {
        if (error) {
          const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'program not found' : error.killed ? 'timed out or killed' : `exit status ${String(error.code ?? 'unknown')}`;
          reject(new ConfigError(`account ${account}: ${field} ${JSON.stringify(argv[0])} failed (${why})`));
          return;
        }
        const secret = stripNewline(stdout);
        if (secret === '') reject(new ConfigError(`account ${account}: ${field} printed nothing`));
        else resolve(secret);
      },
    );
  });
}

/** Reads a secret file, refusing one that group or others may read or that another user owns. */
export async function readSecretFile(path: string, account: string): Promise<string> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ConfigError(`account ${account}: passwordFile ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isFile()) throw new ConfigError(`account ${account}: passwordFile ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    throw new ConfigError(`account ${account}: passwordFile ${path} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw new ConfigError(`account ${account}: passwordFile ${path} is owned by another user`);
  if (info.size > MAX_SECRET_BYTES) throw new ConfigError(`account ${account}: passwordFile ${path} is too large to be a password`);
  const secret = stripNewline(await readFile(path, 'utf8'));
  if (secret === '') throw new ConfigError(`account ${account}: passwordFile ${path} is empty`);
  return secret;
}

/**
 * The session auth for a source. Passwords are read once (at start and at reload); an OAuth
 * token command is run for every connection that needs a token, so it can refresh the token.
 */
export async function resolveSecret(source: SecretSource, account: string, env: Record<string, string | undefined>): Promise<ImapAuth> {
  switch (source.kind) {
    case 'passwordEnv':
    case 'oauthTokenEnv': {
      const value = env[source.variable];
      if (value === undefined || value === '') throw new ConfigError(`account ${account}: environment variable ${source.variable} (${source.kind}) is not set`);
      return source.kind === 'passwordEnv' ? { password: value } : { oauthToken: value };
    }
    case 'passwordCommand':
      return { password: await runSecretCommand(source.argv, account, 'passwordCommand') };
    case 'passwordFile':
      return { password: await readSecretFile(source.path, account) };
    case 'oauthTokenCommand': {
      // Fail early on a broken command, then hand out fresh tokens on demand.
      let cached: string | null = await runSecretCommand(source.argv, account, 'oauthTokenCommand');
      return {
        oauthTokenProvider: async ({ forceRefresh }) => {
          if (cached !== null && !forceRefresh) {
            const token = cached;
            cached = null;
            return token;
          }
          return runSecretCommand(source.argv, account, 'oauthTokenCommand');
        },
      };
    }
  }
}
