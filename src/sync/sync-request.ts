/**
 * What one sync call takes and gives beyond the engine's own result: the request, the per-folder
 * outcome of `syncAll`, the `since` day, the result reported for a folder deleted on the server,
 * and any thrown value as a typed error.
 */

import { ConfigError, isPrxError, ProtocolError, type PrxError } from '../errors.js';
import type { FolderSyncOptions, FolderSyncResult } from './folder-sync.js';

/** One call of `EmailPlugin.sync`: which folder of which account, how much to store, and hooks for progress and cancellation. */
export interface SyncRequest {
  /** The account's id, as returned by `EmailPlugin.addAccount`. */
  accountId: number;
  /** Default INBOX. */
  folder?: string;
  /** Start after this UID; undefined resumes from the stored cursor. */
  cursor?: number | string;
  /** Caller's clock, Unix seconds. */
  nowTs: number;
  /** At most this many messages stored in this call: new mail first, then older mail, newest
   * first (default 100). */
  maxMessages?: number;
  /** Backfill older mail only down to this day: a Date, 'YYYY-MM-DD' or Unix ms (UTC day). */
  since?: Date | string | number;
  /** Aborts the call (code `ABORTED`); batches already committed stay stored and the cursor covers only them. */
  signal?: AbortSignal;
  /** Called after each stored batch: messages stored so far in this call, the call's total to store, and bytes fetched so far. */
  onProgress?: FolderSyncOptions['onProgress'];
  /** Called once per call with the folder's whole backlog (messages, bytes) before fetching. */
  onBacklog?: FolderSyncOptions['onBacklog'];
}

/** One folder of `syncAll`: its result, or the typed error that ended its sync. */
export interface FolderOutcome {
  folder: string;
  displayName: string;
  result?: FolderSyncResult;
  error?: PrxError;
}

/** Anything thrown, as a PrxError (an unexpected exception becomes PROTOCOL with its message). */
export function asPrxError(error: unknown): PrxError {
  return isPrxError(error) ? error : new ProtocolError(`unexpected failure: ${String((error as Error)?.message ?? error)}`);
}

/** Unix ms of 00:00 UTC of the day `since` names. */
export function sinceDay(since: Date | string | number): number {
  let ms: number;
  if (since instanceof Date) ms = since.getTime();
  else if (typeof since === 'number') ms = since;
  else {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(since);
    ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
    // Date.UTC rolls a day or month out of range (2026-02-30, 2026-04-00, 2026-13-01) into another
    // month: the month read back differs exactly when the date does not exist.
    if (match && new Date(ms).getUTCMonth() !== Number(match[2]) - 1) ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) throw new ConfigError(`since must be a date (got ${String(since).slice(0, 40)})`);
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

/** The result for a folder found deleted on the server (nothing synced, `deleted` tombstoned). */
export function deletedFolderResult(
  folder: string,
  state: { cursor: number; coveredFrom: number; uidValidity: number | null },
  deleted: number,
  durationMs: number,
): FolderSyncResult {
  return {
    folder,
    new: 0,
    updated: 0,
    deleted,
    failed: 0,
    cursor: state.cursor,
    coveredFrom: state.coveredFrom,
    uidValidity: state.uidValidity ?? 0,
    uidvalidityChanged: false,
    remaining: 0,
    backfilled: 0,
    bytes: 0,
    durationMs,
    unchanged: false,
    folderDeleted: true,
  };
}
