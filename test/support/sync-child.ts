/**
 * Child process for the kill-during-sync test: one real sync of a folder into a file store
 * (the file engine), configured by the JSON in PRX_SYNC_CHILD; prints a line per stored batch
 * and "synced" when done.
 * Test-only.
 */
import { openStore } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';

const config = JSON.parse(process.env.PRX_SYNC_CHILD as string) as { db: string; host: string; port: number; user: string; password: string; ca: string; maxMessages: number };
const store = await openStore(config.db, { busyTimeoutMs: 30_000 });
const plugin = new EmailPlugin({ store });
const accountId = await plugin.addAccount({
  email: `${config.user}@test`,
  imap: { host: config.host, port: config.port, user: config.user, auth: { password: config.password }, tls: { ca: config.ca } },
});
for (;;) {
  const result = await plugin.sync({
    accountId,
    nowTs: Math.floor(Date.now() / 1000),
    maxMessages: config.maxMessages,
    onProgress: (progress) => process.stdout.write(`progress ${progress.stored}\n`),
  });
  if (result.remaining === 0) break;
}
await plugin.close();
await store.close();
process.stdout.write('synced\n');
