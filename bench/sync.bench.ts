/**
 * End-to-end sync benchmark (issue 7): prx-email's initial sync of a realistic mailbox against
 * the pipelines a user would otherwise build or run, in the same run, on the same server and the
 * same bytes, alternating contenders each repetition, medians reported. Never part of npm test.
 *
 *   npm run bench -- [--messages 10000] [--reps 3] [--only id,id,...] [--keep-dovecot]
 *
 * It starts its own Dovecot (test/servers/dovecot.sh with PRX_DOVECOT_DIR=.dovecot-bench and
 * ports 29993/29143, never the tests' .dovecot instance), fills user `bench` with the
 * deterministic sample mix of scripts/sample-mail.ts (seed 7) and one message with a 20 MiB
 * attachment in Archive, then times, each in its own child process (peak RSS from the OS via
 * GNU time, else the child's own getrusage):
 *   prx-lib        EmailPlugin.sync() of INBOX into a fresh database file (one call)
 *   prx-lib-1thread  the same with parseWorkers: 0 (MIME parsed on the main thread)
 *   prx-lib-2workers the same with parseWorkers: 2 (two MIME workers beside the main thread)
 *   prx-cli        `node dist/src/cli/main.js sync --folder INBOX` into a fresh database file
 *   imapflow       imapflow fetch('1:*', {uid, flags, source}) + postal-mime + sql.js (prepared
 *                  INSERT, transactions of 500 rows, export to a file) — imapflow defaults
 *   imapflow-nc    the same with disableCompression: true (prx-email skips COMPRESS on loopback)
 *   mbsync         isync's mbsync (default FSync on) into a fresh Maildir — no MIME parse, no DB
 *   mbsync-nofsync the same with `FSync no`
 *   wire           bare node:tls LOGIN, EXAMINE, UID FETCH 1:* BODY.PEEK[], counting bytes
 * then a no-change incremental sync with prx-email (commands counted from the session trace) and
 * the 20 MiB-attachment message (peak RSS growth, prx-email and imapflow).
 * Writes bench/results/sync-<date>.json and .svg.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const thisFile = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Child side: one contender per process, result as one JSON line on stdout.

interface ChildConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  caFile: string;
  folder: string;
  db: string;
  compress?: boolean;
  maxMessageBytes?: number;
  /** MIME worker threads (undefined: the library's default). */
  parseWorkers?: number;
}

interface ChildResult {
  ok: boolean;
  error?: string;
  messages: number;
  bytes?: number;
  /** Time of the work itself, after imports and set-up. */
  innerMs: number;
  /** process.memoryUsage().rss just before the work. */
  rssStart: number;
  /** getrusage peak RSS at the end, bytes. */
  maxRss: number;
  extra?: Record<string, unknown>;
}

function childResult(partial: Omit<ChildResult, 'maxRss'>): ChildResult {
  return { ...partial, maxRss: process.resourceUsage().maxRSS * 1024 };
}

/** Counts the store's full-image saves (explicit saveIfDirty/save and the 10 s autosave inside
 * transactions) and their cost, by wrapping the store object's methods (no change to src/). */
function instrumentSaves(store: import('../src/store/index.js').Store): { count: number; ms: number; lastBytes: number } {
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
  db.transaction = async <T>(work: (tx: import('../src/store/index.js').Queryable) => Promise<T>): Promise<T> => {
    const result = await transaction(work);
    note();
    return result;
  };
  return stats;
}

/** What both prx-email children start from: the library, the bench account, and the RSS and
 * clock just before the work. */
async function startPrxChild(config: ChildConfig) {
  const { openStore } = await import('../src/store/index.js');
  const { EmailPlugin } = await import('../src/sync/email-plugin.js');
  const ca = readFileSync(config.caFile, 'utf8');
  const account = { email: `${config.user}@bench.test`, imap: { host: config.host, port: config.port, user: config.user, auth: { password: config.password }, tls: { ca } } };
  return { openStore, EmailPlugin, account, rssStart: process.memoryUsage().rss, started: performance.now() };
}

async function childPrxLib(config: ChildConfig): Promise<ChildResult> {
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

async function childPrxIncremental(config: ChildConfig): Promise<ChildResult> {
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

async function childImapflow(config: ChildConfig): Promise<ChildResult> {
  const { ImapFlow } = await import('imapflow');
  const { default: PostalMime } = await import('postal-mime');
  const { default: initSqlJs } = await import('sql.js');
  const rssStart = process.memoryUsage().rss;
  const started = performance.now();
  // What a user of these three libraries would write: open, fetch everything, parse, insert.
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE messages (
    uid INTEGER PRIMARY KEY, flags TEXT, message_id TEXT, subject TEXT, from_name TEXT, from_address TEXT,
    to_addresses TEXT, cc_addresses TEXT, date TEXT, in_reply_to TEXT, refs TEXT, text TEXT, html TEXT,
    attachments TEXT, size INTEGER)`);
  const insert = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const addresses = (list: Array<{ name: string; address?: string; group?: Array<{ address: string }> }> | undefined): string =>
    JSON.stringify((list ?? []).flatMap((a) => (a.group ? a.group.map((g) => g.address) : [a.address ?? ''])));
  const client = new ImapFlow({
    host: config.host,
    port: config.port,
    secure: true,
    tls: { ca: readFileSync(config.caFile) },
    auth: { user: config.user, pass: config.password },
    logger: false,
    ...(config.compress === false ? { disableCompression: true } : {}),
  });
  await client.connect();
  let count = 0;
  let bytes = 0;
  const lock = await client.getMailboxLock(config.folder);
  try {
    db.run('BEGIN');
    for await (const message of client.fetch('1:*', { uid: true, flags: true, source: true })) {
      const source = message.source as Buffer;
      bytes += source.byteLength;
      const email = await PostalMime.parse(source);
      insert.run([
        message.uid,
        JSON.stringify([...(message.flags ?? [])]),
        email.messageId ?? null,
        email.subject ?? null,
        email.from?.name ?? null,
        email.from && 'address' in email.from ? (email.from.address ?? null) : null,
        addresses(email.to),
        addresses(email.cc),
        email.date ?? null,
        email.inReplyTo ?? null,
        email.references ?? null,
        email.text ?? null,
        email.html ?? null,
        JSON.stringify(email.attachments.map((a) => ({ filename: a.filename, mimeType: a.mimeType, size: typeof a.content === 'string' ? a.content.length : a.content.byteLength }))),
        source.byteLength,
      ]);
      if (++count % 500 === 0) {
        db.run('COMMIT');
        db.run('BEGIN');
      }
    }
    db.run('COMMIT');
  } finally {
    lock.release();
  }
  await client.logout();
  insert.free();
  writeFileSync(config.db, db.export());
  db.close();
  return childResult({ ok: true, messages: count, bytes, innerMs: performance.now() - started, rssStart });
}

/** The wire limit: one UID FETCH 1:* BODY.PEEK[] over node:tls, counting bytes, nothing else. */
async function childWire(config: ChildConfig): Promise<ChildResult> {
  const rssStart = process.memoryUsage().rss;
  const started = performance.now();
  const socket = tlsConnect({ host: config.host, port: config.port, ca: readFileSync(config.caFile) });
  let tail = '';
  let counting = false;
  let bytes = 0;
  let waiter: { tag: string; resolve: () => void; reject: (e: Error) => void } | null = null;
  const check = (): void => {
    if (!waiter) return;
    const match = new RegExp(`(?:^|\\r\\n)${waiter.tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n$`).exec(tail);
    if (!match) return;
    const w = waiter;
    waiter = null;
    if (match[1] === 'OK') w.resolve();
    else w.reject(new Error(`server: ${match[0].trim()}`));
  };
  let greeted: () => void = () => undefined;
  const greeting = new Promise<void>((resolveGreeting) => (greeted = resolveGreeting));
  socket.on('data', (chunk: Buffer) => {
    if (counting) bytes += chunk.length;
    tail = (tail + chunk.subarray(Math.max(0, chunk.length - 512)).toString('latin1')).slice(-1024);
    if (tail.startsWith('* OK')) greeted();
    check();
  });
  const failed = new Promise<never>((_, reject) => {
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed')));
  });
  const command = (tag: string, text: string): Promise<void> => {
    const done = new Promise<void>((resolveCommand, reject) => (waiter = { tag, resolve: resolveCommand, reject }));
    tail = '';
    socket.write(`${tag} ${text}\r\n`);
    return Promise.race([done, failed]);
  };
  await Promise.race([greeting, failed]);
  await command('W1', `LOGIN ${config.user} "${config.password}"`);
  await command('W2', `EXAMINE ${config.folder}`);
  counting = true;
  await command('W3', 'UID FETCH 1:* BODY.PEEK[]');
  counting = false;
  await command('W4', 'LOGOUT').catch(() => undefined);
  socket.destroy();
  return childResult({ ok: true, messages: -1, bytes, innerMs: performance.now() - started, rssStart });
}

async function runChild(kind: string): Promise<void> {
  const config = JSON.parse(process.env.PRX_BENCH_CHILD ?? '{}') as ChildConfig;
  let result: ChildResult;
  try {
    if (kind === 'prx-lib') result = await childPrxLib(config);
    else if (kind === 'prx-incremental') result = await childPrxIncremental(config);
    else if (kind === 'imapflow') result = await childImapflow(config);
    else if (kind === 'wire') result = await childWire(config);
    else throw new Error(`unknown child kind ${kind}`);
  } catch (error) {
    result = childResult({ ok: false, error: String((error as Error)?.stack ?? error), messages: 0, innerMs: 0, rssStart: 0 });
  }
  process.stdout.write(`\nPRX_BENCH_RESULT ${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent side.

interface Run {
  ok: boolean;
  error?: string;
  /** Wall time of the whole child process, spawn to exit, as the parent sees it. */
  wallMs: number;
  /** Peak RSS of the child process (GNU time %M, else the child's getrusage), bytes. */
  peakRss: number;
  /** Bytes the child wrote to the file system (GNU time %O x 512: blocks written), when known. */
  writtenBytes?: number;
  /** Size of what the run left in its work directory (database file, Maildir). */
  outputBytes?: number;
  child?: ChildResult;
}

interface Contender {
  id: string;
  label: string;
  /** Builds the command for one run in a fresh work directory. */
  command(work: string): { file: string; args: string[]; env?: Record<string, string>; verify: (run: Run, stdout: string) => string | null };
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** GNU time, which reports a child's peak RSS (%M). */
const GNU_TIME = '/usr/bin/time';

function ensureGnuTime(): void {
  if (existsSync(GNU_TIME)) return;
  console.error('GNU time not found: peak RSS of mbsync cannot be read; trying apt-get install time');
  spawnSync('apt-get', ['install', '-y', '-q', 'time'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Runs one command in a child process; wall from the parent, peak RSS from GNU time. */
function runProcess(file: string, args: string[], env: Record<string, string>, timeFile: string): Promise<{ wallMs: number; code: number | null; stdout: string; stderr: string; peakRss: number | null; writtenBytes?: number }> {
  const gnuTime = existsSync(GNU_TIME) ? GNU_TIME : null;
  const [cmd, cmdArgs] = gnuTime ? [gnuTime, ['-f', '%e %M %O', '-o', timeFile, file, ...args]] : [file, args];
  return new Promise((resolveRun) => {
    const started = performance.now();
    const child = spawn(cmd, cmdArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let peakRss: number | null = null;
      let writtenBytes: number | undefined;
      if (gnuTime && existsSync(timeFile)) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const kb = Number(last.split(' ')[1]);
        if (Number.isFinite(kb) && kb > 0) peakRss = kb * 1024;
        const blocks = Number(last.split(' ')[2]);
        if (Number.isFinite(blocks)) writtenBytes = blocks * 512;
      }
      resolveRun({ wallMs, code, stdout, stderr, peakRss, ...(writtenBytes !== undefined ? { writtenBytes } : {}) });
    });
  });
}

function parseChild(stdout: string): ChildResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('PRX_BENCH_RESULT '));
  return line ? (JSON.parse(line.slice('PRX_BENCH_RESULT '.length)) as ChildResult) : undefined;
}

async function runContender(contender: Contender, workRoot: string, index: number): Promise<Run> {
  const work = join(workRoot, `${contender.id}-${index}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const { file, args, env, verify } = contender.command(work);
  const out = await runProcess(file, args, env ?? {}, join(workRoot, `${contender.id}-${index}.time`));
  const child = parseChild(out.stdout);
  const run: Run = { ok: out.code === 0, wallMs: out.wallMs, peakRss: out.peakRss ?? child?.maxRss ?? Number.NaN, ...(child ? { child } : {}), ...(out.writtenBytes !== undefined ? { writtenBytes: out.writtenBytes } : {}) };
  if (out.code !== 0) run.error = `exit ${out.code}: ${(out.stderr || out.stdout).trim().slice(-600)}`;
  else if (child && !child.ok) {
    run.ok = false;
    run.error = child.error ?? 'child reported failure';
  }
  if (run.ok) {
    const problem = verify(run, out.stdout);
    if (problem) {
      run.ok = false;
      run.error = problem;
    }
  }
  run.outputBytes = dirSize(work);
  rmSync(work, { recursive: true, force: true });
  rmSync(join(workRoot, `${contender.id}-${index}.time`), { force: true });
  return run;
}

/** Bytes of the files under `dir` (the database file, the Maildir...). */
function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function countMaildir(dir: string): number {
  let n = 0;
  for (const sub of ['cur', 'new']) {
    const path = join(dir, sub);
    if (existsSync(path)) n += readdirSync(path).length;
  }
  return n;
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function commandOutput(file: string, args: string[]): string | null {
  const out = spawnSync(file, args, { encoding: 'utf8' });
  return out.status === 0 ? `${out.stdout}${out.stderr}`.trim() : null;
}

/** mbsync, installing Debian's isync when missing; null with a reason when impossible. */
function ensureMbsync(): { version: string } | { skip: string } {
  let version = commandOutput('mbsync', ['--version']);
  if (version) return { version };
  console.error('mbsync not found: installing Debian package isync...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '-q', 'isync'], { encoding: 'utf8', env });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', env });
    install = spawnSync('apt-get', ['install', '-y', '-q', 'isync'], { encoding: 'utf8', env });
  }
  version = commandOutput('mbsync', ['--version']);
  if (version) return { version };
  return { skip: `mbsync unavailable (apt-get install isync: ${install.error?.message ?? (install.stderr || install.stdout || '').trim().split('\n').at(-1) ?? 'failed'})` };
}

/** A message with one 20 MiB attachment (deterministic bytes, base64), for the memory test. */
function bigMessage(attachmentBytes: number): Uint8Array {
  const data = Buffer.alloc(attachmentBytes);
  let state = 12345;
  for (let i = 0; i < data.length; i += 4) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data.writeUInt32LE(state, i);
  }
  const b64 = data.toString('base64').replace(/.{76}/g, '$&\r\n');
  const head = [
    'From: Big Sender <big.sender@example.test>',
    'To: Bench <bench@example.test>',
    'Subject: The 20 MiB attachment',
    'Date: Thu, 01 Jan 2026 12:00:00 +0000',
    'Message-ID: <big-attachment-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="big-boundary"',
    '',
    '--big-boundary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The attachment is 20 MiB of pseudo-random bytes.',
    '--big-boundary',
    'Content-Type: application/octet-stream; name="big.bin"',
    'Content-Disposition: attachment; filename="big.bin"',
    'Content-Transfer-Encoding: base64',
    '',
  ].join('\r\n');
  return new Uint8Array(Buffer.from(`${head}\r\n${b64}\r\n--big-boundary--\r\n`, 'latin1'));
}

const fmt = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '–');
const MB = 1e6;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Two horizontal bar panels (wall seconds, peak RSS MB), hand-written SVG. */
function svgChart(title: string, subtitle: string, rows: Array<{ label: string; wall: number; rss: number; highlight: boolean }>): string {
  const labelW = 215;
  const panelW = 330;
  const gap = 40;
  const rowH = 26;
  const top = 78;
  const width = labelW + panelW * 2 + gap + 30;
  const height = top + rows.length * rowH + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  parts.push(`<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<text x="12" y="40" fill="#555">${escapeXml(subtitle)}</text>`);
  const panels: Array<{ key: 'wall' | 'rss'; name: string; x: number; digits: number }> = [
    { key: 'wall', name: 'wall time, s (median, lower is better)', x: labelW, digits: 2 },
    { key: 'rss', name: 'peak RSS, MB (median, lower is better)', x: labelW + panelW + gap, digits: 0 },
  ];
  for (const panel of panels) {
    const max = Math.max(...rows.map((r) => (Number.isFinite(r[panel.key]) ? r[panel.key] : 0)), 1e-9);
    const barMax = panelW - 60;
    parts.push(`<text x="${panel.x}" y="${top - 14}" font-weight="bold">${escapeXml(panel.name)}</text>`);
    parts.push(`<line x1="${panel.x}" y1="${top - 6}" x2="${panel.x}" y2="${top + rows.length * rowH}" stroke="#999"/>`);
    rows.forEach((row, i) => {
      const value = row[panel.key];
      const y = top + i * rowH;
      const w = Number.isFinite(value) ? Math.max(1, (value / max) * barMax) : 0;
      const colour = row.highlight ? '#2b6cb0' : '#a0aec0';
      parts.push(`<rect x="${panel.x}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 9}" fill="${colour}"/>`);
      parts.push(`<text x="${(panel.x + w + 5).toFixed(1)}" y="${y + rowH / 2 + 4}">${Number.isFinite(value) ? value.toFixed(panel.digits) : 'n/a'}</text>`);
    });
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end"${row.highlight ? ' font-weight="bold"' : ''}>${escapeXml(row.label)}</text>`);
  });
  parts.push(`<text x="12" y="${height - 12}" fill="#777" font-size="11">Timing noise on this machine is ±20–30 %: compare ratios within one run, not absolute numbers across runs.</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

async function runParent(): Promise<void> {
  const benchStarted = Date.now();
  const loadAtStart = loadavg().map((l) => +l.toFixed(2));
  const messages = Number(option('--messages', '10000'));
  const reps = Number(option('--reps', '3'));
  const only = option('--only', '').split(',').filter(Boolean);
  const keepDovecot = process.argv.includes('--keep-dovecot');
  if (!Number.isInteger(messages) || messages < 1 || !Number.isInteger(reps) || reps < 1) throw new Error('--messages and --reps must be positive integers');

  // Our own Dovecot: a separate directory and ports, never the tests' default instance. Set
  // before any helper runs; the helpers and dovecot.sh read them from the environment.
  process.env.PRX_DOVECOT_DIR = join(repoRoot, '.dovecot-bench');
  // PRX_BENCH_IMAPS_PORT / PRX_BENCH_IMAP_PORT move the bench's own Dovecot (several checkouts
  // on one machine).
  const benchPort = Number(process.env.PRX_BENCH_IMAPS_PORT ?? 29993);
  process.env.PRX_DOVECOT_IMAPS_PORT = String(benchPort);
  process.env.PRX_DOVECOT_IMAP_PORT = process.env.PRX_BENCH_IMAP_PORT ?? '29143';
  const { deliverMessages, resetUser, startDovecot } = await import('../test/servers/dovecot-env.js');
  const { generateSampleMessage } = await import('../scripts/sample-mail.js');
  const dovecotScript = join(repoRoot, 'test/servers/dovecot.sh');
  const stopDovecot = (): void => {
    if (keepDovecot) return;
    try {
      execFileSync('bash', [dovecotScript, 'stop'], { stdio: 'ignore', env: process.env });
    } catch {
      // already stopped
    }
  };
  const workRoot = join(repoRoot, 'bench/results/tmp');
  const cleanup = (): void => {
    stopDovecot();
    rmSync(workRoot, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  ensureGnuTime();
  const env = startDovecot();
  if (env.implicitPort !== benchPort || !env.mailRoot.includes('.dovecot-bench')) throw new Error(`refusing to run against ${env.mailRoot}:${env.implicitPort}`);
  try {
    const password = env.users.bench as string;
    // Fill the mailbox: the sample mix in INBOX, the 20 MiB attachment alone in Archive.
    const fillStarted = Date.now();
    resetUser(env, 'bench');
    let payloadBytes = 0;
    function* sample(): Generator<Uint8Array> {
      for (let i = 0; i < messages; i++) {
        const message = generateSampleMessage(i, { seed: 7 });
        payloadBytes += message.byteLength;
        yield message;
      }
    }
    deliverMessages(env, 'bench', 'INBOX', sample());
    const big = bigMessage(20 * 1024 * 1024);
    deliverMessages(env, 'bench', 'Archive', [big]);
    const fillMs = Date.now() - fillStarted;
    console.error(`filled bench INBOX with ${messages} messages (${(payloadBytes / MB).toFixed(1)} MB) + Archive with one ${(big.byteLength / MB).toFixed(1)} MB message in ${(fillMs / 1000).toFixed(1)} s`);

    rmSync(workRoot, { recursive: true, force: true });
    mkdirSync(workRoot, { recursive: true });
    const node = process.execPath;
    const childEnv = (config: Partial<ChildConfig>): Record<string, string> => ({
      PRX_BENCH_CHILD: JSON.stringify({ host: env.host, port: env.implicitPort, user: 'bench', password, caFile: env.caFile, folder: 'INBOX', db: '', ...config }),
    });
    const expectMessages = (expected: number) => (run: Run): string | null =>
      run.child && run.child.messages !== expected ? `expected ${expected} messages, got ${run.child.messages}` : null;

    const mbsync = ensureMbsync();
    const mbsyncContender = (id: string, label: string, fsync: boolean): Contender => ({
      id,
      label,
      command: (work) => {
        const maildir = join(work, 'maildir');
        mkdirSync(maildir, { recursive: true });
        const conf = join(work, 'mbsyncrc');
        writeFileSync(
          conf,
          [
            `FSync ${fsync ? 'yes' : 'no'}`,
            '',
            'IMAPAccount bench',
            // mbsync 1.4 matches the certificate against DNS names only: use the SAN's localhost.
            `Host ${env.host === '127.0.0.1' ? 'localhost' : env.host}`,
            `Port ${env.implicitPort}`,
            'User bench',
            `Pass ${password}`,
            'SSLType IMAPS',
            `CertificateFile ${env.caFile}`,
            '',
            'IMAPStore bench-remote',
            'Account bench',
            '',
            'MaildirStore bench-local',
            `Path ${maildir}/`,
            `Inbox ${maildir}/INBOX`,
            '',
            'Channel bench',
            'Far :bench-remote:',
            'Near :bench-local:',
            'Patterns INBOX',
            'Create Near',
            'Sync Pull',
            'SyncState *',
            '',
          ].join('\n'),
          { mode: 0o600 },
        );
        return {
          file: 'mbsync',
          args: ['-q', '-c', conf, 'bench'],
          verify: () => {
            const n = countMaildir(join(maildir, 'INBOX'));
            return n === messages ? null : `expected ${messages} messages in the Maildir, found ${n}`;
          },
        };
      },
    });

    const all: Contender[] = [
      {
        id: 'prx-lib',
        label: 'prx-email library',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv({ db: join(work, 'mail.db') }), verify: expectMessages(messages) }),
      },
      {
        id: 'prx-lib-1thread',
        label: 'prx-email library, MIME on the main thread',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv({ db: join(work, 'mail.db'), parseWorkers: 0 }), verify: expectMessages(messages) }),
      },
      {
        id: 'prx-lib-2workers',
        label: 'prx-email library, two MIME workers',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv({ db: join(work, 'mail.db'), parseWorkers: 2 }), verify: expectMessages(messages) }),
      },
      {
        id: 'prx-cli',
        label: 'prx-email CLI',
        command: (work) => {
          const db = join(work, 'mail.db');
          return {
            file: node,
            args: [join(repoRoot, 'dist/src/cli/main.js'), 'sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'bench', '--password-env', 'PRX_BENCH_PASSWORD', '--ca', env.caFile, '--folder', 'INBOX', '--db', db, '--json'],
            env: { PRX_BENCH_PASSWORD: password },
            verify: (_run, stdout) => {
              // `--json` prints one object: {"ok":true,"folders":[{"folder":"INBOX","new":N,...}]}
              const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ok?: boolean; folders?: Array<{ new: number }> };
              const stored = summary.folders?.[0]?.new;
              if (!summary.ok || stored !== messages) return `CLI reported ${stdout.trim().slice(0, 300)}`;
              return statSync(db).size > payloadBytes / 4 ? null : `database ${db} is suspiciously small`;
            },
          };
        },
      },
      {
        id: 'imapflow',
        label: 'imapflow+postal-mime+sql.js',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv({ db: join(work, 'mail.db') }), verify: expectMessages(messages) }),
      },
      {
        id: 'imapflow-nc',
        label: 'same, imapflow COMPRESS off',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv({ db: join(work, 'mail.db'), compress: false }), verify: expectMessages(messages) }),
      },
      ...('version' in mbsync ? [mbsyncContender('mbsync', 'mbsync (Maildir, fsync)', true), mbsyncContender('mbsync-nofsync', 'mbsync (Maildir, FSync no)', false)] : []),
      {
        id: 'wire',
        label: 'bare TLS fetch (wire limit)',
        command: () => ({
          file: node,
          args: [thisFile, '--child', 'wire'],
          env: childEnv({}),
          verify: (run) => ((run.child?.bytes ?? 0) >= payloadBytes ? null : `received ${run.child?.bytes} bytes < ${payloadBytes}`),
        }),
      },
    ];
    const skipped: Record<string, string> = {};
    if ('skip' in mbsync) {
      skipped.mbsync = mbsync.skip;
      console.error(`skipping mbsync: ${mbsync.skip}`);
    }
    const contenders = only.length > 0 ? all.filter((c) => only.includes(c.id)) : all;
    const runs = new Map<string, Run[]>(contenders.map((c) => [c.id, []]));

    // Warm-up (untimed): the wire fetch pulls every file into the page cache; one prx-email sync
    // leaves the database the no-change incremental runs start from.
    const baseDb = join(workRoot, 'base.db');
    console.error('warm-up: bare fetch and one prx-email sync (untimed)');
    await runProcess(node, [thisFile, '--child', 'wire'], childEnv({}), join(workRoot, 'warm.time'));
    const warm = await runProcess(node, [thisFile, '--child', 'prx-lib'], childEnv({ db: baseDb }), join(workRoot, 'warm.time'));
    const warmResult = parseChild(warm.stdout);
    if (!warmResult?.ok || warmResult.messages !== messages) throw new Error(`warm-up prx-email sync failed: ${warmResult?.error ?? warm.stderr}`);

    for (let rep = 0; rep < reps; rep++) {
      // Rotate the order each repetition so no contender always runs first or last.
      const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length] as Contender);
      for (const contender of order) {
        const run = await runContender(contender, workRoot, rep);
        runs.get(contender.id)?.push(run);
        console.error(
          `rep ${rep + 1}/${reps} ${contender.id.padEnd(15)} ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.peakRss / MB).toFixed(0)} MB, written ${((run.writtenBytes ?? Number.NaN) / MB).toFixed(0)} MB, output ${((run.outputBytes ?? Number.NaN) / MB).toFixed(0)} MB${run.error ? `  ${run.error}` : ''}`,
        );
      }
    }

    // f) no-change incremental sync, from a copy of the warm-up database each time.
    const incrementalRuns: Run[] = [];
    if (only.length === 0 || only.includes('prx-incremental')) {
      for (let rep = 0; rep < reps; rep++) {
        const run = await runContender(
          {
            id: 'prx-incremental',
            label: 'prx-email no-change sync',
            command: (work) => {
              const db = join(work, 'mail.db');
              copyFileSync(baseDb, db);
              return { file: node, args: [thisFile, '--child', 'prx-incremental'], env: childEnv({ db }), verify: expectMessages(0) };
            },
          },
          workRoot,
          rep,
        );
        incrementalRuns.push(run);
        const extra = run.child?.extra ?? {};
        console.error(`rep ${rep + 1}/${reps} prx-incremental ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, sync() ${Number(extra.syncMs).toFixed(0)} ms (warm ${Number(extra.warmSyncMs).toFixed(1)} ms), ${String(extra.commandCount)} commands${run.error ? `  ${run.error}` : ''}`);
      }
    }

    // g) one message with a 20 MiB attachment (Archive): peak RSS growth in the child.
    const bigContenders: Contender[] = [
      {
        id: 'big-prx-default',
        label: 'prx-email, default 25 MiB limit',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv({ folder: 'Archive', db: join(work, 'mail.db') }), verify: expectMessages(1) }),
      },
      {
        id: 'big-prx-64mib',
        label: 'prx-email, maxMessageBytes 64 MiB',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv({ folder: 'Archive', db: join(work, 'mail.db'), maxMessageBytes: 64 * 1024 * 1024 }), verify: expectMessages(1) }),
      },
      {
        id: 'big-imapflow',
        label: 'imapflow+postal-mime+sql.js',
        command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv({ folder: 'Archive', db: join(work, 'mail.db') }), verify: expectMessages(1) }),
      },
    ];
    const bigRuns = new Map<string, Run[]>(bigContenders.map((c) => [c.id, []]));
    if (only.length === 0 || only.includes('big')) {
      for (let rep = 0; rep < reps; rep++) {
        for (const contender of bigContenders) {
          const run = await runContender(contender, workRoot, rep);
          bigRuns.get(contender.id)?.push(run);
          const growth = run.child ? run.child.maxRss - run.child.rssStart : Number.NaN;
          console.error(`rep ${rep + 1}/${reps} ${contender.id.padEnd(17)} ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.peakRss / MB).toFixed(0)} MB, growth ${(growth / MB).toFixed(0)} MB${run.error ? `  ${run.error}` : ''}`);
        }
      }
    }

    // ---- summary ----
    const summarize = (list: Run[]) => {
      const ok = list.filter((r) => r.ok);
      return {
        runs: list.length,
        ok: ok.length,
        wallS: median(ok.map((r) => r.wallMs)) / 1000,
        innerS: median(ok.filter((r) => r.child).map((r) => (r.child as ChildResult).innerMs)) / 1000,
        peakRssMB: median(ok.map((r) => r.peakRss)) / MB,
        rssGrowthMB: median(ok.filter((r) => r.child).map((r) => (r.child as ChildResult).maxRss - (r.child as ChildResult).rssStart)) / MB,
        outputMB: median(ok.map((r) => r.outputBytes ?? Number.NaN).filter(Number.isFinite)) / MB,
      };
    };
    const ref = summarize(runs.get('imapflow') ?? []);
    const refNc = summarize(runs.get('imapflow-nc') ?? []);
    const table = contenders.map((c) => {
      const s = summarize(runs.get(c.id) ?? []);
      return {
        id: c.id,
        label: c.label,
        ...s,
        messagesPerS: messages / s.wallS,
        mbPerS: payloadBytes / MB / s.wallS,
        speedVsImapflow: ref.wallS / s.wallS,
        speedVsImapflowNc: refNc.wallS / s.wallS,
        rssVsImapflow: s.peakRssMB / ref.peakRssMB,
      };
    });
    const incremental = summarize(incrementalRuns);
    const incrementalOk = incrementalRuns.filter((r) => r.ok && r.child);
    const incrementalDetail = {
      ...incremental,
      syncCallMs: median(incrementalOk.map((r) => Number(r.child?.extra?.syncMs))),
      openStoreMs: median(incrementalOk.map((r) => Number(r.child?.extra?.openStoreMs))),
      commands: incrementalOk[0]?.child?.extra?.commands ?? [],
      commandCount: incrementalOk[0]?.child?.extra?.commandCount ?? null,
      imapMs: median(incrementalOk.map((r) => Number(r.child?.extra?.imapMs))),
      warmSyncMs: median(incrementalOk.map((r) => Number(r.child?.extra?.warmSyncMs))),
      warmCommands: incrementalOk[0]?.child?.extra?.warmCommands ?? [],
      fullSavesInSync: median(incrementalOk.map((r) => Number((r.child?.extra?.savesInSync as { count: number } | undefined)?.count))),
      fullSaveMsInSync: median(incrementalOk.map((r) => Number((r.child?.extra?.savesInSync as { ms: number } | undefined)?.ms))),
      fullSavesTotal: median(incrementalOk.map((r) => Number((r.child?.extra?.saves as { count: number } | undefined)?.count))),
      saveImageMB: median(incrementalOk.map((r) => Number((r.child?.extra?.saves as { lastBytes: number } | undefined)?.lastBytes))) / MB,
    };
    const prxLibOk = (runs.get('prx-lib') ?? []).filter((r) => r.ok && r.child);
    const initialSaves = {
      count: median(prxLibOk.map((r) => Number((r.child?.extra?.saves as { count: number } | undefined)?.count))),
      ms: median(prxLibOk.map((r) => Number((r.child?.extra?.saves as { ms: number } | undefined)?.ms))),
    };
    const bigTable = bigContenders.map((c) => ({ id: c.id, label: c.label, ...summarize(bigRuns.get(c.id) ?? []) }));
    const bigRef = bigTable.find((b) => b.id === 'big-imapflow');

    const cpuList = cpus();
    const machine = {
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      cpuCount: cpuList.length,
      memoryGB: +(totalmem() / 1024 ** 3).toFixed(1),
      freeMemoryGB: +(freemem() / 1024 ** 3).toFixed(1),
      os: `${platform()} ${release()}`,
      node: process.version,
      dovecot: commandOutput('dovecot', ['--version']) ?? 'unknown',
      mbsync: 'version' in mbsync ? mbsync.version : null,
      imapflow: versionOf('imapflow'),
      postalMime: versionOf('postal-mime'),
      sqlJs: versionOf('sql.js'),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((l) => +l.toFixed(2)),
      peakRssSource: existsSync('/usr/bin/time') ? 'GNU time %M (whole child process)' : 'child process.resourceUsage().maxRSS',
    };
    const date = new Date().toISOString().slice(0, 10);
    const durationS = (Date.now() - benchStarted) / 1000;
    const caveat = 'Timing noise on this machine is ±20–30 %: compare ratios within one run, not absolute numbers across runs.';

    const lines: string[] = [];
    lines.push(`sync benchmark ${date}: ${messages} messages, ${(payloadBytes / MB).toFixed(1)} MB (mean ${(payloadBytes / messages / 1024).toFixed(1)} KiB), Dovecot ${machine.dovecot} over TLS on loopback`);
    lines.push(`machine: ${machine.cpuModel} × ${machine.cpuCount}, ${machine.memoryGB} GB RAM, ${machine.os}, node ${machine.node}; load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end; median of ${reps} alternating repetitions`);
    lines.push(`wall = child process spawn→exit (includes Node start-up); peak RSS = ${machine.peakRssSource}; speed × = imapflow wall / row wall (>1 is faster); RSS × = row RSS / imapflow RSS`);
    lines.push('');
    const header = ['contender', 'wall s', 'msgs/s', 'MB/s', 'peak RSS MB', 'speed × imapflow', 'speed × imapflow-nc', 'RSS × imapflow', 'output MB'];
    const body = table.map((r) => [
      r.label,
      fmt(r.wallS, 2),
      fmt(r.messagesPerS, 0),
      fmt(r.mbPerS, 1),
      fmt(r.peakRssMB, 0),
      ratio(r.speedVsImapflow),
      ratio(r.speedVsImapflowNc),
      ratio(r.rssVsImapflow),
      r.id === 'wire' ? '–' : fmt(r.outputMB, 0),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
    const renderRow = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
    lines.push(renderRow(header));
    for (const row of body) lines.push(renderRow(row));
    lines.push('');
    if (prxLibOk.length > 0) {
      lines.push(`prx-email library initial sync: ${fmt(initialSaves.count, 0)} full database saves taking ${fmt(initialSaves.ms / 1000, 2)} s of its wall time (median)`);
    }
    if (incrementalRuns.length > 0) {
      lines.push(
        `no-change incremental sync (prx-email, ${messages}-message database): process wall ${fmt(incremental.wallS, 2)} s, peak RSS ${fmt(incremental.peakRssMB, 0)} MB;`,
        `  openStore ${fmt(incrementalDetail.openStoreMs, 0)} ms; sync() ${fmt(incrementalDetail.syncCallMs, 0)} ms, of which IMAP ${fmt(incrementalDetail.imapMs, 0)} ms ` +
          `and ${fmt(incrementalDetail.fullSavesInSync, 0)} full save(s) of the ${fmt(incrementalDetail.saveImageMB, 0)} MB image ${fmt(incrementalDetail.fullSaveMsInSync, 0)} ms ` +
          `(${fmt(incrementalDetail.fullSavesTotal, 0)} full saves in the whole process);`,
        `  ${String(incrementalDetail.commandCount)} commands: ${(incrementalDetail.commands as string[]).join(', ')}`,
        `  the same sync() again on the warm connection: ${fmt(incrementalDetail.warmSyncMs, 1)} ms, commands: ${(incrementalDetail.warmCommands as string[]).join(', ')}`,
      );
    }
    if (bigRuns.get('big-imapflow')?.length) {
      lines.push(`one message with a 20 MiB attachment (${(big.byteLength / MB).toFixed(1)} MB on the wire), in a child process:`);
      for (const b of bigTable) {
        lines.push(
          `  ${b.label.padEnd(36)} wall ${fmt(b.wallS, 2)} s, peak RSS ${fmt(b.peakRssMB, 0)} MB, growth ${fmt(b.rssGrowthMB, 0)} MB` +
            (bigRef && b.id !== 'big-imapflow' ? ` (${fmt(b.rssGrowthMB / bigRef.rssGrowthMB, 2)}x imapflow's growth)` : ''),
        );
      }
    }
    const failures = [...runs.values(), incrementalRuns, ...bigRuns.values()].flat().filter((r) => !r.ok);
    if (failures.length > 0) lines.push(`${failures.length} failed run(s) left out of the medians: ${failures.map((f) => f.error).join(' | ')}`);
    for (const [id, reason] of Object.entries(skipped)) lines.push(`skipped ${id}: ${reason}`);
    lines.push(`run took ${(durationS / 60).toFixed(1)} min. ${caveat}`);
    console.log(lines.join('\n'));

    const resultsDir = join(repoRoot, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const json = {
      benchmark: 'sync',
      date: new Date().toISOString(),
      machine,
      config: { messages, reps, payloadBytes, meanMessageBytes: payloadBytes / messages, seed: 7, bigMessageBytes: big.byteLength, fillMs, dovecotPort: env.implicitPort },
      caveat,
      definitions: {
        wallS: 'median child-process wall time, spawn to exit, as seen by the parent (includes Node start-up and module loading)',
        innerS: 'median time of the work inside the child, after imports',
        peakRssMB: machine.peakRssSource,
        speedVsImapflow: 'imapflow (defaults) median wall / this median wall; > 1 is faster',
        rssGrowthMB: 'child getrusage peak RSS at the end minus its RSS just before the work',
      },
      initialSync: table,
      prxLibFullSaves: initialSaves,
      incremental: incrementalDetail,
      bigAttachment: bigTable,
      skipped,
      runs: Object.fromEntries([...runs.entries(), ['prx-incremental', incrementalRuns], ...bigRuns.entries()]),
      durationS,
    };
    const base = join(resultsDir, `sync-${date}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(
      `${base}.svg`,
      svgChart(
        `Initial sync of ${messages} messages (${(payloadBytes / MB).toFixed(0)} MB), Dovecot over TLS on loopback — ${date}`,
        `${machine.cpuModel} × ${machine.cpuCount}, ${machine.memoryGB} GB, node ${machine.node}; median of ${reps} alternating repetitions`,
        table.map((r) => ({ label: r.label, wall: r.wallS, rss: r.peakRssMB, highlight: r.id.startsWith('prx') })),
      ),
    );
    console.error(`wrote ${base}.json and ${base}.svg`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    cleanup();
  }
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await runChild(process.argv[childIndex + 1] ?? '');
else await runParent();
