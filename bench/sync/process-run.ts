/**
 * Running and measuring one contender: a Contender builds a command for a fresh work directory;
 * runContender starts it as a child process (under GNU time when present), measures wall time
 * from the parent, peak RSS and bytes written, reads the child's result line, checks the outcome
 * with the contender's verify(), and records the size of what it left behind, as one Run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseChild, type ChildResult } from './child-protocol.js';
import { GNU_TIME } from './environment.js';

export interface Run {
  ok: boolean;
  error?: string;
  /** Wall time of the whole child process, spawn to exit, as the parent sees it. */
  wallMs: number;
  /** Peak RSS of the child process (GNU time %M, else the child's getrusage), bytes. */
  peakRss: number;
  /** Bytes the child wrote to the file system (GNU time %O x 512: blocks written), when known. */
  writtenBytes?: number;
  /** Size of what the run left in its work directory (database file, Maildir). */
  outputBytes?: number;
  child?: ChildResult;
}

export interface Contender {
  id: string;
  label: string;
  /** Builds the command for one run in a fresh work directory. */
  command(work: string): { file: string; args: string[]; env?: Record<string, string>; verify: (run: Run, stdout: string) => string | null };
}

/** Runs one command in a child process; wall from the parent, peak RSS from GNU time. */
export function runProcess(file: string, args: string[], env: Record<string, string>, timeFile: string): Promise<{ wallMs: number; code: number | null; stdout: string; stderr: string; peakRss: number | null; writtenBytes?: number }> {
  const gnuTime = existsSync(GNU_TIME) ? GNU_TIME : null;
  const [cmd, cmdArgs] = gnuTime ? [gnuTime, ['-f', '%e %M %O', '-o', timeFile, file, ...args]] : [file, args];
  return new Promise((resolveRun) => {
    const started = performance.now();
    const child = spawn(cmd, cmdArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let peakRss: number | null = null;
      let writtenBytes: number | undefined;
      if (gnuTime && existsSync(timeFile)) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
        const kb = Number(last.split(' ')[1]);
        if (Number.isFinite(kb) && kb > 0) peakRss = kb * 1024;
        const blocks = Number(last.split(' ')[2]);
        if (Number.isFinite(blocks)) writtenBytes = blocks * 512;
      }
      resolveRun({ wallMs, code, stdout, stderr, peakRss, ...(writtenBytes !== undefined ? { writtenBytes } : {}) });
    });
  });
}

export async function runContender(contender: Contender, workRoot: string, index: number): Promise<Run> {
  const work = join(workRoot, `${contender.id}-${index}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const { file, args, env, verify } = contender.command(work);
  const out = await runProcess(file, args, env ?? {}, join(workRoot, `${contender.id}-${index}.time`));
  const child = parseChild(out.stdout);
  const run: Run = { ok: out.code === 0, wallMs: out.wallMs, peakRss: out.peakRss ?? child?.maxRss ?? Number.NaN, ...(child ? { child } : {}), ...(out.writtenBytes !== undefined ? { writtenBytes: out.writtenBytes } : {}) };
  if (out.code !== 0) run.error = `exit ${out.code}: ${(out.stderr || out.stdout).trim().slice(-600)}`;
  else if (child && !child.ok) {
    run.ok = false;
    run.error = child.error ?? 'child reported failure';
  }
  if (run.ok) {
    const problem = verify(run, out.stdout);
    if (problem) {
      run.ok = false;
      run.error = problem;
    }
  }
  run.outputBytes = dirSize(work);
  rmSync(work, { recursive: true, force: true });
  rmSync(join(workRoot, `${contender.id}-${index}.time`), { force: true });
  return run;
}

/** Bytes of the files under `dir` (the database file, the Maildir...). */
function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
