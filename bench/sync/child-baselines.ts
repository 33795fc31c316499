/**
 * The baselines prx-email is compared with, each run inside a child process: what a user of
 * imapflow + postal-mime + sql.js would write (`imapflow`), and the wire limit, a bare node:tls
 * `UID FETCH 1:* BODY.PEEK[]` that only counts bytes (`wire`). (mbsync is a program of its own:
 * see contenders.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { childResult, type ChildConfig, type ChildResult } from './child-protocol.js';

export async function childImapflow(config: ChildConfig): Promise<ChildResult> {
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
export async function childWire(config: ChildConfig): Promise<ChildResult> {
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
