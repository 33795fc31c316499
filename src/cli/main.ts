#!/usr/bin/env node
/**
 * The `prx-email` command: parses argv and hands over to one module per command
 * (src/cli/commands/*). Exit code 0 on success; otherwise 1 and the error's stable code (printed,
 * and in the `--json` object); 2 for an unexpected (non-PrxError) failure.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPrxError } from '../errors.js';
import { parseCliArgs, USAGE } from './args.js';
import { errorInfo, type CliIO } from './commands/common.js';
import { runDaemon, runWatch } from './commands/daemon.js';
import { runList } from './commands/list.js';
import { runSearch } from './commands/search.js';
import { runShow } from './commands/show.js';
import { runStatus } from './commands/status.js';
import { runSync, runSyncConfig } from './commands/sync.js';
import type { SummaryRow } from './progress.js';
import { terminalText } from './terminal-text.js';

export async function main(argv: string[], env: Record<string, string | undefined>, io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = argv.includes('--json');
  try {
    const command = parseCliArgs(argv, env);
    if (command.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    json = command.json;
    switch (command.command) {
      case 'sync':
        return await runSync(command, io);
      case 'sync-config':
        return await runSyncConfig(command, io, env);
      case 'daemon':
        return await runDaemon(command, io, env);
      case 'watch':
        return await runWatch(command, io);
      case 'status':
        return await runStatus(command, io);
      case 'list':
        return await runList(command, io);
      case 'search':
        return await runSearch(command, io);
      case 'show':
        return await runShow(command, io, env);
    }
  } catch (error) {
    const info = errorInfo(error);
    const partial = ((error as { partialRows?: SummaryRow[] })?.partialRows ?? []).map(({ error: _e, ...r }) => r);
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, folders: partial, error: info })}\n`);
    // Server text (errors) reaches the terminal without control characters or escape sequences.
    else io.stderr.write(`prx-email: ${info.code}: ${terminalText(info.message, true)}\n`);
    return isPrxError(error) ? 1 : 2;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  void main(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr, exit: (code) => process.exit(code) }).then((code) => {
    process.exitCode = code;
    // Nothing may keep the process alive once the work is done (a server that never answered
    // LOGOUT, a worker thread still shutting down): exit shortly after (stdout/stderr writes to
    // files, pipes and terminals are synchronous on Linux, so nothing printed is lost).
    setTimeout(() => process.exit(code), 100);
  });
}
