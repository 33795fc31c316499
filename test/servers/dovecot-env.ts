/**
 * Test/demo helpers around the project's Dovecot (test/servers/dovecot.sh): its connection
 * details, HS256 OAuth tokens its oauth2 passdb accepts, fast delivery of messages by writing
 * Maildir files, and UIDVALIDITY resets.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DovecotEnv {
  host: string;
  implicitPort: number;
  starttlsPort: number;
  caFile: string;
  otherCaFile: string;
  users: Record<string, string>;
  oauth: { issuer: string; audience: string; secretFile: string };
  mailRoot: string;
  mailUid: number;
  configFile: string;
  logFile: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repoRoot, 'test/servers/dovecot.sh');

export function dovecotDir(): string {
  return process.env.PRX_DOVECOT_DIR ?? join(repoRoot, '.dovecot');
}

/** Starts Dovecot when it is not running (installing it if needed) and returns its env. */
export function startDovecot(): DovecotEnv {
  execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return loadDovecotEnv();
}

export function loadDovecotEnv(): DovecotEnv {
  const file = join(dovecotDir(), 'env.json');
  if (!existsSync(file)) throw new Error(`Dovecot is not set up: run 'bash test/servers/dovecot.sh start' (${file} missing)`);
  execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
  return JSON.parse(readFileSync(file, 'utf8')) as DovecotEnv;
}

export function caPem(env: DovecotEnv): string {
  return readFileSync(env.caFile, 'utf8');
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** An HS256 JWT for the oauth2 passdb (expiresInSec may be negative for an expired token). */
export function makeOAuthToken(env: DovecotEnv, claims: { sub: string; expiresInSec?: number; secret?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iss: env.oauth.issuer, aud: env.oauth.audience, sub: claims.sub, iat: now - 5, exp: now + (claims.expiresInSec ?? 3600) }));
  const secret = claims.secret ?? readFileSync(env.oauth.secretFile, 'utf8').trim();
  const signature = createHmac('sha256', Buffer.from(secret, 'base64')).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function maildirFor(env: DovecotEnv, user: string, folder: string): string {
  const root = join(env.mailRoot, user, 'Maildir');
  return folder.toUpperCase() === 'INBOX' ? root : join(root, `.${folder.replace(/\//g, '.')}`);
}

function ensureMaildir(env: DovecotEnv, dir: string): void {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  const root = join(dir, '..');
  for (const path of [dir, join(dir, 'cur'), join(dir, 'new'), join(dir, 'tmp'), ...(dir.endsWith('Maildir') ? [] : [root])]) {
    chownSync(path, env.mailUid, env.mailUid);
  }
}

let deliveryCounter = 0;

/** Writes messages straight into the user's Maildir (fast), then lets Dovecot index them. */
export function deliverMessages(env: DovecotEnv, user: string, folder: string, messages: Iterable<Uint8Array>, flags = ''): number {
  const dir = maildirFor(env, user, folder);
  ensureMaildir(env, dir);
  let count = 0;
  const base = Date.now();
  for (const message of messages) {
    const name = `${Math.floor(base / 1000)}.M${String(++deliveryCounter).padStart(9, '0')}P${process.pid}.prx`;
    const tmp = join(dir, 'tmp', name);
    writeFileSync(tmp, message);
    chownSync(tmp, env.mailUid, env.mailUid);
    renameSync(tmp, join(dir, 'cur', `${name},S=${message.byteLength}:2,${flags}`));
    count++;
  }
  doveadm(env, ['mailbox', 'status', '-u', user, 'messages', folder]);
  return count;
}

export function doveadm(env: DovecotEnv, args: string[]): string {
  return execFileSync('doveadm', ['-c', env.configFile, ...args], { encoding: 'utf8' });
}

/** Makes the server forget the folder's UIDs (new UIDVALIDITY), as after a server migration. */
export function resetUidValidity(env: DovecotEnv, user: string, folder: string): void {
  try {
    doveadm(env, ['kick', user]);
  } catch {
    // nobody connected
  }
  const dir = maildirFor(env, user, folder);
  for (const file of readdirSync(dir)) {
    // dovecot-uidvalidity* stays: it is what makes Dovecot pick a new, different value.
    if (file.startsWith('dovecot-uidlist') || file.startsWith('dovecot.index')) {
      rmSync(join(dir, file), { force: true });
    }
  }
  const root = join(env.mailRoot, user, 'Maildir');
  for (const file of readdirSync(root)) {
    if (file.startsWith('dovecot.list.index')) rmSync(join(root, file), { force: true });
  }
}

/** Removes all mail of a user (kicks its sessions first). */
export function resetUser(env: DovecotEnv, user: string): void {
  try {
    doveadm(env, ['kick', user]);
  } catch {
    // nobody connected
  }
  rmSync(join(env.mailRoot, user, 'Maildir'), { recursive: true, force: true });
}
