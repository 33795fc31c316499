/**
 * What the sync benchmark runs on and reports about: the repository root, the external programs
 * it needs (GNU time for a child's peak RSS, isync's mbsync as a contender; installed with apt-get
 * when missing) and the versions of the peers it measures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is dist/bench/sync/environment.js once built). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** GNU time, which reports a child's peak RSS (%M). */
export const GNU_TIME = '/usr/bin/time';

export function ensureGnuTime(): void {
  if (existsSync(GNU_TIME)) return;
  console.error('GNU time not found: peak RSS of mbsync cannot be read; trying apt-get install time');
  spawnSync('apt-get', ['install', '-y', '-q', 'time'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

export function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function commandOutput(file: string, args: string[]): string | null {
  const out = spawnSync(file, args, { encoding: 'utf8' });
  return out.status === 0 ? `${out.stdout}${out.stderr}`.trim() : null;
}

/** mbsync, installing Debian's isync when missing; null with a reason when impossible. */
export function ensureMbsync(): { version: string } | { skip: string } {
  let version = commandOutput('mbsync', ['--version']);
  if (version) return { version };
  console.error('mbsync not found: installing Debian package isync...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '-q', 'isync'], { encoding: 'utf8', env });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', env });
    install = spawnSync('apt-get', ['install', '-y', '-q', 'isync'], { encoding: 'utf8', env });
  }
  version = commandOutput('mbsync', ['--version']);
  if (version) return { version };
  return { skip: `mbsync unavailable (apt-get install isync: ${install.error?.message ?? (install.stderr || install.stdout || '').trim().split('\n').at(-1) ?? 'failed'})` };
}
