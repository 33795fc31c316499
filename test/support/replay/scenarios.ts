/**
 * The recorded scenarios: what the server holds (built on the project's Dovecot) and what the
 * client does, one connection per phase. `scripts/record-transcripts.ts` runs them against
 * Dovecot with a recorder and writes fixtures/transcripts/<scenario>-<n>-<phase>.txt; the replay
 * tests run the same client code against those files. Test-only.
 */

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImapSessionOptions } from '../../../src/imap/session/client.js';
import { openImapSession } from '../../../src/imap/session/client.js';
import { parseTranscript, type Transcript } from '../../../src/imap/transcript/index.js';
import type { Store } from '../../../src/store/index.js';
import { EmailPlugin, type AccountConfig } from '../../../src/sync/email-plugin.js';
import type { DovecotEnv } from '../../servers/dovecot-env.js';
import { makeRaw } from '../simple-parse.js';
import {
  appendFixtureMessages,
  buildFixtureMailbox,
  expungeFixtureMessage,
  fixtureMessages,
  setFixtureFlags,
  type FixtureMessage,
} from './fixture-mailbox.js';

export const transcriptsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/transcripts');

/** Where the client connects and how it logs in; replay uses the same values with any secret. */
export interface ScenarioServer {
  host: string;
  implicitPort: number;
  starttlsPort: number;
  ca?: string;
  password: (user: string) => string;
  token: (user: string) => string;
}

export interface ScenarioContext {
  server: ScenarioServer;
  /** Extra session options: a transcript recorder, or a replay transport. */
  session: Partial<ImapSessionOptions>;
  store: Store;
}

export interface ScenarioPhase {
  name: string;
  /** Server-side changes before the phase (Dovecot only). */
  prepare?(env: DovecotEnv): void;
  /** Server-side changes made while the client runs, 1 s after it starts (Dovecot only). */
  whileRunning?(env: DovecotEnv): void;
  /** The client's part; returns a summary the tests compare. */
  run(context: ScenarioContext): Promise<unknown>;
}

export interface Scenario {
  name: string;
  title: string;
  user: string;
  phases: ScenarioPhase[];
}

export const NOW_TS = 1_767_300_000;

interface AccountChoice {
  mode?: 'implicit' | 'starttls';
  oauth?: boolean;
  /** List folders before syncing INBOX (as `prx-email sync --all-folders` does). */
  listFolders?: boolean;
}

function account(server: ScenarioServer, user: string, choice: AccountChoice = {}): AccountConfig {
  const mode = choice.mode ?? 'implicit';
  return {
    email: `${user}@prx-email.test`,
    imap: {
      host: server.host,
      port: mode === 'implicit' ? server.implicitPort : server.starttlsPort,
      user,
      auth: choice.oauth ? { oauthToken: server.token(user) } : { password: server.password(user) },
      tls: { mode, ...(server.ca ? { ca: server.ca } : {}) },
    },
  };
}

/**
 * Syncs INBOX with an EmailPlugin on one connection, `rounds` calls of `maxMessages`, then
 * LOGOUT. A typed failure ends the phase and is part of its result.
 */
async function pluginSync(context: ScenarioContext, user: string, maxMessages: number, rounds: number, choice: AccountChoice = {}): Promise<unknown> {
  const plugin = new EmailPlugin({ store: context.store, session: { ...context.session, compress: false } });
  const accountId = await plugin.addAccount(account(context.server, user, choice), NOW_TS);
  const results: unknown[] = [];
  try {
    if (choice.listFolders) {
      const folders = await plugin.listFolders(accountId);
      results.push({ folders: folders.map((folder) => `${folder.name}${folder.specialUse ? ` ${folder.specialUse}` : ''}`) });
    }
    for (let round = 0; round < rounds; round++) {
      const result = await plugin.sync({ accountId, folder: 'INBOX', nowTs: NOW_TS, maxMessages });
      results.push({ new: result.new, updated: result.updated, deleted: result.deleted, cursor: result.cursor, remaining: result.remaining, uidvalidityChanged: result.uidvalidityChanged });
      if (result.remaining === 0) break;
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    results.push({ error: code, retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs ?? null });
  } finally {
    await plugin.close();
  }
  return results;
}

/** Messages that arrive later: generated, deterministic. */
function laterMessages(count: number, start: number): FixtureMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    raw: makeRaw(5000 + start + i),
    flags: '',
    internalDate: 1_767_300_000 + (start + i) * 60,
  }));
}

const SYNC_UIDVALIDITY = 1_700_000_001;

/** The live mailbox after phase 2 of dovecot-sync, in UID order (for the UIDVALIDITY rebuild). */
function afterIncremental(): FixtureMessage[] {
  const messages = fixtureMessages().filter((_, index) => index !== 4); // UID 5 expunged
  return [...messages, ...laterMessages(3, 0)];
}

/** Recorded from the project's Dovecot by scripts/record-transcripts.ts. */
export const recordedScenarios: Scenario[] = [
  {
    name: 'dovecot-sync',
    title: 'a folder through its life: initial sync in rounds, changes, UIDVALIDITY reset',
    user: 'user8',
    phases: [
      {
        name: 'initial',
        prepare: (env) => buildFixtureMailbox(env, 'user8', 'INBOX', SYNC_UIDVALIDITY, fixtureMessages()),
        run: (context) => pluginSync(context, 'user8', 8, 3),
      },
      {
        name: 'incremental',
        prepare: (env) => {
          setFixtureFlags(env, 'user8', 'INBOX', 2, ['\\Seen', '\\Flagged']);
          setFixtureFlags(env, 'user8', 'INBOX', 3, ['\\Answered']);
          expungeFixtureMessage(env, 'user8', 'INBOX', 5);
          appendFixtureMessages(env, 'user8', 'INBOX', laterMessages(3, 0));
        },
        run: (context) => pluginSync(context, 'user8', 100, 1),
      },
      {
        name: 'uidvalidity',
        prepare: (env) => buildFixtureMailbox(env, 'user8', 'INBOX', SYNC_UIDVALIDITY + 1, afterIncremental()),
        run: (context) => pluginSync(context, 'user8', 100, 1),
      },
    ],
  },
  {
    name: 'dovecot-idle',
    title: 'IDLE on INBOX until new mail arrives, then fetch its flags',
    user: 'user7',
    phases: [
      {
        name: 'idle',
        prepare: (env) => {
          buildFixtureMailbox(env, 'user7', 'INBOX', 1_700_000_101, fixtureMessages().slice(0, 3));
        },
        whileRunning: (env) => appendFixtureMessages(env, 'user7', 'INBOX', laterMessages(1, 10)),
        run: async (context) => {
          const client = await openImapSession({ ...sessionFor(context, 'user7'), compress: false });
          const selected = await client.select('INBOX', { readOnly: true });
          const seen: number[] = [];
          client.onUnsolicited((data) => {
            if (data.type === 'exists') {
              seen.push(data.count);
              client.stopIdle?.();
            }
          });
          await client.idle({ maxIdleMs: 20_000 });
          const flags: Array<{ uid: number; flags: string[] }> = [];
          await client.uidFetch(`${selected.uidNext ?? 1}:*`, { items: ['UID', 'FLAGS'] }, {
            message: ({ attributes }) => flags.push({ uid: attributes.uid ?? 0, flags: attributes.flags ?? [] }),
          });
          await client.logout();
          return { exists: selected.exists, seen, flags };
        },
      },
    ],
  },
  {
    name: 'dovecot-auth-failure',
    title: 'a wrong password: AUTHENTICATE PLAIN answered NO [AUTHENTICATIONFAILED]',
    user: 'user7',
    phases: [
      {
        name: 'wrong-password',
        run: async (context) => {
          try {
            await openImapSession({ ...sessionFor(context, 'user7'), auth: { password: 'not-the-password' } });
            return { error: null };
          } catch (error) {
            return { error: (error as { code?: string }).code };
          }
        },
      },
    ],
  },
  {
    name: 'dovecot-starttls-oauth',
    title: 'STARTTLS on the plain port, then XOAUTH2; LIST and STATUS',
    user: 'user7',
    phases: [
      {
        name: 'list-status',
        run: async (context) => {
          const client = await openImapSession({
            ...context.session,
            host: context.server.host,
            port: context.server.starttlsPort,
            user: 'user7',
            auth: { oauthToken: context.server.token('user7') },
            oauthMechanism: 'XOAUTH2',
            tls: { mode: 'starttls', ...(context.server.ca ? { ca: context.server.ca } : {}) },
            compress: false,
          });
          const folders = await client.list({});
          const status = await client.status('INBOX', ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY']);
          await client.logout();
          return { folders: folders.map((folder) => folder.name), status };
        },
      },
    ],
  },
  {
    name: 'dovecot-compress',
    title: 'COMPRESS=DEFLATE negotiated (the transcript holds the inflated bytes)',
    user: 'user7',
    phases: [
      {
        name: 'compress',
        run: async (context) => {
          const client = await openImapSession({ ...sessionFor(context, 'user7'), compress: true });
          const status = await client.status('INBOX', ['MESSAGES']);
          await client.logout();
          return { status };
        },
      },
    ],
  },
];

const sync = (maxMessages: number, choice: AccountChoice = {}) => (context: ScenarioContext) => pluginSync(context, 'ann', maxMessages, 1, choice);

/**
 * Hand-written from documented server behaviour (../shared/reference/peers-and-server-quirks.md
 * §4; each transcript's `source` line names its evidence) for servers we cannot run here. Every
 * phase is one connection; phases share one store.
 */
export const providerScenarios: Scenario[] = [
  {
    name: 'gmail',
    title: 'Gmail: CONDSTORE without QRESYNC, capabilities after login as untagged data, the 15-connection limit',
    user: 'ann',
    phases: [
      { name: 'initial', run: sync(100, { oauth: true, listFolders: true }) },
      { name: 'condstore-changes', run: sync(100, { oauth: true }) },
      { name: 'too-many-connections', run: sync(100, { oauth: true }) },
    ],
  },
  {
    name: 'outlook',
    title: 'Outlook / Office 365: no CONDSTORE, throttling BAD with a backoff time, "authenticated but not connected"',
    user: 'ann',
    phases: [
      { name: 'initial', run: sync(100, { oauth: true }) },
      { name: 'throttled', run: sync(100, { oauth: true }) },
      { name: 'not-connected', run: sync(100, { oauth: true }) },
    ],
  },
  {
    name: 'yahoo',
    title: 'Yahoo: no CONDSTORE (XYMHIGHESTMODSEQ), trailing spaces, UIDVALIDITY 1, deletions seen in the full flag listing',
    user: 'ann',
    phases: [
      { name: 'initial', run: sync(100) },
      { name: 'expunged', run: sync(100) },
    ],
  },
  {
    name: 'icloud',
    title: 'iCloud: ENABLE answered OK without ENABLED; QRESYNC used anyway',
    user: 'ann',
    phases: [
      { name: 'initial', run: sync(100) },
      { name: 'qresync', run: sync(100) },
    ],
  },
  {
    name: 'fastmail',
    title: 'Fastmail / Cyrus: FETCH for a message before the EXISTS that announces it',
    user: 'ann',
    phases: [{ name: 'fetch-before-exists', run: sync(100) }],
  },
  {
    name: 'protonmail-bridge',
    title: 'ProtonMail Bridge: STARTTLS on 1143, LIST RETURN (SPECIAL-USE) answered BAD',
    user: 'ann',
    phases: [{ name: 'starttls-list', run: sync(100, { mode: 'starttls', listFolders: true }) }],
  },
  {
    name: 'courier',
    title: 'Courier: no CONDSTORE, no LITERAL+, "INBOX." namespace, * 0 FETCH',
    user: 'ann',
    phases: [{ name: 'initial', run: sync(100, { listFolders: true }) }],
  },
];

export const scenarios: Scenario[] = [...recordedScenarios, ...providerScenarios];

function sessionFor(context: ScenarioContext, user: string): ImapSessionOptions {
  return {
    ...context.session,
    host: context.server.host,
    port: context.server.implicitPort,
    user,
    auth: { password: context.server.password(user) },
    tls: { mode: 'implicit', ...(context.server.ca ? { ca: context.server.ca } : {}) },
  };
}

export function transcriptFile(scenario: Scenario, phaseIndex: number): string {
  const phase = scenario.phases[phaseIndex] as ScenarioPhase;
  return join(transcriptsDir, `${scenario.name}-${phaseIndex + 1}-${phase.name}.txt`);
}

export function loadScenarioTranscripts(scenario: Scenario): Transcript[] {
  return scenario.phases.map((_, index) => parseTranscript(readFileSync(transcriptFile(scenario, index), 'utf8')));
}

/** What a replayed client is given as its server: the recorded names, any secret. */
export const replayServer: ScenarioServer = {
  host: '127.0.0.1',
  implicitPort: 19993,
  starttlsPort: 19143,
  password: () => 'replayed-password',
  token: () => 'replayed-token',
};
