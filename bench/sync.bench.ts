/**
 * End-to-end sync benchmark (issue 7): prx-email's initial sync of a realistic mailbox against
 * the pipelines a user would otherwise build or run, in the same run, on the same server and the
 * same bytes, alternating contenders each repetition, medians reported. Never part of npm test.
 *
 *   npm run bench -- [--messages 10000] [--reps 3] [--only id,id,...] [--keep-dovecot]
 *
 * It starts its own Dovecot (test/servers/dovecot.sh with PRX_DOVECOT_DIR=.dovecot-bench and
 * ports 29993/29143, never the tests' .dovecot instance), fills user `bench` with the
 * deterministic sample mix of scripts/sample-mail.ts (seed 7) and one message with a 20 MiB
 * attachment in Archive, then times, each in its own child process (peak RSS from the OS via
 * GNU time, else the child's own getrusage):
 *   prx-lib        EmailPlugin.sync() of INBOX into a fresh database file (one call)
 *   prx-lib-1thread  the same with parseWorkers: 0 (MIME parsed on the main thread)
 *   prx-lib-2workers the same with parseWorkers: 2 (two MIME workers beside the main thread)
 *   prx-cli        `node dist/src/cli/main.js sync --folder INBOX` into a fresh database file
 *   imapflow       imapflow fetch('1:*', {uid, flags, source}) + postal-mime + sql.js (prepared
 *                  INSERT, transactions of 500 rows, export to a file) — imapflow defaults
 *   imapflow-nc    the same with disableCompression: true (prx-email skips COMPRESS on loopback)
 *   mbsync         isync's mbsync (default FSync on) into a fresh Maildir — no MIME parse, no DB
 *   mbsync-nofsync the same with `FSync no`
 *   wire           bare node:tls LOGIN, EXAMINE, UID FETCH 1:* BODY.PEEK[], counting bytes
 * then a no-change incremental sync with prx-email (commands counted from the session trace) and
 * the 20 MiB-attachment message (peak RSS growth, prx-email and imapflow).
 * Writes bench/results/sync-<date>.json and .svg.
 *
 * This file is the entry point of both sides: with `--child KIND` it is one contender's child
 * process (sync/child.ts), otherwise the parent that runs the benchmark (sync/parent.ts); the
 * contenders (sync/contenders.ts), running and measuring them (sync/process-run.ts) and the
 * report (sync/report.ts) live beside them.
 */
import { fileURLToPath } from 'node:url';

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const { runChild } = await import('./sync/child.js');
  await runChild(process.argv[childIndex + 1] ?? '');
} else {
  const { runParent } = await import('./sync/parent.js');
  await runParent(fileURLToPath(import.meta.url));
}
