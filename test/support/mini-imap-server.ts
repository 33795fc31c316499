/**
 * A tiny IMAP4rev1 server (no CONDSTORE; IDLE only when asked for) over the scripted in-memory
 * transport: LOGIN, CAPABILITY, LIST (with a mailbox's RFC 6154 special-use attribute), EXAMINE,
 * UID FETCH (UID / FLAGS / INTERNALDATE / RFC822.SIZE / BODY.PEEK[]), UID SEARCH UID and, with
 * `idle: true`, IDLE (RFC 2177: `+ idling`, `* N EXISTS` pushed when `deliver` adds a message
 * to the idled mailbox, ended by DONE) on a set of mailboxes held in memory. Enough for the real
 * client, session adapter, EmailPlugin and sync service to sync several folders without
 * sockets. A mailbox can be made to refuse EXAMINE, or to leave message-body FETCHes
 * unanswered. Test-only.
 */

import { basicAnswer, createScriptedServer, type ScriptedCommand, type ScriptedServer } from './scripted-server.js';

export interface MiniMessage {
  uid: number;
  raw: Uint8Array;
  flags: string[];
}

export interface MiniMailbox {
  name: string;
  uidValidity: number;
  uidNext: number;
  messages: MiniMessage[];
  /** `\Noselect` in LIST; EXAMINE answers NO. */
  noselect?: boolean;
  /** EXAMINE answers NO with this text. */
  refuse?: string;
  /** RFC 6154 special-use attribute in LIST, e.g. `\Sent`. */
  specialUse?: string;
  /** UID FETCH of message bodies (BODY.PEEK[]) gets no answer at all (a stalled server). */
  stallBodies?: boolean;
}

export interface MiniServerState {
  mailboxes: Map<string, MiniMailbox>;
  /** Connections opened so far. */
  connections: number;
  /** Every command of every connection. */
  commands: string[];
}

export function createMiniState(): MiniServerState {
  return { mailboxes: new Map(), connections: 0, commands: [] };
}

export function addMailbox(state: MiniServerState, name: string, options: Partial<MiniMailbox> = {}): MiniMailbox {
  const mailbox: MiniMailbox = { name, uidValidity: 1, uidNext: 1, messages: [], ...options };
  state.mailboxes.set(name, mailbox);
  return mailbox;
}

/** Connections in IDLE on a mailbox, told about every delivery to it. */
const idlers = new WeakMap<MiniMailbox, Set<() => void>>();

/** Adds a message (next UID); connections idling on the mailbox get `* N EXISTS`. */
export function deliver(mailbox: MiniMailbox, raw: Uint8Array, flags: string[] = []): number {
  const uid = mailbox.uidNext++;
  mailbox.messages.push({ uid, raw, flags });
  for (const notify of idlers.get(mailbox) ?? []) notify();
  return uid;
}

/** UIDs of `set` ("1:5,7,9:*") among `uids` (RFC 3501: "n:*" includes the highest UID). */
function matchUidSet(set: string, uids: number[]): number[] {
  const max = uids.length === 0 ? 0 : Math.max(...uids);
  const wanted = new Set<number>();
  for (const part of set.split(',')) {
    const [a, b] = part.split(':') as [string, string | undefined];
    const from = a === '*' ? max : Number(a);
    const to = b === undefined ? from : b === '*' ? max : Number(b);
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    for (const uid of uids) if (uid >= lo && uid <= hi) wanted.add(uid);
  }
  return uids.filter((uid) => wanted.has(uid));
}

const unquote = (text: string): string => (text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text);

/** A connection factory for `connectTransport`: each call opens a new connection to `state`. */
export function miniServerConnector(state: MiniServerState, options: { user?: string; password?: string; idle?: boolean } = {}) {
  const servers: ScriptedServer[] = [];
  const capabilities = options.idle === true ? 'IMAP4rev1 IDLE' : 'IMAP4rev1';
  const connect = async () => {
    state.connections++;
    let selected: MiniMailbox | null = null;
    let idling: { tag: string; mailbox: MiniMailbox; notify: () => void } | null = null;
    const endIdle = (): void => {
      if (idling) idlers.get(idling.mailbox)?.delete(idling.notify);
    };
    const server = createScriptedServer({
      greeting: `* OK [CAPABILITY ${capabilities}] mini ready`,
      answer(command: ScriptedCommand) {
        state.commands.push(command.text.replace(/^(\S+ LOGIN) .*/, '$1 ***'));
        if (idling) {
          const { tag } = idling;
          endIdle();
          idling = null;
          return command.text === 'DONE' ? `${tag} OK idle done\r\n` : `${tag} BAD expected DONE\r\n`;
        }
        const basic = basicAnswer(command, capabilities);
        if (basic !== null) return basic;
        const { tag, text } = command;
        const rest = text.slice(tag.length + 1);
        const login = /^LOGIN (\S+) (\S+)$/i.exec(rest);
        if (login) {
          const ok = (options.user === undefined || unquote(login[1] as string) === options.user) && (options.password === undefined || unquote(login[2] as string) === options.password);
          return ok ? `${tag} OK [CAPABILITY ${capabilities}] logged in\r\n` : `${tag} NO [AUTHENTICATIONFAILED] wrong\r\n`;
        }
        if (/^IDLE$/i.test(rest) && options.idle === true && selected) {
          const mailbox: MiniMailbox = selected;
          const notify = (): void => server.send(`* ${mailbox.messages.length} EXISTS\r\n`);
          idling = { tag, mailbox, notify };
          if (!idlers.has(mailbox)) idlers.set(mailbox, new Set());
          idlers.get(mailbox)?.add(notify);
          return '+ idling\r\n';
        }
        if (/^LIST /i.test(rest)) {
          const lines = [...state.mailboxes.values()].map((m) => `* LIST (${m.noselect ? '\\Noselect' : '\\HasNoChildren'}${m.specialUse ? ` ${m.specialUse}` : ''}) "/" "${m.name}"\r\n`);
          return `${lines.join('')}${tag} OK listed\r\n`;
        }
        const examine = /^(?:EXAMINE|SELECT) (.+)$/i.exec(rest);
        if (examine) {
          const mailbox = state.mailboxes.get(unquote(examine[1] as string));
          if (!mailbox || mailbox.noselect) return `${tag} NO [NONEXISTENT] no such mailbox\r\n`;
          if (mailbox.refuse) return `${tag} NO ${mailbox.refuse}\r\n`;
          selected = mailbox;
          return (
            `* ${mailbox.messages.length} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Flagged)\r\n` +
            `* OK [UIDVALIDITY ${mailbox.uidValidity}] ok\r\n* OK [UIDNEXT ${mailbox.uidNext}] ok\r\n${tag} OK [READ-ONLY] examined\r\n`
          );
        }
        const fetch = /^UID FETCH (\S+) \((.*)\)$/i.exec(rest);
        if (fetch && selected) {
          const box: MiniMailbox = selected;
          const items = (fetch[2] as string).toUpperCase();
          const uids = matchUidSet(fetch[1] as string, box.messages.map((m) => m.uid));
          if (box.stallBodies && items.includes('BODY.PEEK[]') && uids.length > 0) return '';
          let out = '';
          for (const uid of uids) {
            const seq = box.messages.findIndex((m) => m.uid === uid) + 1;
            const m = box.messages[seq - 1] as MiniMessage;
            const parts = [`UID ${uid}`];
            if (items.includes('FLAGS')) parts.push(`FLAGS (${m.flags.join(' ')})`);
            if (items.includes('INTERNALDATE')) parts.push('INTERNALDATE "01-Jan-2026 10:00:00 +0000"');
            if (items.includes('RFC822.SIZE')) parts.push(`RFC822.SIZE ${m.raw.byteLength}`);
            let body = '';
            if (items.includes('BODY.PEEK[]')) body = ` BODY[] {${m.raw.byteLength}}\r\n${Buffer.from(m.raw).toString('latin1')}`;
            out += `* ${seq} FETCH (${parts.join(' ')}${body})\r\n`;
          }
          return `${out}${tag} OK fetched\r\n`;
        }
        const search = /^UID SEARCH UID (\S+)$/i.exec(rest);
        if (search && selected) {
          const box: MiniMailbox = selected;
          const uids = matchUidSet(search[1] as string, box.messages.map((m) => m.uid));
          return `* SEARCH${uids.map((u) => ` ${u}`).join('')}\r\n${tag} OK searched\r\n`;
        }
        return `${tag} BAD unsupported: ${rest.slice(0, 40)}\r\n`;
      },
    });
    servers.push(server);
    return server.transport;
  };
  return { connect, servers };
}
