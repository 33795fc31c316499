/**
 * `prx-email show ID`: one stored message — headers, folders, flags, attachments and the text
 * body (default), only the text body (`--text`), the HTML body (`--html`), or the original bytes
 * fetched from the server (`--raw --config FILE`: the database keeps the parsed record only).
 * On a terminal, control characters in mail text are neutralised; `--json` prints the record.
 */
import { ConfigError } from '../../errors.js';
import { openImapSession } from '../../imap/session/client.js';
import type { StoredMessage } from '../../store/index.js';
import { resolveAccount } from '../../sync/email-plugin.js';
import { fetchRawMessage } from '../../sync/raw-message.js';
import { resolveServiceAccount } from '../../sync/service/accounts.js';
import { loadServiceConfig } from '../../sync/service/config.js';
import type { CliCommand } from '../args.js';
import { openExistingStore, safeText, type CliIO } from './common.js';

type ShowCommand = Extract<CliCommand, { command: 'show' }>;

function summary(message: StoredMessage, accountEmail: string): string {
  const lines = [
    `id:          ${message.id}`,
    `account:     ${accountEmail}`,
    `message-id:  ${message.messageId}`,
    `date:        ${message.date ? new Date(message.date).toISOString() : '-'}`,
    `from:        ${message.sender ?? '-'}`,
    `to:          ${message.recipients ?? '-'}`,
    ...(message.cc ? [`cc:          ${message.cc}`] : []),
    `subject:     ${message.subject ?? '-'}`,
    `folders:     ${message.locations.map((l) => `${l.folder} (uid ${l.uid}${l.flags.length ? ` ${l.flags.join(' ')}` : ''})`).join(', ') || '- (deleted on the server)'}`,
    `size:        ${message.size} bytes${message.truncated ? ' (stored headers only: too large)' : ''}`,
    ...(message.parseError ? [`parse error: ${message.parseError}`] : []),
    ...message.attachments.map((a) => `attachment:  ${a.filename ?? '(unnamed)'} ${a.contentType} ${a.size} bytes`),
    '',
    message.bodyText ?? (message.bodyHtml ? '(HTML only: use --html)' : '(no text body)'),
  ];
  return lines.map((line) => safeText(line.replace(/\r\n/g, '\n'))).join('\n');
}

export async function runShow(command: ShowCommand, io: CliIO, env: Record<string, string | undefined>): Promise<number> {
  const store = await openExistingStore(command.db);
  let message: StoredMessage | null;
  let email: string;
  try {
    message = await store.getMessage(command.id);
    if (!message) throw new ConfigError(`no message with id ${command.id} (ids come from list and search)`);
    email = (await store.getAccount(message.accountId))?.email ?? '?';
  } finally {
    await store.close();
  }
  const tty = io.stdout.isTTY === true;
  switch (command.format) {
    case 'summary':
      if (command.json) io.stdout.write(`${JSON.stringify({ ok: true, message: { ...message, account: email } })}\n`);
      else io.stdout.write(`${summary(message, email)}\n`);
      return 0;
    case 'text':
    case 'html': {
      const body = command.format === 'text' ? message.bodyText : message.bodyHtml;
      if (body === null) throw new ConfigError(`message ${command.id} has no ${command.format} body`);
      if (command.json) io.stdout.write(`${JSON.stringify({ ok: true, id: message.id, [command.format]: body })}\n`);
      else io.stdout.write(`${tty ? safeText(body.replace(/\r\n/g, '\n')) : body}\n`);
      return 0;
    }
    case 'raw': {
      const location = message.locations[0];
      if (!location) throw new ConfigError(`message ${command.id} is no longer on the server (deleted)`);
      const config = loadServiceConfig(command.config as string);
      const accountConfig = config.accounts.find((a) => a.email === email);
      if (!accountConfig) throw new ConfigError(`no account with email ${email} in ${command.config}`);
      const account = await resolveServiceAccount(accountConfig, env);
      const client = await openImapSession(resolveAccount({ email: account.email, ...(account.provider ? { provider: account.provider } : {}), imap: account.imap }));
      try {
        const bytes = await fetchRawMessage(client, location);
        if (command.json) io.stdout.write(`${JSON.stringify({ ok: true, id: message.id, raw: Buffer.from(bytes).toString('base64') })}\n`);
        else io.stdout.write(tty ? safeText(Buffer.from(bytes).toString('latin1').replace(/\r\n/g, '\n')) : Buffer.from(bytes));
      } finally {
        await client.logout();
      }
      return 0;
    }
  }
}
