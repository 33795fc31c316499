/**
 * Adversarial HTML bodies: time of htmlToText (the single-pass scanner) on 1 MiB bodies built to
 * hit the former regex pipeline's quadratic cases, and of that former pipeline
 * (test/support/html-to-text-oracle.ts) on the same patterns.
 *   node dist/bench/html-to-text.bench.js [--old-kib N] [--json]
 * The former pipeline takes minutes per MiB on the quadratic patterns, so by default it runs on
 * N KiB (default 32) and 2N KiB bodies and its 1 MiB time is extrapolated from those two with the
 * measured growth exponent, clamped to [1, 2] (reported); `--old-kib 1024` measures it at full size for real.
 */
import { htmlToText } from '../src/mime/html-to-text.js';
import { htmlToTextOracle } from '../test/support/html-to-text-oracle.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const oldKib = option('--old-kib', 32);
const MIB = 1024 * 1024;

const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
export const PATTERNS: Record<string, (size: number) => string> = {
  '<p x N': (size) => fill('<p', size),
  '<a x N': (size) => fill('<a', size),
  '<!-- x N': (size) => fill('<!--', size),
  '<script x N': (size) => fill('<script', size),
  'unclosed tags': (size) => fill('<a href="http://x.test/" ', size),
  'deep nesting': (size) => `${fill('<div><span>', size - 1)}x`,
  '<p x N + late >': (size) => `${fill('<p', size - 3)}<b>`,
  '<style + </style x N': (size) => `<style>${fill('</style', size - 7)}`,
};

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

const rows: Array<{ pattern: string; newMs: number; oldSmallMs: number; oldLargeMs: number; exponent: number; oldMiBMs: number; oldMeasured: boolean }> = [];
for (const [pattern, build] of Object.entries(PATTERNS)) {
  const body = build(MIB);
  htmlToText(build(4096)); // warm-up
  const newMs = Math.min(time(() => htmlToText(body)), time(() => htmlToText(body)));
  const small = build(oldKib * 1024);
  const large = build(oldKib * 2048);
  const oldSmallMs = time(() => htmlToTextOracle(small));
  const oldLargeMs = oldKib * 2048 >= MIB ? oldSmallMs : time(() => htmlToTextOracle(large));
  const measured = oldKib * 1024 >= MIB;
  const exponent = measured ? 1 : Math.min(2, Math.max(1, Math.log2(Math.max(oldLargeMs, 0.01) / Math.max(oldSmallMs, 0.01))));
  const oldMiBMs = measured ? oldSmallMs : oldLargeMs * Math.pow(MIB / (oldKib * 2048), exponent);
  rows.push({ pattern, newMs, oldSmallMs, oldLargeMs, exponent, oldMiBMs, oldMeasured: measured });
}

if (json) process.stdout.write(`${JSON.stringify({ node: process.version, oldKib, rows })}\n`);
else {
  process.stdout.write(`htmlToText on 1 MiB adversarial bodies (node ${process.version}); former pipeline at ${oldKib} and ${oldKib * 2} KiB\n`);
  process.stdout.write(`${'pattern'.padEnd(22)} ${'new 1MiB ms'.padStart(12)} ${`old ${oldKib}K ms`.padStart(12)} ${`old ${oldKib * 2}K ms`.padStart(12)} ${'growth'.padStart(7)} ${'old 1MiB ms'.padStart(14)}\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.pattern.padEnd(22)} ${r.newMs.toFixed(1).padStart(12)} ${r.oldSmallMs.toFixed(1).padStart(12)} ${r.oldLargeMs.toFixed(1).padStart(12)} ${`n^${r.exponent.toFixed(2)}`.padStart(7)} ${`${r.oldMeasured ? '' : '~'}${r.oldMiBMs.toFixed(0)}`.padStart(14)}\n`,
    );
  }
}
