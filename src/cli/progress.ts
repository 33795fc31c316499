/**
 * What the CLI shows: a one-line progress bar (messages, MB, rate, ETA) and a summary table.
 * Pure string functions.
 */

export function renderProgress(p: { folder: string; done: number; total: number; bytes: number; elapsedMs: number; width?: number }): string {
  const width = p.width ?? 24;
  const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(ratio * width);
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.done / seconds;
  const mb = p.bytes / 1e6;
  const eta = rate > 0 && p.total > p.done ? `${Math.ceil((p.total - p.done) / rate)}s` : '-';
  return `${p.folder} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} msgs ${mb.toFixed(1)} MB ${rate.toFixed(0)} msg/s ${(mb / seconds).toFixed(1)} MB/s ETA ${eta}`;
}

export interface SummaryRow {
  /** The folder as the server names it. */
  folder: string;
  /** Decoded for people (non-ASCII names arrive in modified UTF-7). */
  displayName?: string;
  new: number;
  updated: number;
  deleted: number;
  failed: number;
  cursor: number;
  uidvalidityChanged: boolean;
  /** Messages left on the server for a later invocation (--max-messages). */
  remaining?: number;
  error?: string;
  /** The typed error that ended this folder's sync (for --json). */
  errorInfo?: { code: string; message: string };
}

export function renderSummaryTable(rows: SummaryRow[]): string {
  const header = ['folder', 'new', 'updated', 'deleted', 'failed', 'cursor', 'uidvalidity', 'error'];
  const cells = rows.map((r) => [r.displayName ?? r.folder, String(r.new), String(r.updated), String(r.deleted), String(r.failed), String(r.cursor), r.uidvalidityChanged ? 'changed' : 'same', r.error ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
