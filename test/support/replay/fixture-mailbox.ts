/**
 * A mailbox the project's Dovecot can rebuild byte for byte, with the same UIDs, UIDVALIDITY,
 * INTERNALDATEs and flags every time: the state the recorded transcripts were taken from, so a
 * test can continue a replayed session against the real server. Test-only.
 */

import { chownSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { doveadm, type DovecotEnv } from '../../servers/dovecot-env.js';

export interface FixtureMessage {
  raw: Uint8Array;
  /** Maildir flag letters (S seen, F flagged, R answered). */
  flags: string;
  /** INTERNALDATE, Unix seconds. */
  internalDate: number;
}

const messagesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/messages');

/** The sample messages of fixtures/messages, in name order, with fixed dates and some flags. */
export function fixtureMessages(): FixtureMessage[] {
  return readdirSync(messagesDir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name, index) => ({
      raw: readFileSync(join(messagesDir, name)),
      flags: index % 3 === 0 ? 'S' : index % 5 === 0 ? 'FS' : '',
      internalDate: 1_767_225_600 + index * 3600, // 2026-01-01T00:00Z, hourly
    }));
}

function maildir(env: DovecotEnv, user: string, folder: string): string {
  const root = join(env.mailRoot, user, 'Maildir');
  return folder === 'INBOX' ? root : join(root, `.${folder}`);
}

let sequence = 0;

/** Appends messages in order (one Dovecot sync per message, so UIDs follow the given order). */
export function appendFixtureMessages(env: DovecotEnv, user: string, folder: string, messages: FixtureMessage[]): void {
  const dir = maildir(env, user, folder);
  for (const sub of ['cur', 'new', 'tmp']) {
    mkdirSync(join(dir, sub), { recursive: true });
    chownSync(join(dir, sub), env.mailUid, env.mailUid);
  }
  chownSync(dir, env.mailUid, env.mailUid);
  for (const message of messages) {
    sequence++;
    const name = `${message.internalDate}.M${String(sequence).padStart(6, '0')}P1.fixture,S=${message.raw.byteLength}:2,${message.flags}`;
    const path = join(dir, 'cur', name);
    writeFileSync(path, message.raw);
    chownSync(path, env.mailUid, env.mailUid);
    utimesSync(path, message.internalDate, message.internalDate);
    doveadm(env, ['mailbox', 'status', '-u', user, 'messages', folder]);
  }
}

/** Empties the user's mail and builds `folder` with `messages` under a fixed UIDVALIDITY. */
export function buildFixtureMailbox(env: DovecotEnv, user: string, folder: string, uidValidity: number, messages: FixtureMessage[]): void {
  try {
    doveadm(env, ['kick', user]);
  } catch {
    // nobody connected
  }
  rmSync(join(env.mailRoot, user, 'Maildir'), { recursive: true, force: true });
  const root = join(env.mailRoot, user, 'Maildir');
  mkdirSync(root, { recursive: true });
  chownSync(join(env.mailRoot, user), env.mailUid, env.mailUid);
  chownSync(root, env.mailUid, env.mailUid);
  if (folder !== 'INBOX') appendFixtureMessages(env, user, 'INBOX', []);
  appendFixtureMessages(env, user, folder, []);
  doveadm(env, ['mailbox', 'update', '-u', user, '--uid-validity', String(uidValidity), folder]);
  appendFixtureMessages(env, user, folder, messages);
  // Dovecot starts tracking per-message modseqs once a CONDSTORE client has looked; do that now,
  // so that later changes get the same modseqs whether or not a client synced in between.
  doveadm(env, ['fetch', '-u', user, 'modseq', 'mailbox', folder]);
}

/** Flag changes and expunges through doveadm (each is one modseq step, in order). */
export function setFixtureFlags(env: DovecotEnv, user: string, folder: string, uid: number, flags: string[]): void {
  doveadm(env, ['flags', 'replace', '-u', user, flags.length > 0 ? flags.join(' ') : '\\Recent', 'mailbox', folder, 'uid', String(uid)]);
}

export function expungeFixtureMessage(env: DovecotEnv, user: string, folder: string, uid: number): void {
  doveadm(env, ['expunge', '-u', user, 'mailbox', folder, 'uid', String(uid)]);
}
