/**
 * `npm run demo`: the main job on a fresh machine. Starts the project's Dovecot (installing it
 * when missing), fills the `demo` user's mailbox with deterministic sample mail, and syncs every
 * folder into ./mail.db with the CLI (progress bar on a TTY), then prints `prx-email status`.
 * It stops that Dovecot at the end unless `--keep-dovecot` is given; then it says how to stop it
 * and writes a config file for trying `prx-email daemon` against it.
 *   npm run demo -- [--messages N] [--db FILE] [--keep-dovecot]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { deliverMessages, resetUser, startDovecot } from '../test/servers/dovecot-env.js';
import { generateSampleMail } from './sample-mail.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const count = Number(option('--messages', '3000'));
const db = option('--db', 'mail.db');
const dovecotScript = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/servers/dovecot.sh');
const wasRunning = spawnSync('bash', [dovecotScript, 'status'], { stdio: 'ignore' }).status === 0;
const env = startDovecot();
resetUser(env, 'demo');
const started = Date.now();
deliverMessages(env, 'demo', 'INBOX', generateSampleMail(count, { seed: 7 }));
deliverMessages(env, 'demo', 'Archive', generateSampleMail(Math.ceil(count / 10), { seed: 8 }));
process.stderr.write(`filled the demo mailbox: ${count} + ${Math.ceil(count / 10)} messages in ${Date.now() - started} ms\n`);
rmSync(db, { force: true });
const secrets = { PRX_DEMO_PASSWORD: env.users.demo };
const syncArgs = ['sync', '--host', env.host, '--port', String(env.implicitPort), '--user', 'demo', '--password-env', 'PRX_DEMO_PASSWORD', '--ca', env.caFile, '--all-folders', '--db', db];
const t0 = Date.now();
let code = await main(syncArgs, secrets);
process.stderr.write(`initial sync took ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
if (code === 0) code = await main(['status', '--db', db], {});
if (process.argv.includes('--keep-dovecot')) {
  const config = resolve('demo-config.json');
  writeFileSync(
    config,
    `${JSON.stringify({ db: resolve(db), accounts: [{ name: 'demo', host: env.host, port: env.implicitPort, user: 'demo', passwordEnv: 'PRX_DEMO_PASSWORD', ca: env.caFile, folders: 'all' }] }, null, 2)}\n`,
  );
  process.stderr.write(
    `\nThe demo Dovecot is still running on ${env.host}:${env.implicitPort} (user demo, password ${env.users.demo}).\n` +
      `Try the daemon:  PRX_DEMO_PASSWORD=${env.users.demo} node dist/src/cli/main.js daemon --config ${config}\n` +
      `Stop Dovecot:    bash test/servers/dovecot.sh stop\n`,
  );
} else if (wasRunning) {
  process.stderr.write('\nThe Dovecot was already running before the demo, so it is left running: bash test/servers/dovecot.sh stop\n');
} else {
  execFileSync('bash', [dovecotScript, 'stop'], { stdio: 'ignore' });
  process.stderr.write('\nStopped the demo Dovecot (run with --keep-dovecot to keep it for trying the CLI and the daemon).\n');
}
process.exitCode = code;
