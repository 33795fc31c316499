/**
 * Raw fetch throughput over our session, with and without COMPRESS=DEFLATE, from the project's
 * Dovecot (run `npm run demo -- --messages 10000` first to fill the `demo` user's INBOX).
 * Counts body bytes only: no MIME, no store. Alternating rounds, medians.
 *   node dist/bench/fetch.bench.js [--rounds N]
 */
import { openImapSession } from '../src/imap/session/client.js';
import { caPem, startDovecot } from '../test/servers/dovecot-env.js';
import { median } from './stats.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
const env = startDovecot();
const ca = caPem(env);

async function fetchAll(compress: boolean): Promise<{ ms: number; bytes: number; messages: number }> {
  const started = performance.now();
  const client = await openImapSession({ host: env.host, port: env.implicitPort, user: 'demo', auth: { password: env.users.demo as string }, tls: { ca }, compress });
  await client.select('INBOX', { readOnly: true });
  let bytes = 0;
  let messages = 0;
  await client.uidFetch('1:*', { items: ['UID'], body: { part: 'full' } }, {
    body: (event) => {
      if (event.type === 'body-chunk') bytes += event.data.byteLength;
    },
    message: () => messages++,
  });
  await client.logout();
  return { ms: performance.now() - started, bytes, messages };
}

const plain: number[] = [];
const deflate: number[] = [];
let last = { bytes: 0, messages: 0 };
await fetchAll(false);
for (let r = 0; r < rounds; r++) {
  const a = await fetchAll(false);
  const b = await fetchAll(true);
  plain.push(a.ms);
  deflate.push(b.ms);
  last = a;
}
console.log(`fetch of ${last.messages} messages, ${(last.bytes / 1e6).toFixed(1)} MB, median of ${rounds} rounds:`);
console.log(`  COMPRESS off: ${(median(plain) / 1000).toFixed(2)} s (${(last.bytes / 1e6 / (median(plain) / 1000)).toFixed(0)} MB/s)`);
console.log(`  COMPRESS on:  ${(median(deflate) / 1000).toFixed(2)} s (${(last.bytes / 1e6 / (median(deflate) / 1000)).toFixed(0)} MB/s)  ratio on/off ${(median(deflate) / median(plain)).toFixed(2)}`);
