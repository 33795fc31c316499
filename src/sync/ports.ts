/**
 * The folder-sync engine's own vocabulary and the two narrow interfaces it drives: what it needs
 * from an IMAP session (`FolderSession`) and from the store (`SyncStore`). Types only; nothing
 * here depends on the store — the store conforms to `SyncStore` (src/store/sync-repository.ts
 * imports these types), and `session-adapter.ts` / `store-adapter.ts` bind the ports to the real
 * `ImapClient` and `Store`.
 *
 * Behind these ports the engine's rules (cursor, batching, UIDVALIDITY recovery, flag/expunge
 * reconciliation) are testable against an in-memory model, including injected faults.
 */

import type { NumberRange } from '../imap/wire/types.js';
import type { MessageRecord } from '../mime/types.js';

/** What EXAMINE/SELECT told us about a folder. */
export interface FolderSnapshot {
  uidValidity: number;
  uidNext: number | null;
  /** null when the server has no CONDSTORE or answered NOMODSEQ. */
  highestModseq: bigint | null;
  exists: number;
  /** QRESYNC only: UIDs reported VANISHED (EARLIER) since the modseq we passed, as the server
   * sent them (ranges: never expanded, a server may send `1:4294967295`). */
  vanished: NumberRange[];
  /** QRESYNC only: flag changes since the modseq we passed. */
  changed: FlagState[];
  /** True when the session used QRESYNC parameters for this open. */
  qresync: boolean;
}

/** A message's flags (and Gmail labels) as the server reports them, by UID. */
export interface FlagState {
  uid: number;
  flags: string[];
  modseq: bigint | null;
  /** X-GM-LABELS, when the server reports them (Gmail); they change like flags. */
  labels?: string[];
}

/** Gmail's ids (X-GM-MSGID, X-GM-THRID, as decimal strings) and labels (X-GM-LABELS). */
export interface GmailAttributes {
  msgId: string;
  thrId: string | null;
  labels: string[];
}

/** UID and size of a message on the server, as listed before fetching. */
export interface ServerUid {
  uid: number;
  size: number;
}

/** One fetched message. `raw` is the full message, or only its header block when `headersOnly`. */
export interface FetchedMessage {
  uid: number;
  flags: string[];
  /** INTERNALDATE as Unix milliseconds, or null. */
  internalDate: number | null;
  size: number;
  modseq: bigint | null;
  raw: Uint8Array;
  headersOnly: boolean;
  /** Set when the server delivered more than the size cap: `raw` is cut at the cap and the
   * message is stored headers-only with this as its parseError. */
  limitExceeded?: string;
  /** X-GM-MSGID / X-GM-THRID / X-GM-LABELS, when the server has X-GM-EXT-1. */
  gmail?: GmailAttributes;
}

/** Message-ID header value (or null) and size of a server message, for UIDVALIDITY recovery. */
export interface ServerIdentity {
  uid: number;
  size: number;
  messageIdHeader: string | null;
}

export interface QresyncParams {
  uidValidity: number;
  modseq: bigint;
}

export interface FolderSession {
  readonly condstore: boolean;
  readonly qresync: boolean;
  /** EXAMINE the folder (read-only), with QRESYNC parameters when given and supported. */
  open(folder: string, qresync: QresyncParams | null, signal?: AbortSignal): Promise<FolderSnapshot>;
  /** UIDs ≥ fromUid that exist now, with sizes (`UID FETCH from:* (UID RFC822.SIZE)`); the
   * engine filters the `n:*` quirk itself. */
  listUids(fromUid: number, signal?: AbortSignal): Promise<ServerUid[]>;
  /** UIDs in [fromUid, toUid] that exist now, with sizes (`UID FETCH from:to (UID RFC822.SIZE)`),
   * for the backfill below the covered range. */
  listUidRange(fromUid: number, toUid: number, signal?: AbortSignal): Promise<ServerUid[]>;
  /** The highest UID below `belowUid` whose INTERNALDATE is before the day of `sinceMs`
   * (`UID SEARCH UID 1:below-1 BEFORE d-Mon-yyyy`), or 0: where a `since` backfill stops. */
  highestUidBefore(belowUid: number, sinceMs: number, signal?: AbortSignal): Promise<number>;
  /** Every UID ≤ upToUid that exists now (`UID SEARCH UID 1:upTo`). */
  searchUids(upToUid: number, signal?: AbortSignal): Promise<number[]>;
  /** Flags of UIDs ≤ upToUid, all of them or only those changed since `changedSince`. */
  fetchFlags(upToUid: number, changedSince: bigint | null, signal?: AbortSignal): Promise<FlagState[]>;
  /** Fetches the messages (BODY.PEEK[], never setting \Seen), or only the header block for the
   * UIDs in `headersOnly`. Calls `onMessage` in arrival order; resolves when the server completed
   * the command. UIDs that no longer exist are simply absent. */
  fetchMessages(
    uids: number[],
    headersOnly: ReadonlySet<number>,
    onMessage: (message: FetchedMessage) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** Message-ID headers and sizes of UIDs ≥ 1 (for UIDVALIDITY recovery). */
  fetchIdentities(signal?: AbortSignal): Promise<ServerIdentity[]>;
}

/** A message location the store knows, in the current UIDVALIDITY. */
export interface KnownLocation {
  uid: number;
  flags: string[];
  modseq: bigint | null;
  messageId: string;
  size: number;
  /** The message's Gmail labels as stored (null when none were ever reported). */
  labels?: string[] | null;
}

/** What the store holds about a folder's sync. */
export interface FolderSyncState {
  folderId: number;
  /** Top of the covered range: every server UID in [coveredFrom, cursor] is stored. */
  cursor: number;
  /** Bottom of the covered range (1 when everything up to the cursor is stored; cursor + 1
   * when the range is empty). */
  coveredFrom: number;
  uidValidity: number | null;
  uidNext: number | null;
  highestModseq: bigint | null;
  /** Live (not tombstoned) locations in `uidValidity`. */
  liveCount: number;
}

/** A parsed message to store at a UID. */
export interface NewMessage {
  record: MessageRecord;
  uid: number;
  flags: string[];
  modseq: bigint | null;
  internalDate: number | null;
  /** With X-GM-EXT-1 only. */
  gmail?: GmailAttributes;
}

/** The folder state a batch commits together with its rows. */
export interface SyncStateUpdate {
  cursor: number;
  /** Bottom of the covered range after this batch; omitted: unchanged (1 for a new row). */
  coveredFrom?: number;
  /** Messages the folder still holds outside the covered range after this batch (what later
   * calls will fetch, as listed by this call); omitted: unchanged (unknown for a new row). */
  remaining?: number;
  uidValidity: number;
  uidNext: number | null;
  highestModseq: bigint | null;
  lastSyncAt: number;
}

/** Everything one transaction applies: rows, flag changes, tombstones and the new state. The
 * folder is its row (`folderId`), or, on a folder's first sync (`folderId` null), `newFolder`:
 * its server name and decoded name (default: the name), from which the first batch creates the
 * row in the same transaction (or finds the one another call created meanwhile). */
export type SyncBatch = SyncBatchContent & ({ folderId: number; newFolder?: undefined } | { folderId: null; newFolder: NewFolder });

/** A folder the store has no row for yet. */
export interface NewFolder {
  name: string;
  displayName?: string;
}

export interface SyncBatchContent {
  accountId: number;
  uidValidity: number;
  messages: NewMessage[];
  flagUpdates: FlagState[];
  expungedUids: number[];
  state: SyncStateUpdate;
}

/** A UIDVALIDITY change: the locations re-matched to new UIDs, and where the range restarts. */
export interface UidValidityRemap {
  accountId: number;
  folderId: number;
  oldUidValidity: number;
  newUidValidity: number;
  matches: Array<{ oldUid: number; newUid: number }>;
  cursor: number;
  lastSyncAt: number;
}

export interface SyncStore {
  /** The folder's state, or null when the store has no row for it (nothing is created). */
  findFolderState(accountId: number, folder: string): Promise<FolderSyncState | null>;
  /** Creates the folder row when missing (with `displayName`, default the name); returns its
   * state (cursor 0 when never synced). */
  loadFolderState(accountId: number, folder: string, displayName?: string): Promise<FolderSyncState>;
  /** Live (not tombstoned) locations in the given UIDVALIDITY. */
  listLocations(folderId: number, uidValidity: number): Promise<KnownLocation[]>;
  /** Applies the batch atomically (all or nothing) and makes it durable per the store's policy;
   * resolves to the folder's row id (the one created when `folderId` was null). */
  applyBatch(batch: SyncBatch): Promise<number>;
  /**
   * UIDVALIDITY change: in one transaction, moves the matched locations to the new UIDVALIDITY
   * and UIDs, tombstones every other location of the old UIDVALIDITY, and resets the state to
   * `cursor` / the new UIDVALIDITY with no modseq.
   */
  remapUidValidity(change: UidValidityRemap): Promise<{ tombstoned: number }>;
  /** Records a failed attempt (status + error text) without touching the cursor. */
  recordFailure(accountId: number, folderId: number, error: string, at: number): Promise<void>;
}
