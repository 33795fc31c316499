/**
 * Which folders an account syncs and which of them get an IDLE connection: configured names and
 * special-use selectors (`\Sent`) matched against the server's LIST, or every selectable folder;
 * IDLE goes to the configured idle folders, else INBOX (else the first folder), within the
 * account's connection cap (one connection is kept for syncing). Pure.
 */
import type { MailboxInfo } from '../../imap/session/client.js';
import type { FolderSelector } from './config.js';

/** True when the selection can be used without asking the server for its folder list. */
export function needsFolderList(selection: FolderSelector[] | 'all'): boolean {
  return selection === 'all' || selection.some((selector) => selector.kind === 'special-use');
}

/** Plain names straight from the config (only when `needsFolderList` is false). */
export function namedFolders(selection: FolderSelector[] | 'all'): string[] {
  if (selection === 'all') return [];
  return unique(selection.flatMap((selector) => (selector.kind === 'name' ? [selector.name] : [])));
}

/** Resolves the selection against the server's folders; `missing` lists selectors that matched nothing. */
export function selectFolders(selection: FolderSelector[] | 'all', listed: MailboxInfo[]): { folders: string[]; missing: string[] } {
  const selectable = listed.filter((box) => box.selectable);
  if (selection === 'all') {
    const names = selectable.map((box) => box.name);
    names.sort((a, b) => (a.toUpperCase() === 'INBOX' ? -1 : b.toUpperCase() === 'INBOX' ? 1 : a.localeCompare(b)));
    return { folders: names, missing: [] };
  }
  const folders: string[] = [];
  const missing: string[] = [];
  for (const selector of selection) {
    if (selector.kind === 'name') {
      folders.push(selector.name);
      continue;
    }
    const match = selectable.find((box) => box.specialUse?.toLowerCase() === selector.use.toLowerCase());
    if (match) folders.push(match.name);
    else missing.push(selector.use);
  }
  return { folders: unique(folders), missing };
}

/** Folders to IDLE on: at most maxConnections - 1 of them, only folders that are synced. */
export function idleFolders(synced: string[], configured: string[] | undefined, maxConnections: number): string[] {
  const budget = Math.max(0, maxConnections - 1);
  if (budget === 0 || synced.length === 0) return [];
  const inbox = synced.find((name) => name.toUpperCase() === 'INBOX');
  const wanted = configured ?? [inbox ?? (synced[0] as string)];
  return unique(wanted.filter((name) => synced.includes(name))).slice(0, budget);
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
