/**
 * The parent side of the sync benchmark: reads the options, starts the benchmark's own Dovecot
 * (never the tests' instance) and fills its mailbox, runs the untimed warm-up, then every
 * contender once per repetition in rotating order, the no-change incremental syncs and the
 * 20 MiB-attachment runs, each in a child process, and hands the runs to the report. Stops its
 * Dovecot and removes its work directory at the end (and on SIGINT).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../../test/servers/dovecot-env.js';
import { parseChild } from './child-protocol.js';
import { bigAttachmentContenders, childEnv, incrementalContender, initialSyncContenders, type ContenderContext } from './contenders.js';
import { ensureGnuTime, ensureMbsync, repoRoot } from './environment.js';
import { fillBenchMailbox } from './mailbox.js';
import { runContender, runProcess, type Contender, type Run } from './process-run.js';
import { MB, writeReport } from './report.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

/** Runs the whole benchmark; `entry` is the file a child process is started from
 * (`node <entry> --child KIND`). */
export async function runParent(entry: string): Promise<void> {
  const thisFile = entry;
  const benchStarted = Date.now();
  const loadAtStart = loadavg().map((l) => +l.toFixed(2));
  const messages = Number(option('--messages', '10000'));
  const reps = Number(option('--reps', '3'));
  const only = option('--only', '').split(',').filter(Boolean);
  const keepDovecot = process.argv.includes('--keep-dovecot');
  if (!Number.isInteger(messages) || messages < 1 || !Number.isInteger(reps) || reps < 1) throw new Error('--messages and --reps must be positive integers');

  // Our own Dovecot: a separate directory and ports, never the tests' default instance. Set
  // before any helper runs; the helpers and dovecot.sh read them from the environment.
  process.env.PRX_DOVECOT_DIR = join(repoRoot, '.dovecot-bench');
  // PRX_BENCH_IMAPS_PORT / PRX_BENCH_IMAP_PORT move the bench's own Dovecot (several checkouts
  // on one machine).
  const benchPort = Number(process.env.PRX_BENCH_IMAPS_PORT ?? 29993);
  process.env.PRX_DOVECOT_IMAPS_PORT = String(benchPort);
  process.env.PRX_DOVECOT_IMAP_PORT = process.env.PRX_BENCH_IMAP_PORT ?? '29143';
  const dovecotScript = join(repoRoot, 'test/servers/dovecot.sh');
  const stopDovecot = (): void => {
    if (keepDovecot) return;
    try {
      execFileSync('bash', [dovecotScript, 'stop'], { stdio: 'ignore', env: process.env });
    } catch {
      // already stopped
    }
  };
  const workRoot = join(repoRoot, 'bench/results/tmp');
  const cleanup = (): void => {
    stopDovecot();
    rmSync(workRoot, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  ensureGnuTime();
  const env = startDovecot();
  if (env.implicitPort !== benchPort || !env.mailRoot.includes('.dovecot-bench')) throw new Error(`refusing to run against ${env.mailRoot}:${env.implicitPort}`);
  try {
    const password = env.users.bench as string;
    const { payloadBytes, bigMessageBytes, fillMs } = fillBenchMailbox(env, messages);

    rmSync(workRoot, { recursive: true, force: true });
    mkdirSync(workRoot, { recursive: true });
    const node = process.execPath;
    const ctx: ContenderContext = { env, password, messages, payloadBytes, entry };

    const mbsync = ensureMbsync();
    const all = initialSyncContenders(ctx, mbsync);
    const skipped: Record<string, string> = {};
    if ('skip' in mbsync) {
      skipped.mbsync = mbsync.skip;
      console.error(`skipping mbsync: ${mbsync.skip}`);
    }
    const contenders = only.length > 0 ? all.filter((c) => only.includes(c.id)) : all;
    const runs = new Map<string, Run[]>(contenders.map((c) => [c.id, []]));

    // Warm-up (untimed): the wire fetch pulls every file into the page cache; one prx-email sync
    // leaves the database the no-change incremental runs start from.
    const baseDb = join(workRoot, 'base.db');
    console.error('warm-up: bare fetch and one prx-email sync (untimed)');
    await runProcess(node, [thisFile, '--child', 'wire'], childEnv(ctx, {}), join(workRoot, 'warm.time'));
    const warm = await runProcess(node, [thisFile, '--child', 'prx-lib'], childEnv(ctx, { db: baseDb }), join(workRoot, 'warm.time'));
    const warmResult = parseChild(warm.stdout);
    if (!warmResult?.ok || warmResult.messages !== messages) throw new Error(`warm-up prx-email sync failed: ${warmResult?.error ?? warm.stderr}`);

    for (let rep = 0; rep < reps; rep++) {
      // Rotate the order each repetition so no contender always runs first or last.
      const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length] as Contender);
      for (const contender of order) {
        const run = await runContender(contender, workRoot, rep);
        runs.get(contender.id)?.push(run);
        console.error(
          `rep ${rep + 1}/${reps} ${contender.id.padEnd(15)} ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.peakRss / MB).toFixed(0)} MB, written ${((run.writtenBytes ?? Number.NaN) / MB).toFixed(0)} MB, output ${((run.outputBytes ?? Number.NaN) / MB).toFixed(0)} MB${run.error ? `  ${run.error}` : ''}`,
        );
      }
    }

    // f) no-change incremental sync, from a copy of the warm-up database each time.
    const incrementalRuns: Run[] = [];
    if (only.length === 0 || only.includes('prx-incremental')) {
      for (let rep = 0; rep < reps; rep++) {
        const run = await runContender(incrementalContender(ctx, baseDb), workRoot, rep);
        incrementalRuns.push(run);
        const extra = run.child?.extra ?? {};
        console.error(`rep ${rep + 1}/${reps} prx-incremental ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, sync() ${Number(extra.syncMs).toFixed(0)} ms (warm ${Number(extra.warmSyncMs).toFixed(1)} ms), ${String(extra.commandCount)} commands${run.error ? `  ${run.error}` : ''}`);
      }
    }

    // g) one message with a 20 MiB attachment (Archive): peak RSS growth in the child.
    const bigContenders = bigAttachmentContenders(ctx);
    const bigRuns = new Map<string, Run[]>(bigContenders.map((c) => [c.id, []]));
    if (only.length === 0 || only.includes('big')) {
      for (let rep = 0; rep < reps; rep++) {
        for (const contender of bigContenders) {
          const run = await runContender(contender, workRoot, rep);
          bigRuns.get(contender.id)?.push(run);
          const growth = run.child ? run.child.maxRss - run.child.rssStart : Number.NaN;
          console.error(`rep ${rep + 1}/${reps} ${contender.id.padEnd(17)} ${run.ok ? 'ok  ' : 'FAIL'} wall ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.peakRss / MB).toFixed(0)} MB, growth ${(growth / MB).toFixed(0)} MB${run.error ? `  ${run.error}` : ''}`);
        }
      }
    }

    const failures = writeReport({
      messages,
      reps,
      payloadBytes,
      bigMessageBytes,
      fillMs,
      dovecotPort: env.implicitPort,
      benchStarted,
      loadAtStart,
      mbsync,
      skipped,
      contenders,
      runs,
      incrementalRuns,
      bigContenders,
      bigRuns,
    });
    if (failures > 0) process.exitCode = 1;
  } finally {
    cleanup();
  }
}
