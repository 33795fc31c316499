/**
 * `npm run demo`: the main job on a fresh machine. Starts the project's Dovecot (installing it
 * when missing), fills the `demo` user's mailbox with deterministic sample mail, and syncs every
 * folder into ./mail.db with the CLI (progress bar on a TTY), then prints `prx-email status`.
 *   npm run demo -- [--messages N] [--db FILE]
 */
import { rmSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { deliverMessages, resetUser, startDovecot } from '../test/servers/dovecot-env.js';
import { generateSampleMail } from './sample-mail.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const count = Number(option('--messages', '3000'));
const db = option('--db', 'mail.db');
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
process.exitCode = code;
