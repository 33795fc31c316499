/**
 * What the CLI shows: a one-line progress bar per folder and a summary table. The bar's total is
 * the folder's whole backlog as the server listed it (messages and bytes) when the run began, not
 * the slice one sync call fetches; messages, megabytes, rate and ETA are over the whole run.
 * Pure string functions and a small accumulator.
 */

import { terminalText } from './terminal-text.js';

export interface ProgressView {
  folder: string;
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
  elapsedMs: number;
  width?: number;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export function renderProgress(p: ProgressView): string {
  const width = p.width ?? 24;
  const ratio = p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(ratio * width);
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.done / seconds;
  const byteRate = p.bytes / seconds;
  // Time left from the byte rate when sizes are known (message sizes vary a lot), else messages.
  let eta = '-';
  if (p.done < p.total) {
    if (p.totalBytes > 0 && byteRate > 0) eta = formatEta(Math.max(0, p.totalBytes - p.bytes) / byteRate);
    else if (rate > 0) eta = formatEta((p.total - p.done) / rate);
  } else eta = '0s';
  return `${terminalText(p.folder)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} msgs ${mb(p.bytes)}/${mb(p.totalBytes)} MB ${rate.toFixed(0)} msg/s ${(byteRate / 1e6).toFixed(1)} MB/s ETA ${eta}`;
}

/** Accumulates one folder's progress over the several sync calls that drain its backlog. */
export interface FolderProgress {
  /** The listing of a call: the backlog still above the cursor. */
  backlog(messages: number, bytes: number): void;
  /** Progress inside the current call (cumulative for that call). */
  progress(stored: number, bytes: number): void;
  /** The call ended: its counts become part of the run's. */
  endCall(): void;
  view(now: number): ProgressView;
}

export function createFolderProgress(folder: string, startedAt: number): FolderProgress {
  let total = 0;
  let totalBytes = 0;
  let doneBefore = 0;
  let bytesBefore = 0;
  let done = 0;
  let bytes = 0;
  let listed = false;
  return {
    backlog(messages, backlogBytes) {
      // First listing: the whole backlog. Later ones may show mail that arrived meanwhile.
      if (!listed || doneBefore + messages > total) total = doneBefore + messages;
      if (!listed || bytesBefore + backlogBytes > totalBytes) totalBytes = bytesBefore + backlogBytes;
      listed = true;
    },
    progress(stored, callBytes) {
      done = doneBefore + stored;
      bytes = bytesBefore + callBytes;
      if (done > total) total = done;
      if (bytes > totalBytes) totalBytes = bytes;
    },
    endCall() {
      doneBefore = done;
      bytesBefore = bytes;
    },
    view(now) {
      return { folder, done, total, bytes, totalBytes, elapsedMs: now - startedAt };
    },
  };
}

export interface SummaryRow {
  /** The folder as the server names it. */
  folder: string;
  /** Decoded for people (non-ASCII names arrive in modified UTF-7). */
  displayName?: string;
  /** Messages left on the server for a later invocation (--max-messages). */
  remaining?: number;
  /** The typed error that ended this folder's sync (for --json). */
  errorInfo?: { code: string; message: string };
  new: number;
  updated: number;
  deleted: number;
  failed: number;
  cursor: number;
  uidvalidityChanged: boolean;
  error?: string;
}

export function renderSummaryTable(rows: SummaryRow[]): string {
  const header = ['folder', 'new', 'updated', 'deleted', 'failed', 'cursor', 'uidvalidity', 'error'];
  // Folder names and errors come from the server: no control characters reach the terminal.
  const cells = rows.map((r) => [terminalText(r.displayName ?? r.folder), String(r.new), String(r.updated), String(r.deleted), String(r.failed), String(r.cursor), r.uidvalidityChanged ? 'changed' : 'same', terminalText(r.error ?? '')]);
  return renderTable(header, cells);
}

/** A plain text table: header, dashes, rows; columns padded to their widest cell. */
export function renderTable(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
