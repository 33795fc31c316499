/**
 * The child side of the sync benchmark: runs the one contender its `--child KIND` argument names
 * with the configuration in PRX_BENCH_CHILD, and prints the result line (child-protocol.ts),
 * also when the contender failed.
 */
import { childImapflow, childWire } from './child-baselines.js';
import { childResult, type ChildConfig, type ChildResult } from './child-protocol.js';
import { childPrxIncremental, childPrxLib } from './child-prx.js';

export async function runChild(kind: string): Promise<void> {
  const config = JSON.parse(process.env.PRX_BENCH_CHILD ?? '{}') as ChildConfig;
  let result: ChildResult;
  try {
    if (kind === 'prx-lib') result = await childPrxLib(config);
    else if (kind === 'prx-incremental') result = await childPrxIncremental(config);
    else if (kind === 'imapflow') result = await childImapflow(config);
    else if (kind === 'wire') result = await childWire(config);
    else throw new Error(`unknown child kind ${kind}`);
  } catch (error) {
    result = childResult({ ok: false, error: String((error as Error)?.stack ?? error), messages: 0, innerMs: 0, rssStart: 0 });
  }
  process.stdout.write(`\nPRX_BENCH_RESULT ${JSON.stringify(result)}\n`);
}
