/**
 * Child process for the lock tests: opens the store file argv[2] with the file engine, starts a
 * transaction, prints "held" and waits inside it until killed. Test-only.
 */
import { openStore } from '../../src/store/index.js';
import { exitWithParent } from './exit-with-parent.js';

exitWithParent();

const store = await openStore(process.argv[2] as string);
await store.db.transaction(async (tx) => {
  await tx.run("INSERT INTO runner_state (job_key, next_allowed_at) VALUES ('holder', 1) ON CONFLICT DO NOTHING");
  process.stdout.write('held\n');
  await new Promise(() => setInterval(() => undefined, 1000));
});
