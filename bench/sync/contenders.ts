/**
 * The sync benchmark's contenders, as commands the parent runs one per child process: the
 * initial-sync field (prx-email library in three MIME-worker settings, the prx-email CLI,
 * imapflow with and without COMPRESS, mbsync with and without fsync, the bare wire fetch), the
 * no-change incremental sync, and the 20 MiB-attachment runs; each with the check that decides
 * whether a run counts.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DovecotEnv } from '../../test/servers/dovecot-env.js';
import type { ChildConfig } from './child-protocol.js';
import { repoRoot } from './environment.js';
import type { Contender, Run } from './process-run.js';

/** What every contender needs: the bench account on the bench Dovecot, the mailbox's size, and
 * the benchmark's entry file (a child is `node <entry> --child KIND`). */
export interface ContenderContext {
  env: DovecotEnv;
  password: string;
  /** Messages in INBOX. */
  messages: number;
  /** Their total size in bytes. */
  payloadBytes: number;
  entry: string;
}

const node = process.execPath;

/** The environment of a child: its configuration (INBOX of user `bench` unless overridden). */
export function childEnv(ctx: ContenderContext, config: Partial<ChildConfig>): Record<string, string> {
  const { env, password } = ctx;
  return {
    PRX_BENCH_CHILD: JSON.stringify({ host: env.host, port: env.implicitPort, user: 'bench', password, caFile: env.caFile, folder: 'INBOX', db: '', ...config }),
  };
}

const expectMessages = (expected: number) => (run: Run): string | null =>
  run.child && run.child.messages !== expected ? `expected ${expected} messages, got ${run.child.messages}` : null;

function countMaildir(dir: string): number {
  let n = 0;
  for (const sub of ['cur', 'new']) {
    const path = join(dir, sub);
    if (existsSync(path)) n += readdirSync(path).length;
  }
  return n;
}

function mbsyncContender(ctx: ContenderContext, id: string, label: string, fsync: boolean): Contender {
  const { env, password, messages } = ctx;
  return {
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
  };
}

/** The initial sync of INBOX into a fresh work directory, every contender (mbsync only when it
 * could be installed). */
export function initialSyncContenders(ctx: ContenderContext, mbsync: { version: string } | { skip: string }): Contender[] {
  const { env, password, messages, payloadBytes, entry: thisFile } = ctx;
  return [
    {
      id: 'prx-lib',
      label: 'prx-email library',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv(ctx, { db: join(work, 'mail.db') }), verify: expectMessages(messages) }),
    },
    {
      id: 'prx-lib-1thread',
      label: 'prx-email library, MIME on the main thread',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv(ctx, { db: join(work, 'mail.db'), parseWorkers: 0 }), verify: expectMessages(messages) }),
    },
    {
      id: 'prx-lib-2workers',
      label: 'prx-email library, two MIME workers',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv(ctx, { db: join(work, 'mail.db'), parseWorkers: 2 }), verify: expectMessages(messages) }),
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
      command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv(ctx, { db: join(work, 'mail.db') }), verify: expectMessages(messages) }),
    },
    {
      id: 'imapflow-nc',
      label: 'same, imapflow COMPRESS off',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv(ctx, { db: join(work, 'mail.db'), compress: false }), verify: expectMessages(messages) }),
    },
    ...('version' in mbsync ? [mbsyncContender(ctx, 'mbsync', 'mbsync (Maildir, fsync)', true), mbsyncContender(ctx, 'mbsync-nofsync', 'mbsync (Maildir, FSync no)', false)] : []),
    {
      id: 'wire',
      label: 'bare TLS fetch (wire limit)',
      command: () => ({
        file: node,
        args: [thisFile, '--child', 'wire'],
        env: childEnv(ctx, {}),
        verify: (run) => ((run.child?.bytes ?? 0) >= payloadBytes ? null : `received ${run.child?.bytes} bytes < ${payloadBytes}`),
      }),
    },
  ];
}

/** The no-change incremental sync with prx-email, from a copy of `baseDb` (a synced database). */
export function incrementalContender(ctx: ContenderContext, baseDb: string): Contender {
  const thisFile = ctx.entry;
  return {
    id: 'prx-incremental',
    label: 'prx-email no-change sync',
    command: (work) => {
      const db = join(work, 'mail.db');
      copyFileSync(baseDb, db);
      return { file: node, args: [thisFile, '--child', 'prx-incremental'], env: childEnv(ctx, { db }), verify: expectMessages(0) };
    },
  };
}

/** The one message with a 20 MiB attachment (Archive): prx-email at two size limits, imapflow. */
export function bigAttachmentContenders(ctx: ContenderContext): Contender[] {
  const thisFile = ctx.entry;
  return [
    {
      id: 'big-prx-default',
      label: 'prx-email, default 25 MiB limit',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv(ctx, { folder: 'Archive', db: join(work, 'mail.db') }), verify: expectMessages(1) }),
    },
    {
      id: 'big-prx-64mib',
      label: 'prx-email, maxMessageBytes 64 MiB',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'prx-lib'], env: childEnv(ctx, { folder: 'Archive', db: join(work, 'mail.db'), maxMessageBytes: 64 * 1024 * 1024 }), verify: expectMessages(1) }),
    },
    {
      id: 'big-imapflow',
      label: 'imapflow+postal-mime+sql.js',
      command: (work) => ({ file: node, args: [thisFile, '--child', 'imapflow'], env: childEnv(ctx, { folder: 'Archive', db: join(work, 'mail.db') }), verify: expectMessages(1) }),
    },
  ];
}
