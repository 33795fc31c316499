/**
 * Test helpers around the project's PostgreSQL (test/servers/postgres.sh): the server URL (from
 * PRX_TEST_POSTGRES_URL, else by starting the script's server), a fresh schema per store so runs
 * and tests never share tables, and the reason to skip when PostgreSQL cannot be installed or
 * started on this machine.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repoRoot, 'test/servers/postgres.sh');

let cached: { url: string | null; reason: string | null } | null = null;

function discover(): { url: string | null; reason: string | null } {
  if (process.env.PRX_TEST_POSTGRES_URL) return { url: process.env.PRX_TEST_POSTGRES_URL, reason: null };
  // scripts/test.sh already tried (and says why): do not try again in every test file.
  if (process.env.PRX_TEST_POSTGRES_UNAVAILABLE) {
    return { url: null, reason: `PostgreSQL could not be installed or started: ${process.env.PRX_TEST_POSTGRES_UNAVAILABLE}` };
  }
  try {
    execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
    const url = execFileSync('bash', [script, 'env'], { encoding: 'utf8' }).trim();
    process.env.PRX_TEST_POSTGRES_URL = url;
    return { url, reason: null };
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim().split('\n').slice(-3).join(' ');
    return { url: null, reason: `PostgreSQL could not be installed or started (test/servers/postgres.sh): ${stderr || (error as Error).message}` };
  }
}

/** The server URL, or null when PostgreSQL is unavailable (see `postgresSkipReason`). */
export function postgresUrl(): string | null {
  cached ??= discover();
  return cached.url;
}

/** False when PostgreSQL is available; otherwise the message to skip with. */
export function postgresSkipReason(): string | false {
  cached ??= discover();
  return cached.reason ?? false;
}

/** A URL for a schema nobody else uses (created by the engine on open). */
export function freshSchemaUrl(prefix = 'prx_t'): string {
  const url = postgresUrl();
  if (url === null) throw new Error(postgresSkipReason() || 'PostgreSQL unavailable');
  const parsed = new URL(url);
  parsed.searchParams.set('schema', `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`);
  return parsed.toString();
}
