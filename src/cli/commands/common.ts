/**
 * What the CLI commands share: the output streams, error reporting with stable codes, opening a
 * database that must already exist (the readers never create one), picking accounts by e-mail,
 * and making server- or mail-supplied text safe for a terminal.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, isPrxError, type ErrorCode } from '../../errors.js';
import { openStore, type Store } from '../../store/index.js';
import type { AccountRow } from '../../store/accounts.js';
import { terminalText } from '../terminal-text.js';

export interface CliIO {
  stdout: { write(text: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Ends the process (the real CLI): the daemon calls it once its database is saved, so that
   * nothing left over (a worker finishing an abandoned batch) delays the exit. */
  exit?: (code: number) => void;
}

export function errorInfo(error: unknown): { code: ErrorCode | 'UNKNOWN'; message: string } {
  return isPrxError(error) ? { code: error.code, message: error.message } : { code: 'UNKNOWN', message: String((error as Error)?.message ?? error) };
}

/** Server and mail text made safe for a terminal: control characters and escape sequences
 * (ANSI/VT, OSC, bidi overrides) removed; TAB and LF kept. */
export function safeText(text: string): string {
  return terminalText(text, true);
}

/** One line of table text: no newlines or tabs either. */
export function cell(text: string | null | undefined, max = 60): string {
  const flat = safeText(text ?? '').replace(/[\n\t]/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Opens an existing database for reading; a missing file is an error, not a new database. */
export async function openExistingStore(path: string): Promise<Store> {
  if (path !== ':memory:' && !existsSync(path)) throw new ConfigError(`no database at ${path} (sync first, or give --db FILE)`);
  return openStore(path, { autosaveIntervalMs: null });
}

/** The accounts to read: all of them, or the one with this e-mail address. */
export async function selectAccounts(store: Store, email: string | undefined): Promise<AccountRow[]> {
  const accounts = await store.listAccounts();
  if (email === undefined) return accounts;
  const match = accounts.filter((account) => account.email === email);
  if (match.length === 0) throw new ConfigError(`no account ${email} in the database (have: ${accounts.map((a) => a.email).join(', ') || 'none'})`);
  return match;
}

/** A path from the config file: relative ones are relative to the config file's folder. */
export function pathFromConfig(configFile: string, path: string): string {
  return isAbsolute(path) || path === ':memory:' ? path : resolve(dirname(configFile), path);
}

export const isoTime = (unixSeconds: number | null | undefined): string => (unixSeconds ? new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z') : 'never');
