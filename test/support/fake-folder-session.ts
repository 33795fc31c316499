/**
 * An in-memory model of one IMAP folder implementing the sync engine's FolderSession port, with
 * switches for CONDSTORE/QRESYNC and fault injection (the connection "drops" after N operations
 * or after N delivered messages). Test-only.
 */

import { compressNumbers } from '../../src/imap/wire/sequence-set.js';
import { NetworkError } from '../../src/errors.js';
import { normalizeMessageId } from '../../src/mime/message-id.js';
import type {
  FetchedMessage,
  FlagState,
  FolderSession,
  FolderSnapshot,
  QresyncParams,
  ServerIdentity,
  ServerUid,
} from '../../src/sync/ports.js';

export interface ModelMessage {
  uid: number;
  /** INTERNALDATE, Unix ms. */
  internalDate: number;
  raw: Uint8Array;
  flags: string[];
  modseq: bigint;
}

export interface ModelFolder {
  uidValidity: number;
  uidNext: number;
  highestModseq: bigint;
  messages: ModelMessage[];
  /** UID → modseq at which it was expunged (for VANISHED (EARLIER)). */
  expunged: Map<number, bigint>;
}

export function createModelFolder(uidValidity = 1): ModelFolder {
  return { uidValidity, uidNext: 1, highestModseq: 1n, messages: [], expunged: new Map() };
}

/** Appends a message; its INTERNALDATE defaults to one day per UID after 2023-11-14. */
export function appendMessage(folder: ModelFolder, raw: Uint8Array, flags: string[] = [], internalDate?: number): number {
  folder.highestModseq += 1n;
  const uid = folder.uidNext++;
  folder.messages.push({ uid, internalDate: internalDate ?? 1_700_000_000_000 + uid * 86_400_000, raw, flags, modseq: folder.highestModseq });
  return uid;
}

export function setFlags(folder: ModelFolder, uid: number, flags: string[]): void {
  const message = folder.messages.find((m) => m.uid === uid);
  if (!message) throw new Error(`no uid ${uid}`);
  folder.highestModseq += 1n;
  message.flags = flags;
  message.modseq = folder.highestModseq;
}

export function expungeMessage(folder: ModelFolder, uid: number): void {
  folder.highestModseq += 1n;
  folder.messages = folder.messages.filter((m) => m.uid !== uid);
  folder.expunged.set(uid, folder.highestModseq);
}

/** Renumbers every message as a server does after losing its UID list. `order` (a permutation
 * of indexes into `folder.messages`) renumbers them in another order than before, as a server
 * rebuilding its index may. */
export function resetUidValidity(folder: ModelFolder, order?: number[]): void {
  folder.uidValidity += 1000;
  folder.uidNext = 1;
  folder.expunged.clear();
  if (order) folder.messages = order.map((index) => folder.messages[index] as ModelMessage);
  for (const message of folder.messages) message.uid = folder.uidNext++;
}

/** The normalized Message-ID of each message on the model server, by UID (null: none). */
export function modelMessageIds(folder: ModelFolder): Map<number, string | null> {
  return new Map(
    folder.messages.map((m) => [m.uid, normalizeMessageId(/^Message-ID:\s*(.*)$/im.exec(new TextDecoder().decode(headerBlock(m.raw)))?.[1] ?? null)]),
  );
}

export interface FakeSessionOptions {
  condstore?: boolean;
  qresync?: boolean;
  /** Throw NetworkError when this many port calls have started (0-based count). */
  failAtCall?: number;
  /** Throw NetworkError after this many messages were delivered by fetchMessages. */
  failAfterMessages?: number;
}

export interface FakeSessionLog {
  calls: string[];
  fetchedUids: number[];
}

export function createFakeSession(
  folder: ModelFolder,
  options: FakeSessionOptions = {},
): FolderSession & { log: FakeSessionLog } {
  const condstore = options.condstore ?? true;
  const qresync = options.qresync ?? false;
  const log: FakeSessionLog = { calls: [], fetchedUids: [] };
  let delivered = 0;
  const enter = (name: string): void => {
    if (options.failAtCall !== undefined && log.calls.length >= options.failAtCall) {
      throw new NetworkError(`connection lost before ${name}`);
    }
    log.calls.push(name);
  };
  const copyFlags = (m: ModelMessage): FlagState => ({ uid: m.uid, flags: [...m.flags], modseq: condstore ? m.modseq : null });
  return {
    condstore,
    qresync,
    log,
    async open(_name: string, params: QresyncParams | null): Promise<FolderSnapshot> {
      enter('open');
      const useQresync = qresync && params !== null && params.uidValidity === folder.uidValidity;
      return {
        uidValidity: folder.uidValidity,
        uidNext: folder.uidNext,
        highestModseq: condstore ? folder.highestModseq : null,
        exists: folder.messages.length,
        vanished: useQresync
          ? compressNumbers([...folder.expunged].filter(([, modseq]) => modseq > params.modseq).map(([uid]) => uid))
          : [],
        changed: useQresync ? folder.messages.filter((m) => m.modseq > params.modseq).map(copyFlags) : [],
        qresync: useQresync,
      };
    },
    async listUids(fromUid: number): Promise<ServerUid[]> {
      enter('listUids');
      const hits = folder.messages.filter((m) => m.uid >= fromUid);
      // RFC 3501: "n:*" always includes the highest UID, even when n is above it.
      const last = folder.messages[folder.messages.length - 1];
      if (hits.length === 0 && last) hits.push(last);
      return hits.map((m) => ({ uid: m.uid, size: m.raw.byteLength }));
    },
    async listUidRange(fromUid: number, toUid: number): Promise<ServerUid[]> {
      enter('listUidRange');
      return folder.messages.filter((m) => m.uid >= fromUid && m.uid <= toUid).map((m) => ({ uid: m.uid, size: m.raw.byteLength }));
    },
    async highestUidBefore(belowUid: number, sinceMs: number): Promise<number> {
      enter('highestUidBefore');
      // BEFORE compares days: a message of the since day itself is not before it.
      const day = Math.floor(sinceMs / 86_400_000);
      return folder.messages.filter((m) => m.uid < belowUid && Math.floor(m.internalDate / 86_400_000) < day).reduce((max, m) => Math.max(max, m.uid), 0);
    },
    async searchUids(upTo: number): Promise<number[]> {
      enter('searchUids');
      return folder.messages.filter((m) => m.uid <= upTo).map((m) => m.uid);
    },
    async fetchFlags(upTo: number, changedSince: bigint | null): Promise<FlagState[]> {
      enter(changedSince === null ? 'fetchFlags' : 'fetchFlagsChangedSince');
      return folder.messages
        .filter((m) => m.uid <= upTo && (changedSince === null || m.modseq > changedSince))
        .map(copyFlags);
    },
    async fetchMessages(uids, headersOnly, onMessage): Promise<void> {
      enter('fetchMessages');
      const wanted = new Set(uids);
      for (const m of folder.messages) {
        if (!wanted.has(m.uid)) continue;
        if (options.failAfterMessages !== undefined && delivered >= options.failAfterMessages) {
          throw new NetworkError('connection lost during FETCH');
        }
        delivered++;
        log.fetchedUids.push(m.uid);
        const onlyHeaders = headersOnly.has(m.uid);
        const raw = onlyHeaders ? headerBlock(m.raw) : m.raw;
        const message: FetchedMessage = {
          uid: m.uid,
          flags: [...m.flags],
          internalDate: m.internalDate,
          size: m.raw.byteLength,
          modseq: condstore ? m.modseq : null,
          raw,
          headersOnly: onlyHeaders,
        };
        onMessage(message);
      }
    },
    async fetchIdentities(): Promise<ServerIdentity[]> {
      enter('fetchIdentities');
      return folder.messages.map((m) => ({
        uid: m.uid,
        size: m.raw.byteLength,
        messageIdHeader: /^Message-ID:\s*(.*)$/im.exec(new TextDecoder().decode(headerBlock(m.raw)))?.[1] ?? null,
      }));
    },
  };
}

function headerBlock(raw: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(raw);
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? raw : raw.subarray(0, end + 4);
}
