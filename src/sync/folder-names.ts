/**
 * Which server folder a caller means. Two kinds of request:
 *  - a special-use selector (`\Sent`, `\Drafts`, `\Trash`, `\Junk`, `\Archive`, `\All`,
 *    `\Flagged`, `\Important`), resolved against a LIST: first the RFC 6154 SPECIAL-USE attribute,
 *    then the XLIST-era attributes Gmail still sends (`\AllMail`, `\Spam`, `\Starred`), then the
 *    well-known names below (English, Gmail's `[Gmail]/...`, and common localised names), compared
 *    case-insensitively on the decoded name or its last path segment;
 *  - a folder name, which may be the server's wire name (as LIST returned it) or the decoded
 *    display name; it is mapped to the wire name the store keys the folder by.
 * Pure functions; the caller does the LIST.
 */

import type { MailboxInfo } from '../imap/session/client.js';
import { decodeMailboxName, toWireMailboxName } from '../imap/wire/mailbox-name.js';

export const SPECIAL_USE_SELECTORS = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash', '\\Important'] as const;
export type SpecialUseSelector = (typeof SPECIAL_USE_SELECTORS)[number];

/** The selector in its canonical spelling, or null when `name` is not one (case-insensitive). */
export function specialUseSelector(name: string): SpecialUseSelector | null {
  const lower = name.toLowerCase();
  return SPECIAL_USE_SELECTORS.find((selector) => selector.toLowerCase() === lower) ?? null;
}

/** XLIST attribute (Gmail before RFC 6154) → the RFC 6154 one. */
const XLIST_ALIASES: Record<string, SpecialUseSelector> = {
  '\\allmail': '\\All',
  '\\spam': '\\Junk',
  '\\starred': '\\Flagged',
};

/** Documented fallback names, in order of preference, when no folder carries the attribute. */
export const WELL_KNOWN_NAMES: Record<SpecialUseSelector, readonly string[]> = {
  '\\Sent': [
    'Sent', 'Sent Items', 'Sent Mail', 'Sent Messages', 'Gesendet', 'Gesendete Objekte', 'Gesendete Elemente',
    'Envoyés', 'Éléments envoyés', 'Messages envoyés', 'Enviados', 'Elementos enviados', 'Posta inviata', 'Inviati',
    'Verzonden', 'Verzonden items', 'Itens Enviados', 'Отправленные', '已发送', '已发送邮件', '寄件備份', '送信済み',
    '送信済みアイテム',
  ],
  '\\Drafts': ['Drafts', 'Draft', 'Entwürfe', 'Brouillons', 'Borradores', 'Bozze', 'Concepten', 'Rascunhos', 'Черновики', '草稿', '草稿箱', '下書き'],
  '\\Trash': [
    'Trash', 'Deleted Items', 'Deleted Messages', 'Bin', 'Papierkorb', 'Gelöschte Objekte', 'Gelöschte Elemente', 'Corbeille',
    'Éléments supprimés', 'Papelera', 'Elementos eliminados', 'Cestino', 'Prullenbak', 'Verwijderde items', 'Lixeira',
    'Itens Excluídos', 'Корзина', '已删除', '已删除邮件', '垃圾桶', 'ゴミ箱',
  ],
  '\\Junk': [
    'Junk', 'Junk E-mail', 'Junk Email', 'Spam', 'Bulk Mail', 'Spamverdacht', 'Junk-E-Mail', 'Courrier indésirable',
    'Indésirables', 'Correo no deseado', 'Posta indesiderata', 'Ongewenste e-mail', 'Lixo Eletrônico', 'Спам', '垃圾邮件',
    '迷惑メール',
  ],
  '\\Archive': ['Archive', 'Archives', 'Archiv', 'Archivo', 'Archivio', 'Archief', 'Arquivo', 'Архив', '归档', '存档', 'アーカイブ'],
  '\\All': ['All Mail', 'Alle Nachrichten', 'Tous les messages', 'Todos', 'Tutti i messaggi'],
  '\\Flagged': ['Starred', 'Flagged', 'Markiert', 'Suivis', 'Destacados'],
  '\\Important': ['Important', 'Wichtig'],
};

const fold = (text: string): string => text.normalize('NFC').toLowerCase();

function hasAttribute(folder: MailboxInfo, selector: SpecialUseSelector, aliases: boolean): boolean {
  const wanted = selector.toLowerCase();
  return [folder.specialUse, ...folder.attributes].some((attribute) => {
    if (attribute === null) return false;
    const lower = attribute.toLowerCase();
    return aliases ? XLIST_ALIASES[lower] === selector : lower === wanted;
  });
}

function leaf(folder: MailboxInfo): string {
  const name = folder.displayName;
  if (!folder.delimiter) return name;
  const index = name.lastIndexOf(folder.delimiter);
  return index < 0 ? name : name.slice(index + folder.delimiter.length);
}

/** The selectable folder `selector` stands for, or null when the LIST shows none. */
export function resolveSpecialUse(folders: readonly MailboxInfo[], selector: SpecialUseSelector): MailboxInfo | null {
  const selectable = folders.filter((folder) => folder.selectable);
  const byAttribute = selectable.find((folder) => hasAttribute(folder, selector, false)) ?? selectable.find((folder) => hasAttribute(folder, selector, true));
  if (byAttribute) return byAttribute;
  // Fallback by name: the shallowest folder with a well-known name (a nested "Projects/Trash" is
  // someone's folder, a top-level "Papierkorb" is the trash); among equals, the name listed first.
  const depth = (folder: MailboxInfo): number => (folder.delimiter ? folder.displayName.split(folder.delimiter).length : 1);
  const names = WELL_KNOWN_NAMES[selector].map(fold);
  let best: { folder: MailboxInfo; depth: number; rank: number } | null = null;
  for (const folder of selectable) {
    const full = fold(folder.displayName);
    const last = fold(leaf(folder));
    const rank = names.findIndex((name) => name === full || name === last);
    if (rank < 0) continue;
    const candidate = { folder, depth: depth(folder), rank };
    if (!best || candidate.depth < best.depth || (candidate.depth === best.depth && candidate.rank < best.rank)) best = candidate;
  }
  return best?.folder ?? null;
}

/** A folder the store already knows. */
export interface KnownFolder {
  name: string;
  displayName: string;
}

/**
 * The wire name and display name for a requested folder name: a folder the store knows by that
 * name or display name; otherwise the name as a command would send it (see `toWireMailboxName`).
 */
export function canonicalFolder(requested: string, known: readonly KnownFolder[], utf8Accept: boolean): KnownFolder {
  if (/^INBOX$/i.test(requested)) return { name: 'INBOX', displayName: 'INBOX' };
  const exact = known.find((folder) => folder.name === requested);
  if (exact) return { name: exact.name, displayName: exact.displayName };
  const wanted = requested.normalize('NFC');
  const byDisplay = known.find((folder) => folder.displayName.normalize('NFC') === wanted);
  if (byDisplay) return { name: byDisplay.name, displayName: byDisplay.displayName };
  const name = toWireMailboxName(requested, utf8Accept);
  return { name, displayName: utf8Accept ? name : decodeMailboxName(name) };
}
