/**
 * Fuzz targets for the structure-aware generators (generators.ts), each with a wall-clock budget
 * per input — running over it is a finding, like an uncaught exception or an untyped error:
 *  - server: the real client (openImapSession and one operation) against a generated server
 *    script over an in-memory transport; it must end with a result or a typed PrxError (a TLS
 *    error, without credentials sent, for STARTTLS injection);
 *  - mime: parseMessage on a generated message must answer with a record.
 * Test-only.
 */
import { isPrxError } from '../../src/errors.js';
import { openImapSession, type ImapClient } from '../../src/imap/session/client.js';
import { parseMessage } from '../../src/mime/parse-message.js';
import { MIME_GENERATORS, SERVER_GENERATORS, type Random, type ServerScript } from './generators.js';
import { createScriptedTransport } from './scripted-transport.js';
import type { Verdict } from './targets.js';

/** Wall-clock budget of one generated input (up to ~10 MB of server data or 2 MiB of mail, on a
 * shared 2-core machine; the quadratic and crashing cases this guards against took minutes or
 * ended the process). */
export const GENERATOR_BUDGET_MS = 10_000;

const CAPS = 'IMAP4rev1 AUTH=PLAIN ENABLE CONDSTORE QRESYNC ESEARCH';

function defaultAnswer(tag: string, command: string): string {
  switch (command) {
    case 'CAPABILITY':
      return `* CAPABILITY ${CAPS}\r\n${tag} OK done\r\n`;
    case 'LOGIN':
    case 'AUTHENTICATE':
      return `${tag} OK [CAPABILITY ${CAPS}] in\r\n`;
    case 'ENABLE':
      return `* ENABLED QRESYNC CONDSTORE\r\n${tag} OK done\r\n`;
    case 'EXAMINE':
    case 'SELECT':
      return `* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [HIGHESTMODSEQ 9] m\r\n${tag} OK [READ-ONLY] done\r\n`;
    case 'LOGOUT':
      return `* BYE bye\r\n${tag} OK bye\r\n`;
    default:
      return `${tag} OK done\r\n`;
  }
}

async function operate(client: ImapClient, script: ServerScript): Promise<void> {
  switch (script.operation) {
    case 'connect':
      return;
    case 'select-qresync':
      await client.select('INBOX', { readOnly: true, qresync: { uidValidity: 7, modseq: 1n } });
      return;
    case 'fetch-vanished':
      await client.select('INBOX', { readOnly: true });
      await client.uidFetch('1:*', { items: ['FLAGS'], changedSince: 1n, vanished: true }, { message: () => undefined });
      return;
    case 'search':
      await client.uidSearch({});
      return;
    case 'fetch-flags':
      await client.uidFetch('1:*', { items: ['UID', 'FLAGS'] }, { message: () => undefined });
      return;
    case 'fetch-body': {
      let bytes = 0;
      await client.uidFetch('1:*', { items: ['UID'], body: { part: 'full' } }, { body: (event) => void (event.type === 'body-chunk' && (bytes += event.data.length)), message: () => undefined });
      return;
    }
  }
}

export async function runServerScript(script: ServerScript, chunkSizes: number[], budgetMs: number): Promise<Verdict> {
  const started = performance.now();
  let transport: ReturnType<typeof createScriptedTransport> | null = null;
  const connect = async () => {
    transport = createScriptedTransport(
      `* OK [CAPABILITY ${CAPS}${script.starttls ? ' STARTTLS' : ''}] fuzz\r\n`,
      (tag, command) => script.answer(tag, command) ?? defaultAnswer(tag, command),
      chunkSizes,
    );
    return transport;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), Math.max(budgetMs * 4, 10_000));
  });
  const run = (async () => {
    const client = await openImapSession({
      host: 'fuzz.invalid',
      port: 993,
      user: 'alice',
      auth: { password: 'secret' },
      tls: { mode: script.starttls ? 'starttls' : 'implicit' },
      compress: false,
      commandTimeoutMs: 1_000,
      greetingTimeoutMs: 1_000,
      connectTransport: connect,
    });
    try {
      await operate(client, script);
    } finally {
      client.close();
    }
  })().then(
    () => 'ok' as const,
    (error: unknown) => error,
  );
  const outcome = await Promise.race([run, hang]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  if (outcome === 'hang') return { ok: false, reason: `${script.name}: no result (hang)` };
  if (outcome !== 'ok' && !isPrxError(outcome)) return { ok: false, reason: `${script.name}: untyped error: ${(outcome as Error)?.stack ?? String(outcome)}` };
  if (ms > budgetMs) return { ok: false, reason: `${script.name}: ${ms.toFixed(0)} ms, over the budget of ${budgetMs} ms` };
  if (script.expectTls) {
    const sentCredentials = (transport as ReturnType<typeof createScriptedTransport> | null)?.clientLines.some((line) => /LOGIN|AUTHENTICATE/i.test(line)) ?? false;
    if (outcome === 'ok' || (outcome as { code?: string }).code !== 'TLS' || sentCredentials) {
      return { ok: false, reason: `${script.name}: injected plaintext after the STARTTLS OK was not refused with TLS (${outcome === 'ok' ? 'connected' : (outcome as Error).message}${sentCredentials ? '; credentials sent' : ''})` };
    }
  }
  return { ok: true, events: 0, errors: 0, outcome: 'handled' };
}

export async function runServerGenerator(name: string, random: Random, scale: number, chunkSizes: number[], budgetMs: number): Promise<Verdict> {
  const generator = SERVER_GENERATORS[name];
  if (!generator) return { ok: false, reason: `unknown generator ${name}` };
  return runServerScript(generator(random, scale), chunkSizes, budgetMs);
}

export async function runMimeGenerator(name: string, random: Random, scale: number, budgetMs: number): Promise<Verdict> {
  const generator = MIME_GENERATORS[name];
  if (!generator) return { ok: false, reason: `unknown generator ${name}` };
  const raw = new TextEncoder().encode(generator(random, scale));
  const started = performance.now();
  try {
    const record = await parseMessage(raw);
    const ms = performance.now() - started;
    if (ms > budgetMs) return { ok: false, reason: `${name}: parse took ${ms.toFixed(0)} ms for ${raw.length} bytes, over the budget of ${budgetMs} ms` };
    if (typeof record.messageId !== 'string') return { ok: false, reason: `${name}: no record` };
    return { ok: true, events: 0, errors: 0, outcome: 'handled' };
  } catch (error) {
    return { ok: false, reason: `${name}: parseMessage threw: ${(error as Error)?.stack ?? String(error)}` };
  }
}
