/**
 * Whole-stack sync against hostile servers and senders (real TLS, test/support/hostile-server.ts):
 * a server that delivers far more than the RFC822.SIZE it announced, and a message whose parse
 * never ends. Each bad message is stored headers-only with parseError, the rest of the batch is
 * stored normally, and the cursor moves past both — the folder never stalls.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createParsePool } from '../../src/mime/parse-pool.js';
import { openStore, type Store } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { withParseBackPressure } from '../../src/sync/parse-back-pressure.js';
import { hostileCa, startHostileServer, type HostileConnection, type HostileServer } from '../support/hostile-server.js';

const servers: HostileServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const mail = (n: number, extraHeader = '', body = `hello ${n}\r\n`): string =>
  `From: a@example.test\r\nTo: b@example.test\r\nSubject: message ${n}\r\nMessage-ID: <h${n}@example.test>\r\n${extraHeader}Content-Type: text/plain\r\n\r\n${body}`;

/** A two-message mailbox whose FETCH answers come from `bodies` (uid → [announced size, bytes]). */
async function mailbox(bodies: Map<number, [number, string]>): Promise<HostileServer> {
  const server = await startHostileServer({
    tls: 'implicit',
    respond: (tag: string, command: string, line: string, connection: HostileConnection) => {
      if (command !== 'UID FETCH') return false;
      const parts: string[] = [];
      let seq = 0;
      for (const [uid, [announced, bytes]] of bodies) {
        seq++;
        if (line.includes('BODY.PEEK[')) {
          const length = Buffer.byteLength(bytes, 'latin1');
          parts.push(`* ${seq} FETCH (UID ${uid} FLAGS () INTERNALDATE "01-Jan-2026 00:00:00 +0000" RFC822.SIZE ${announced} MODSEQ (5) BODY[] {${length}}\r\n${bytes})\r\n`);
        } else parts.push(`* ${seq} FETCH (UID ${uid} RFC822.SIZE ${announced})\r\n`);
      }
      connection.write(Buffer.from(`${parts.join('')}${tag} OK done\r\n`, 'latin1'));
      return true;
    },
  });
  servers.push(server);
  return server;
}

async function plugin(server: HostileServer, options: Partial<ConstructorParameters<typeof EmailPlugin>[0]>): Promise<{ plugin: EmailPlugin; store: Store; accountId: number }> {
  const store = await openStore(':memory:');
  const instance = new EmailPlugin({ store, parseWorkers: 0, session: { compress: false, commandTimeoutMs: 20_000 }, ...options });
  const accountId = await instance.addAccount({
    email: 'alice@example.test',
    imap: { host: '127.0.0.1', port: server.port, user: 'alice', auth: { password: 'secret' }, tls: { mode: 'implicit', ca: hostileCa } },
  });
  return { plugin: instance, store, accountId };
}

describe('hostile sync', () => {
  test('a server that announces 100 bytes and sends 3 MiB: cut at maxMessageBytes while streaming, stored headers-only with LIMIT', async () => {
    const huge = mail(1, '', `${'x'.repeat(100)}\r\n`.repeat(30_000)); // ~3 MiB
    const server = await mailbox(new Map([[1, [100, huge]], [2, [200, mail(2)]]]));
    const { plugin: p, store, accountId } = await plugin(server, { maxMessageBytes: 1024 * 1024 });
    try {
      const result = await p.sync({ accountId, nowTs: 1 });
      assert.equal(result.new, 2);
      assert.equal(result.failed, 1);
      assert.equal(result.cursor, 2);
      const [first, second] = [await store.getMessageByMessageId(accountId, '<h1@example.test>'), await store.getMessageByMessageId(accountId, '<h2@example.test>')];
      assert.ok(first && second);
      assert.equal(first.truncated, true);
      assert.equal(first.bodyText, null);
      assert.match(first.parseError ?? '', /^LIMIT: the server sent \d+ bytes for UID 1 \(announced 100\)/);
      assert.ok(first.size > 3_000_000, `size ${first.size}`);
      assert.equal(second.parseError, null);
      assert.equal(second.bodyText?.trim(), 'hello 2');
    } finally {
      await p.close();
    }
  });

  test('a message whose parse never ends: the worker is replaced, the message stored headers-only, the cursor moves on', { timeout: 60_000 }, async () => {
    const server = await mailbox(new Map([[1, [300, mail(1, 'X-Test: hang\r\n')]], [2, [200, mail(2)]]]));
    const pool = createParsePool(1, { workerUrl: new URL('../support/hostile-parse-worker.js', import.meta.url), parseTimeoutMs: 1_000 });
    const { plugin: p, store, accountId } = await plugin(server, { parse: (raw, options) => pool.parse(raw, options) });
    try {
      const result = await p.sync({ accountId, nowTs: 1 });
      assert.equal(result.new, 2);
      assert.equal(result.failed, 1);
      assert.equal(result.cursor, 2);
      const first = await store.getMessageByMessageId(accountId, '<h1@example.test>');
      assert.ok(first);
      assert.equal(first.subject, 'message 1');
      assert.match(first.parseError ?? '', /time budget/);
      assert.equal(pool.replaced, 1);
      // The next sync finds nothing new: the message is not fetched again.
      const again = await p.sync({ accountId, nowTs: 2 });
      assert.equal(again.new, 0);
    } finally {
      await p.close();
      await pool.close();
    }
  });
});

describe('parse back-pressure', () => {
  test('reading pauses while queued parse bytes exceed the bound and resumes at half of it', async () => {
    const calls: string[] = [];
    const pending: Array<() => void> = [];
    const parse = withParseBackPressure(
      (raw) =>
        new Promise((resolve) => {
          pending.push(() => resolve({ size: raw.byteLength } as never));
        }),
      { pauseReading: () => calls.push('pause'), resumeReading: () => calls.push('resume') },
      100,
    );
    const parses = [40, 40, 40, 40].map((size) => parse(new Uint8Array(size), { headersOnly: false }));
    assert.deepEqual(calls, ['pause']); // 120 > 100 after the third
    (pending.shift() as () => void)();
    await parses[0];
    assert.deepEqual(calls, ['pause']); // 120 left
    (pending.shift() as () => void)();
    (pending.shift() as () => void)();
    await parses[2];
    assert.deepEqual(calls, ['pause', 'resume']); // 40 ≤ 50
    (pending.shift() as () => void)();
    await Promise.all(parses);
    assert.deepEqual(calls, ['pause', 'resume']);
  });
});
