/**
 * Runs a scenario's client phases against its transcripts through the in-memory replay transport
 * and returns each phase's result, the replay connections, and the store at the end. Test-only.
 */

import type { Transcript } from '../../../src/imap/transcript/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createReplayHarness, type ReplayConnection, type ReplayTransportOptions } from './replay-transport.js';
import { replayServer, type Scenario } from './scenarios.js';

export interface ReplayRun {
  results: unknown[];
  /** Per phase: its connections (a phase that reconnects has several). */
  connections: ReplayConnection[][];
  store: Store;
}

/** Options per phase index (chunking, injection, a cut). */
export type PhaseOptions = (phaseIndex: number) => ReplayTransportOptions;

export async function replayScenario(
  scenario: Scenario,
  transcripts: Transcript[],
  phaseOptions: PhaseOptions = () => ({}),
  store?: Store,
): Promise<ReplayRun> {
  const target = store ?? (await openStore(':memory:'));
  const run: ReplayRun = { results: [], connections: [], store: target };
  for (const [index, phase] of scenario.phases.entries()) {
    const harness = createReplayHarness([transcripts[index] as Transcript], phaseOptions(index));
    run.connections.push(harness.connections);
    run.results.push(await phase.run({ server: replayServer, session: { connectTransport: harness.connect }, store: target }));
  }
  return run;
}

/** The result a recording wrote into the transcript's metadata. */
export function recordedResult(transcript: Transcript): unknown {
  return JSON.parse(transcript.meta.result ?? 'null');
}

/** Results as the recorder wrote them (bigints as strings). */
export function normalizeResult(result: unknown): unknown {
  return JSON.parse(JSON.stringify(result, (_, value) => (typeof value === 'bigint' ? value.toString() : value)));
}
