/**
 * Hostile servers over real sockets and real TLS (test/support/hostile-server.ts): a VANISHED
 * list too long to spread into a call, an exception inside the handling of server data, STARTTLS
 * with plaintext injected after the OK (CVE-2011-0411), and SEARCH/ESEARCH answers beyond the
 * cap. Each must end in a typed error or a correct result — never an uncaught exception.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openImapSession } from '../../src/imap/session/client.js';
import { hostileClientOptions, startHostileServer, type HostileServer } from '../support/hostile-server.js';

const servers: HostileServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(options: Parameters<typeof startHostileServer>[0]): Promise<HostileServer> {
  const server = await startHostileServer(options);
  servers.push(server);
  return server;
}

/** `1,3,5,…` with `count` single-UID ranges (~10 bytes each). */
function oddUids(count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(String(2 * i + 1));
  return parts.join(',');
}

describe('hostile server: huge lists', () => {
  test('SELECT QRESYNC with 200,000 VANISHED (EARLIER) ranges (~1.3 MB line) returns them all', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'EXAMINE') return false;
        connection.write(`* VANISHED (EARLIER) ${oddUids(200_000)}\r\n* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [HIGHESTMODSEQ 9] m\r\n${tag} OK [READ-ONLY] done\r\n`);
        return true;
      },
    });
    const client = await openImapSession(hostileClientOptions(server));
    const result = await client.select('INBOX', { readOnly: true, qresync: { uidValidity: 7, modseq: 1n } });
    assert.equal(result.vanished.length, 200_000);
    assert.deepEqual(result.vanished[199_999], { start: 399_999, end: 399_999 });
    client.close();
  });

  test('UID FETCH (VANISHED) with 200,000 ranges returns them all', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'UID FETCH') return false;
        connection.write(`* VANISHED (EARLIER) ${oddUids(200_000)}\r\n${tag} OK done\r\n`);
        return true;
      },
    });
    const client = await openImapSession(hostileClientOptions(server));
    await client.select('INBOX', { readOnly: true });
    const vanished = await client.uidFetch('1:*', { items: ['FLAGS'], changedSince: 1n, vanished: true }, { message: () => undefined });
    assert.equal(vanished.length, 200_000);
    client.close();
  });

  test('an exception while handling server data fails the connection with a typed error', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'NOOP') return false;
        connection.write(`* 9 EXISTS\r\n${tag} OK done\r\n`);
        return true;
      },
    });
    const client = await openImapSession(hostileClientOptions(server));
    client.onUnsolicited(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    const closed = new Promise((resolve) => client.onClose(resolve));
    await assert.rejects(client.noop(), { code: 'LIMIT' });
    assert.equal(((await closed) as { code: string }).code, 'LIMIT');
    assert.equal(client.closed, true);
  });

  test('* SEARCH beyond maxSearchResults fails with LIMIT', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'UID SEARCH') return false;
        connection.write(`* SEARCH ${Array.from({ length: 1001 }, (_, i) => i + 1).join(' ')}\r\n${tag} OK done\r\n`);
        return true;
      },
    });
    const client = await openImapSession({ ...hostileClientOptions(server), maxSearchResults: 1000 });
    client.capabilities.delete('ESEARCH');
    await assert.rejects(client.uidSearch({}), { code: 'LIMIT' });
    client.close();
  });

  test('ESEARCH ALL 1:9999999 (24 bytes) fails with LIMIT at once instead of expanding', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'UID SEARCH') return false;
        connection.write(`* ESEARCH (TAG "${tag}") UID ALL 1:9999999\r\n${tag} OK done\r\n`);
        return true;
      },
    });
    const client = await openImapSession(hostileClientOptions(server));
    const started = Date.now();
    await assert.rejects(client.uidSearch({}), { code: 'LIMIT' });
    assert.ok(Date.now() - started < 1000, `${Date.now() - started} ms`);
    client.close();
  });

  test('SEARCH and ESEARCH answers below the cap come back ascending and unique', async () => {
    const server = await serve({
      tls: 'implicit',
      respond: (tag, command, _line, connection) => {
        if (command !== 'UID SEARCH') return false;
        connection.write(`* SEARCH 9 3 3 7\r\n* ESEARCH (TAG "${tag}") UID ALL 5:6,1\r\n${tag} OK done\r\n`);
        return true;
      },
    });
    const client = await openImapSession(hostileClientOptions(server));
    assert.deepEqual(await client.uidSearch({}), [1, 3, 5, 6, 7, 9]);
    client.close();
  });
});

describe('back-pressure: pauseReading stops reading without tripping the inactivity timeout', () => {
  test('a response waits while reading is paused and arrives after resumeReading', async () => {
    const server = await serve({ tls: 'implicit' });
    const client = await openImapSession({ ...hostileClientOptions(server), commandTimeoutMs: 300 });
    client.pauseReading();
    let done = false;
    const noop = client.noop().then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(done, false, 'no byte is read while paused');
    assert.equal(client.closed, false, 'no TIMEOUT while paused');
    client.resumeReading();
    await noop;
    assert.equal(done, true);
    client.close();
  });
});

describe('hostile server: STARTTLS injection (CVE-2011-0411)', () => {
  const injecting = (extra: string, after?: string) =>
    serve({
      tls: 'starttls',
      respond: (tag, command, _line, connection) => {
        if (command !== 'STARTTLS') return false;
        // The OK and the injected bytes in one write: they reach the client together.
        connection.write(`${tag} OK begin TLS\r\n${extra}`);
        connection.startTls();
        if (after) setTimeout(() => connection.write(after), 50);
        return true;
      },
    });

  test('a whole response after the OK refuses the connection with TLS', async () => {
    const server = await injecting('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n');
    await assert.rejects(openImapSession(hostileClientOptions(server, 'starttls')), { code: 'TLS' });
    assert.ok(!server.connections[0]?.lines.some((line) => /LOGIN|AUTHENTICATE/.test(line)), 'no credentials were sent');
  });

  test('a partial line after the OK (glued to protected bytes otherwise) refuses the connection', async () => {
    const server = await injecting('A9 OK ');
    await assert.rejects(openImapSession(hostileClientOptions(server, 'starttls')), { code: 'TLS' });
  });

  test('a clean STARTTLS still works and the session is usable', async () => {
    const server = await serve({ tls: 'starttls' });
    const client = await openImapSession(hostileClientOptions(server, 'starttls'));
    await client.noop();
    assert.ok(server.connections[0]?.lines.some((line) => line.endsWith('STARTTLS')));
    client.close();
  });
});
