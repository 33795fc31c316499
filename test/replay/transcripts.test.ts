/**
 * Every recorded transcript replays: the client sends exactly the recorded commands (modulo tags
 * and redacted secrets), reaches the end of the transcript, and gets the result the recording
 * got. The same through a real TLS socket (the replay server), and a changed transcript is
 * caught. The file format round-trips.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatTranscript, parseTranscript, escapeBytes, unescapeBytes } from '../../src/imap/transcript/index.js';
import { openStore } from '../../src/store/index.js';
import { normalizeResult, recordedResult, replayScenario } from '../support/replay/run-scenario.js';
import { replayCa, startReplayServer } from '../support/replay/replay-server.js';
import { loadScenarioTranscripts, replayServer, scenarios, transcriptsDir } from '../support/replay/scenarios.js';
import { dumpStore } from '../support/replay/store-dump.js';

describe('recorded transcripts replay', () => {
  for (const scenario of scenarios) {
    test(`${scenario.name}: the client replays every phase exactly and gets the recorded results`, async () => {
      const transcripts = loadScenarioTranscripts(scenario);
      const run = await replayScenario(scenario, transcripts);
      for (const [index, connections] of run.connections.entries()) {
        assert.equal(connections.length, 1, `phase ${index + 1} used one connection`);
        const peer = (connections[0] as (typeof connections)[number]).peer;
        assert.equal(peer.mismatch, null);
        assert.ok(peer.finished, `phase ${index + 1} stopped before the end; next: ${peer.expecting()}`);
        assert.deepEqual(normalizeResult(run.results[index]), recordedResult(transcripts[index] as (typeof transcripts)[number]));
      }
      await run.store.close();
    });
  }

  test('dovecot-sync through a TLS socket: the unchanged client stack, the same store as in memory', async () => {
    const scenario = scenarios.find((s) => s.name === 'dovecot-sync');
    assert.ok(scenario);
    const transcripts = loadScenarioTranscripts(scenario);
    const server = await startReplayServer(transcripts);
    const store = await openStore(':memory:');
    try {
      const results = [];
      for (const phase of scenario.phases) {
        results.push(
          await phase.run({
            server: { ...replayServer, implicitPort: server.port, ca: replayCa },
            session: {},
            store,
          }),
        );
      }
      assert.deepEqual(server.mismatches(), []);
      assert.ok(server.peers.every((peer) => peer.finished));
      assert.deepEqual(normalizeResult(results), transcripts.map(recordedResult));
      const inMemory = await replayScenario(scenario, transcripts);
      assert.deepEqual((await dumpStore(store)), (await dumpStore(inMemory.store)));
      await inMemory.store.close();
    } finally {
      await store.close();
      await server.close();
    }
  });

  test('a client that deviates from the transcript is stopped with the mismatch named', async () => {
    const scenario = scenarios.find((s) => s.name === 'dovecot-sync');
    assert.ok(scenario);
    const transcripts = loadScenarioTranscripts(scenario);
    const first = transcripts[0] as (typeof transcripts)[number];
    // Pretend the server expected a different listing command.
    const changed = parseTranscript(formatTranscript(first).replace('UID FETCH 1:* (UID RFC822.SIZE)', 'UID FETCH 1:* (UID)'));
    const run = await replayScenario(scenario, [changed, ...transcripts.slice(1)]);
    const peer = run.connections[0]?.[0]?.peer;
    assert.match(peer?.mismatch ?? '', /unexpected client line "A4 UID FETCH 1:\* \(UID RFC822.SIZE\)\\r\\n"; expected C: A4 UID FETCH 1:\* \(UID\)/);
    // The client saw the server drop the connection: a typed network error, nothing stored.
    assert.deepEqual(normalizeResult(run.results[0]), [{ error: 'NETWORK', retryAfterMs: null }]);
    assert.equal((await run.store.countMessages(1)), 0);
    await run.store.close();
  });
});

describe('transcript format', () => {
  test('every fixture round-trips through parse and format', () => {
    const files = readdirSync(transcriptsDir).filter((name) => name.endsWith('.txt'));
    assert.ok(files.length >= 7);
    for (const file of files) {
      const text = readFileSync(join(transcriptsDir, file), 'utf8');
      assert.equal(formatTranscript(parseTranscript(text)), text, file);
    }
  });

  test('escapes: every byte value survives, backslashes and CR/LF inside a record too', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(unescapeBytes(escapeBytes(all), 1), all);
    assert.equal(escapeBytes(new TextEncoder().encode('a\\b\r\nc')), 'a\\\\b\\x0D\\x0Ac');
    assert.throws(() => unescapeBytes('bad \\q', 3), /line 3: bad escape/);
    assert.throws(() => parseTranscript('# prx-email transcript v1\nX: nope\n'), /line 2/);
  });

  test('no secret reaches a recorded transcript', () => {
    for (const file of readdirSync(transcriptsDir).filter((name) => name.endsWith('.txt'))) {
      const text = readFileSync(join(transcriptsDir, file), 'utf8');
      assert.doesNotMatch(text, /(user\d|alice|bob|carol|dave|demo|bench)-password|not-the-password|eyJ[A-Za-z0-9_-]{10,}/, file);
      const lines = text.split('\n');
      lines.forEach((line, index) => {
        if (!/^C: \S+ (LOGIN|AUTHENTICATE) /.test(line)) return;
        // The secret is on the command line, or (no SASL-IR) on the client's next line.
        const nextClientLine = lines.slice(index + 1).find((l) => l.startsWith('C'));
        assert.ok(/\*\*\*/.test(line) || nextClientLine === 'C: ***', `${file}: ${line}`);
      });
    }
  });
});
