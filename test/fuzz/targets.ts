/**
 * The fuzz targets and their oracle, shared by the time-boxed fuzz run and the regression test.
 *  - parser: a mutated server stream pushed in random chunks through the response parser with
 *    tight limits must never throw out of push()/end();
 *  - session: a recorded scenario phase replayed with mutated server records (the client's
 *    commands are still matched) through the whole stack — session, sync engine, MIME, store —
 *    must settle within a deadline, and only with a result or a typed PrxError; an input equal to
 *    the recording must end as recorded (callers also check that the unmutated phases succeed
 *    and that not every mutated input is rejected).
 * Test-only.
 */

import { createResponseParser } from '../../src/imap/wire/parser.js';
import { isPrxError } from '../../src/errors.js';
import type { Transcript } from '../../src/imap/transcript/index.js';
import { openStore } from '../../src/store/index.js';
import { createReplayHarness } from '../support/replay/replay-transport.js';
import { replayScenario } from '../support/replay/run-scenario.js';
import { replayServer, type Scenario } from '../support/replay/scenarios.js';

export const FUZZ_LIMITS = { maxLineLength: 64 * 1024, maxLiteralSize: 1024 * 1024, maxDepth: 32, maxTokens: 100_000 };

/** `ok`: the input was handled. `events` / `errors`: parser events and error events among them;
 * `outcome`: how a session phase ended ('ok' or the PrxError code). */
export type Verdict = { ok: true; events: number; errors: number; outcome: string } | { ok: false; reason: string };

export function runParserTarget(stream: Uint8Array, chunkSizes: number[]): Verdict {
  let events = 0;
  let errors = 0;
  try {
    const parser = createResponseParser((event) => {
      events++;
      if (event.type === 'error') errors++;
    }, { limits: FUZZ_LIMITS, streamBodies: true });
    let offset = 0;
    let index = 0;
    while (offset < stream.length) {
      const size = Math.max(1, chunkSizes[index++ % chunkSizes.length] as number);
      parser.push(stream.subarray(offset, offset + size));
      offset += size;
    }
    parser.end();
    return { ok: true, events, errors, outcome: 'ok' };
  } catch (error) {
    return { ok: false, reason: `parser threw: ${(error as Error).stack ?? String(error)}` };
  }
}

const SESSION_DEADLINE_MS = 15_000;

/**
 * Replays phases [0, phaseIndex) as recorded, then `mutated` for phase `phaseIndex`. Returns how
 * the client ended: fine (result or PrxError), or a finding (other error, or no end in time).
 */
export async function runSessionTarget(scenario: Scenario, transcripts: Transcript[], phaseIndex: number, mutated: Transcript): Promise<Verdict> {
  const store = await openStore(':memory:');
  try {
    const earlier = { ...scenario, phases: scenario.phases.slice(0, phaseIndex) };
    await replayScenario(earlier, transcripts.slice(0, phaseIndex), () => ({}), store);
    // An input equal to the recording gets no idle close: on a loaded machine a correct client
    // can be silent for longer than 25 ms, and the recording must end as recorded.
    const unmutated = sameRecords(mutated, transcripts[phaseIndex] as Transcript);
    const harness = createReplayHarness([mutated], unmutated ? {} : { idleCloseMs: 25 });
    const phase = scenario.phases[phaseIndex] as Scenario['phases'][number];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'hang'>((resolve) => {
      timer = setTimeout(() => resolve('hang'), SESSION_DEADLINE_MS);
    });
    const outcome = await Promise.race([
      phase
        .run({
          server: replayServer,
          session: { connectTransport: harness.connect, commandTimeoutMs: 5_000, greetingTimeoutMs: 5_000 },
          store,
        })
        .then(
          () => 'ok' as const,
          (error: unknown) => error,
        ),
      deadline,
    ]);
    clearTimeout(timer);
    if (outcome === 'hang') return { ok: false, reason: `no result within ${SESSION_DEADLINE_MS} ms (hang)` };
    // An input that is the recording itself (no mutation took) must be handled as recorded.
    if (unmutated && outcome !== 'ok') return { ok: false, reason: `the unmutated phase failed: ${String(outcome)}` };
    if (outcome === 'ok') return { ok: true, events: 0, errors: 0, outcome: 'ok' };
    if (isPrxError(outcome)) return { ok: true, events: 0, errors: 1, outcome: outcome.code };
    return { ok: false, reason: `untyped error: ${(outcome as Error)?.stack ?? String(outcome)}` };
  } finally {
    await store.close();
  }
}

function sameRecords(a: Transcript, b: Transcript): boolean {
  if (a.records.length !== b.records.length) return false;
  return a.records.every((record, i) => {
    const other = b.records[i] as Transcript['records'][number];
    return record.from === other.from && record.partial === other.partial && Buffer.from(record.bytes).equals(Buffer.from(other.bytes));
  });
}
