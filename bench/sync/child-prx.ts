/**
 * The prx-email contenders, each run inside a child process: the library's initial sync of a
 * folder into a fresh database (`prx-lib`, with or without MIME workers) and the no-change
 * incremental sync from a synced database (`prx-incremental`), with the store's full-image saves
 * counted by wrapping the store's methods (nothing in src/ changes for the benchmark).
 */
import { readFileSync } from 'node:fs';
import { childResult, type ChildConfig, type ChildResult } from './child-protocol.js';

/** Counts the store's full-image saves (explicit saveIfDirty/save and the 10 s autosave inside
 * transactions) and their cost, by wrapping the store object's methods (no change to src/). */
function instrumentSaves(store: import('../../src/store/index.js').Store): { count: number; ms: number; lastBytes: number } {
  const stats = { count: 0, ms: 0, lastBytes: 0 };
  const db = store.db;
  let seen = db.lastSave;
  const note = (): void => {
    const last = db.lastSave;
    if (last && last !== seen) {
      seen = last;
      stats.count++;
      stats.ms += last.ms;
      stats.lastBytes = last.bytes;
    }
  };
  const wrap = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const result = await fn(...args);
    note();
    return result;
  };
  store.saveIfDirty = wrap(store.saveIfDirty.bind(store));
  store.save = wrap(store.save.bind(store));
  const transaction = db.transaction.bind(db);
  db.transaction = async <T>(work: (tx: import('../../src/store/index.js').Queryable) => Promise<T>): Promise<T> => {
    const result = await transaction(work);
    note();
    return result;
  };
  return stats;
}

/** What both prx-email children start from: the library, the bench account, and the RSS and
 * clock just before the work. */
async function startPrxChild(config: ChildConfig) {
  const { openStore } = await import('../../src/store/index.js');
  const { EmailPlugin } = await import('../../src/sync/email-plugin.js');
  const ca = readFileSync(config.caFile, 'utf8');
  const account = { email: `${config.user}@bench.test`, imap: { host: config.host, port: config.port, user: config.user, auth: { password: config.password }, tls: { ca } } };
  return { openStore, EmailPlugin, account, rssStart: process.memoryUsage().rss, started: performance.now() };
}

export async function childPrxLib(config: ChildConfig): Promise<ChildResult> {
  const { openStore, EmailPlugin, account, rssStart, started } = await startPrxChild(config);
  const store = await openStore(config.db);
  const saves = instrumentSaves(store);
  const plugin = new EmailPlugin({
    store,
    ...(config.maxMessageBytes ? { maxMessageBytes: config.maxMessageBytes } : {}),
    ...(config.parseWorkers !== undefined ? { parseWorkers: config.parseWorkers } : {}),
  });
  const accountId = await plugin.addAccount(account);
  const result = await plugin.sync({ accountId, folder: config.folder, nowTs: Math.floor(Date.now() / 1000), maxMessages: Number.MAX_SAFE_INTEGER });
  await plugin.close();
  await store.close();
  const innerMs = performance.now() - started;
  return childResult({ ok: result.failed === 0, messages: result.new, bytes: result.bytes, innerMs, rssStart, extra: { failed: result.failed, remaining: result.remaining, saves } });
}

export async function childPrxIncremental(config: ChildConfig): Promise<ChildResult> {
  const { openStore, EmailPlugin, account, rssStart, started } = await startPrxChild(config);
  const store = await openStore(config.db);
  const opened = performance.now();
  const saves = instrumentSaves(store);
  const plugin = new EmailPlugin({ store, session: { traceSize: 100_000 } });
  const accountId = await plugin.addAccount(account);
  const savesBeforeSync = { ...saves };
  const syncStarted = performance.now();
  const result = await plugin.sync({ accountId, folder: config.folder, nowTs: Math.floor(Date.now() / 1000), maxMessages: Number.MAX_SAFE_INTEGER });
  const syncMs = performance.now() - syncStarted;
  const savesInSync = { count: saves.count - savesBeforeSync.count, ms: saves.ms - savesBeforeSync.ms };
  const client = await plugin.connection(accountId, async (c) => c);
  // The same no-change sync again on the now warm connection (no connect, no authentication).
  const traceBeforeWarm = client.traceEntries().length;
  const warmStarted = performance.now();
  const warm = await plugin.sync({ accountId, folder: config.folder, nowTs: Math.floor(Date.now() / 1000), maxMessages: Number.MAX_SAFE_INTEGER });
  const warmSyncMs = performance.now() - warmStarted;
  const warmCommands = client
    .traceEntries()
    .slice(traceBeforeWarm)
    .filter((entry) => entry.direction === 'C')
    .map((entry) => /^[A-Za-z0-9.]+ (UID [A-Z]+|[A-Z][A-Z0-9]*)\b/.exec(entry.text)?.[1])
    .filter((name): name is string => name !== undefined);
  await plugin.close();
  await store.close();
  const innerMs = performance.now() - started;
  // Client lines that start a command: "<tag> <COMMAND> ..." (literal continuations and
  // credential lines redacted to *** are not commands).
  const trace = client.traceEntries().slice(0, traceBeforeWarm); // the first (cold) sync only
  // IMAP time of the sync: first line of the session to the last server line before LOGOUT.
  const logoutAt = trace.findIndex((entry) => entry.direction === 'C' && / LOGOUT\b/.test(entry.text));
  const beforeLogout = logoutAt >= 0 ? trace.slice(0, logoutAt) : trace;
  const imapMs = beforeLogout.length > 0 ? (beforeLogout.at(-1) as { at: number }).at - (beforeLogout[0] as { at: number }).at : Number.NaN;
  const commands = trace
    .filter((entry) => entry.direction === 'C')
    .map((entry) => /^[A-Za-z0-9.]+ (UID [A-Z]+|[A-Z][A-Z0-9]*)\b/.exec(entry.text)?.[1])
    .filter((name): name is string => name !== undefined);
  return childResult({
    ok: result.new === 0 && result.failed === 0 && warm.new === 0 && warm.failed === 0,
    messages: result.new,
    innerMs,
    rssStart,
    extra: { syncMs, warmSyncMs, warmCommands, openStoreMs: opened - started, imapMs, saves, savesInSync, commands, commandCount: commands.length, unchanged: result.unchanged, updated: result.updated, deleted: result.deleted },
  });
}
