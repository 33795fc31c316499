/**
 * Records the transcripts in fixtures/transcripts/ from the project's Dovecot: builds each
 * scenario's mailbox (test/support/replay/scenarios.ts), runs the client with a transcript
 * recorder, and writes one file per connection. Credentials are redacted by the session.
 *   npm run record-transcripts [-- scenario]   (re-records the dovecot-* transcripts)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTranscriptRecorder, formatTranscript } from '../src/imap/transcript/index.js';
import { openStore } from '../src/store/index.js';
import { caPem, makeOAuthToken, startDovecot } from '../test/servers/dovecot-env.js';
import { recordedScenarios as scenarios, transcriptFile, transcriptsDir, type ScenarioServer } from '../test/support/replay/scenarios.js';

const env = startDovecot();
const version = execFileSync('dovecot', ['--version'], { encoding: 'utf8' }).trim();
const server: ScenarioServer = {
  host: env.host,
  implicitPort: env.implicitPort,
  starttlsPort: env.starttlsPort,
  ca: caPem(env),
  password: (user) => env.users[user] ?? '',
  token: (user) => makeOAuthToken(env, { sub: user }),
};
mkdirSync(transcriptsDir, { recursive: true });
const only = process.argv[2];

for (const scenario of scenarios) {
  if (only && scenario.name !== only) continue;
  const store = await openStore(':memory:');
  for (const [index, phase] of scenario.phases.entries()) {
    phase.prepare?.(env);
    const recorder = createTranscriptRecorder();
    const timer = phase.whileRunning ? setTimeout(() => phase.whileRunning?.(env), 1000) : null;
    const result = await phase.run({ server, session: { transcript: recorder }, store });
    if (timer) clearTimeout(timer);
    recorder.finish();
    const { records } = recorder.transcript();
    const file = transcriptFile(scenario, index);
    const meta = {
      title: `${scenario.title} (phase ${index + 1}: ${phase.name})`,
      source: `recorded against Dovecot ${version} on loopback by scripts/record-transcripts.ts`,
      user: scenario.user,
      result: JSON.stringify(result, (_, value) => (typeof value === 'bigint' ? value.toString() : value)),
    };
    writeFileSync(file, formatTranscript({ meta, records }));
    process.stderr.write(`${file}: ${records.length} records\n`);
  }
  await store.close();
}
