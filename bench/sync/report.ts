/**
 * The sync benchmark's report: medians and ratios of the runs (initial sync per contender, the
 * no-change incremental sync, the 20 MiB attachment), the machine they ran on, printed as a text
 * table on stdout and written to bench/results/sync-<date>.json and .svg.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { median } from '../stats.js';
import type { ChildResult } from './child-protocol.js';
import { commandOutput, repoRoot, versionOf } from './environment.js';
import type { Contender, Run } from './process-run.js';
import { svgChart } from './svg-chart.js';

const fmt = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '–');
export const MB = 1e6;

/** Everything one benchmark run measured, and how it was set up. */
export interface BenchOutcome {
  messages: number;
  reps: number;
  payloadBytes: number;
  bigMessageBytes: number;
  fillMs: number;
  dovecotPort: number;
  /** Date.now() and the load average when the benchmark started. */
  benchStarted: number;
  loadAtStart: number[];
  mbsync: { version: string } | { skip: string };
  /** Contenders left out, with the reason. */
  skipped: Record<string, string>;
  contenders: Contender[];
  runs: Map<string, Run[]>;
  incrementalRuns: Run[];
  bigContenders: Contender[];
  bigRuns: Map<string, Run[]>;
}

/** Prints the report and writes the result files; returns how many runs failed. */
export function writeReport(outcome: BenchOutcome): number {
  const { messages, reps, payloadBytes, bigMessageBytes, fillMs, dovecotPort, benchStarted, loadAtStart, mbsync, skipped, contenders, runs, incrementalRuns, bigContenders, bigRuns } = outcome;
  const summarize = (list: Run[]) => {
    const ok = list.filter((r) => r.ok);
    return {
      runs: list.length,
      ok: ok.length,
      wallS: median(ok.map((r) => r.wallMs)) / 1000,
      innerS: median(ok.filter((r) => r.child).map((r) => (r.child as ChildResult).innerMs)) / 1000,
      peakRssMB: median(ok.map((r) => r.peakRss)) / MB,
      rssGrowthMB: median(ok.filter((r) => r.child).map((r) => (r.child as ChildResult).maxRss - (r.child as ChildResult).rssStart)) / MB,
      outputMB: median(ok.map((r) => r.outputBytes ?? Number.NaN).filter(Number.isFinite)) / MB,
    };
  };
  const ref = summarize(runs.get('imapflow') ?? []);
  const refNc = summarize(runs.get('imapflow-nc') ?? []);
  const table = contenders.map((c) => {
    const s = summarize(runs.get(c.id) ?? []);
    return {
      id: c.id,
      label: c.label,
      ...s,
      messagesPerS: messages / s.wallS,
      mbPerS: payloadBytes / MB / s.wallS,
      speedVsImapflow: ref.wallS / s.wallS,
      speedVsImapflowNc: refNc.wallS / s.wallS,
      rssVsImapflow: s.peakRssMB / ref.peakRssMB,
    };
  });
  const incremental = summarize(incrementalRuns);
  const incrementalOk = incrementalRuns.filter((r) => r.ok && r.child);
  const incrementalDetail = {
    ...incremental,
    syncCallMs: median(incrementalOk.map((r) => Number(r.child?.extra?.syncMs))),
    openStoreMs: median(incrementalOk.map((r) => Number(r.child?.extra?.openStoreMs))),
    commands: incrementalOk[0]?.child?.extra?.commands ?? [],
    commandCount: incrementalOk[0]?.child?.extra?.commandCount ?? null,
    imapMs: median(incrementalOk.map((r) => Number(r.child?.extra?.imapMs))),
    warmSyncMs: median(incrementalOk.map((r) => Number(r.child?.extra?.warmSyncMs))),
    warmCommands: incrementalOk[0]?.child?.extra?.warmCommands ?? [],
    fullSavesInSync: median(incrementalOk.map((r) => Number((r.child?.extra?.savesInSync as { count: number } | undefined)?.count))),
    fullSaveMsInSync: median(incrementalOk.map((r) => Number((r.child?.extra?.savesInSync as { ms: number } | undefined)?.ms))),
    fullSavesTotal: median(incrementalOk.map((r) => Number((r.child?.extra?.saves as { count: number } | undefined)?.count))),
    saveImageMB: median(incrementalOk.map((r) => Number((r.child?.extra?.saves as { lastBytes: number } | undefined)?.lastBytes))) / MB,
  };
  const prxLibOk = (runs.get('prx-lib') ?? []).filter((r) => r.ok && r.child);
  const initialSaves = {
    count: median(prxLibOk.map((r) => Number((r.child?.extra?.saves as { count: number } | undefined)?.count))),
    ms: median(prxLibOk.map((r) => Number((r.child?.extra?.saves as { ms: number } | undefined)?.ms))),
  };
  const bigTable = bigContenders.map((c) => ({ id: c.id, label: c.label, ...summarize(bigRuns.get(c.id) ?? []) }));
  const bigRef = bigTable.find((b) => b.id === 'big-imapflow');

  const cpuList = cpus();
  const machine = {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCount: cpuList.length,
    memoryGB: +(totalmem() / 1024 ** 3).toFixed(1),
    freeMemoryGB: +(freemem() / 1024 ** 3).toFixed(1),
    os: `${platform()} ${release()}`,
    node: process.version,
    dovecot: commandOutput('dovecot', ['--version']) ?? 'unknown',
    mbsync: 'version' in mbsync ? mbsync.version : null,
    imapflow: versionOf('imapflow'),
    postalMime: versionOf('postal-mime'),
    sqlJs: versionOf('sql.js'),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((l) => +l.toFixed(2)),
    peakRssSource: existsSync('/usr/bin/time') ? 'GNU time %M (whole child process)' : 'child process.resourceUsage().maxRSS',
  };
  const date = new Date().toISOString().slice(0, 10);
  const durationS = (Date.now() - benchStarted) / 1000;
  const caveat = 'Timing noise on this machine is ±20–30 %: compare ratios within one run, not absolute numbers across runs.';

  const lines: string[] = [];
  lines.push(`sync benchmark ${date}: ${messages} messages, ${(payloadBytes / MB).toFixed(1)} MB (mean ${(payloadBytes / messages / 1024).toFixed(1)} KiB), Dovecot ${machine.dovecot} over TLS on loopback`);
  lines.push(`machine: ${machine.cpuModel} × ${machine.cpuCount}, ${machine.memoryGB} GB RAM, ${machine.os}, node ${machine.node}; load average ${machine.loadAverageAtStart.join(' ')} at start, ${machine.loadAverageAtEnd.join(' ')} at end; median of ${reps} alternating repetitions`);
  lines.push(`wall = child process spawn→exit (includes Node start-up); peak RSS = ${machine.peakRssSource}; speed × = imapflow wall / row wall (>1 is faster); RSS × = row RSS / imapflow RSS`);
  lines.push('');
  const header = ['contender', 'wall s', 'msgs/s', 'MB/s', 'peak RSS MB', 'speed × imapflow', 'speed × imapflow-nc', 'RSS × imapflow', 'output MB'];
  const body = table.map((r) => [
    r.label,
    fmt(r.wallS, 2),
    fmt(r.messagesPerS, 0),
    fmt(r.mbPerS, 1),
    fmt(r.peakRssMB, 0),
    ratio(r.speedVsImapflow),
    ratio(r.speedVsImapflowNc),
    ratio(r.rssVsImapflow),
    r.id === 'wire' ? '–' : fmt(r.outputMB, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const renderRow = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  lines.push(renderRow(header));
  for (const row of body) lines.push(renderRow(row));
  lines.push('');
  if (prxLibOk.length > 0) {
    lines.push(`prx-email library initial sync: ${fmt(initialSaves.count, 0)} full database saves taking ${fmt(initialSaves.ms / 1000, 2)} s of its wall time (median)`);
  }
  if (incrementalRuns.length > 0) {
    lines.push(
      `no-change incremental sync (prx-email, ${messages}-message database): process wall ${fmt(incremental.wallS, 2)} s, peak RSS ${fmt(incremental.peakRssMB, 0)} MB;`,
      `  openStore ${fmt(incrementalDetail.openStoreMs, 0)} ms; sync() ${fmt(incrementalDetail.syncCallMs, 0)} ms, of which IMAP ${fmt(incrementalDetail.imapMs, 0)} ms ` +
        `and ${fmt(incrementalDetail.fullSavesInSync, 0)} full save(s) of the ${fmt(incrementalDetail.saveImageMB, 0)} MB image ${fmt(incrementalDetail.fullSaveMsInSync, 0)} ms ` +
        `(${fmt(incrementalDetail.fullSavesTotal, 0)} full saves in the whole process);`,
      `  ${String(incrementalDetail.commandCount)} commands: ${(incrementalDetail.commands as string[]).join(', ')}`,
      `  the same sync() again on the warm connection: ${fmt(incrementalDetail.warmSyncMs, 1)} ms, commands: ${(incrementalDetail.warmCommands as string[]).join(', ')}`,
    );
  }
  if (bigRuns.get('big-imapflow')?.length) {
    lines.push(`one message with a 20 MiB attachment (${(bigMessageBytes / MB).toFixed(1)} MB on the wire), in a child process:`);
    for (const b of bigTable) {
      lines.push(
        `  ${b.label.padEnd(36)} wall ${fmt(b.wallS, 2)} s, peak RSS ${fmt(b.peakRssMB, 0)} MB, growth ${fmt(b.rssGrowthMB, 0)} MB` +
          (bigRef && b.id !== 'big-imapflow' ? ` (${fmt(b.rssGrowthMB / bigRef.rssGrowthMB, 2)}x imapflow's growth)` : ''),
      );
    }
  }
  const failures = [...runs.values(), incrementalRuns, ...bigRuns.values()].flat().filter((r) => !r.ok);
  if (failures.length > 0) lines.push(`${failures.length} failed run(s) left out of the medians: ${failures.map((f) => f.error).join(' | ')}`);
  for (const [id, reason] of Object.entries(skipped)) lines.push(`skipped ${id}: ${reason}`);
  lines.push(`run took ${(durationS / 60).toFixed(1)} min. ${caveat}`);
  console.log(lines.join('\n'));

  const resultsDir = join(repoRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    benchmark: 'sync',
    date: new Date().toISOString(),
    machine,
    config: { messages, reps, payloadBytes, meanMessageBytes: payloadBytes / messages, seed: 7, bigMessageBytes: bigMessageBytes, fillMs, dovecotPort },
    caveat,
    definitions: {
      wallS: 'median child-process wall time, spawn to exit, as seen by the parent (includes Node start-up and module loading)',
      innerS: 'median time of the work inside the child, after imports',
      peakRssMB: machine.peakRssSource,
      speedVsImapflow: 'imapflow (defaults) median wall / this median wall; > 1 is faster',
      rssGrowthMB: 'child getrusage peak RSS at the end minus its RSS just before the work',
    },
    initialSync: table,
    prxLibFullSaves: initialSaves,
    incremental: incrementalDetail,
    bigAttachment: bigTable,
    skipped,
    runs: Object.fromEntries([...runs.entries(), ['prx-incremental', incrementalRuns], ...bigRuns.entries()]),
    durationS,
  };
  const base = join(resultsDir, `sync-${date}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(
    `${base}.svg`,
    svgChart(
      `Initial sync of ${messages} messages (${(payloadBytes / MB).toFixed(0)} MB), Dovecot over TLS on loopback — ${date}`,
      `${machine.cpuModel} × ${machine.cpuCount}, ${machine.memoryGB} GB, node ${machine.node}; median of ${reps} alternating repetitions`,
      table.map((r) => ({ label: r.label, wall: r.wallS, rss: r.peakRssMB, highlight: r.id.startsWith('prx') })),
    ),
  );
  console.error(`wrote ${base}.json and ${base}.svg`);
  return failures.length;
}
