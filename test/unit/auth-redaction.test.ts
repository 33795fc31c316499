/**
 * Credentials never reach the trace, the transcript recorder or an error: every auth mechanism
 * (LOGIN with quoted and literal arguments, PLAIN, XOAUTH2, OAUTHBEARER; with and without
 * SASL-IR; the OAuth error-challenge exchange), run by the real client against a scripted server.
 * Each case first checks that the server really received the secret, so the absence checks
 * cannot pass because nothing was sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openImapSession, type ImapSessionOptions } from '../../src/imap/session/client.js';
import { oauthbearerPayload, plainPayload, xoauth2Payload } from '../../src/imap/session/sasl.js';
import { createTranscriptRecorder } from '../../src/imap/transcript/index.js';
import { basicAnswer, createScriptedServer, type ScriptedCommand } from '../support/scripted-server.js';

const USER = 'user@example.test';
const PASSWORD = 'S3cret-Passw0rd';
const LITERAL_PASSWORD = 'line\r\nS3cret-Literal';
const TOKEN = 'ya29.TOKEN-Secret-0123456789';

interface Case {
  name: string;
  capabilities: string;
  auth: ImapSessionOptions['auth'];
  /** Strings that must appear in what the server received and nowhere in trace/transcript/error. */
  secrets: string[];
  /** The trace line the client's login command must be shown as. */
  redactedLine: RegExp;
  /** The server fails the login (with an error challenge for OAuth). */
  refuse?: boolean;
  options?: Partial<ImapSessionOptions>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const base = 'IMAP4rev1 ENABLE';

const cases: Case[] = [
  {
    name: 'LOGIN (quoted)',
    capabilities: base,
    auth: { password: PASSWORD },
    secrets: [PASSWORD],
    redactedLine: /^A\d+ LOGIN \*\*\* \*\*\*$/,
  },
  {
    name: 'LOGIN (password as a synchronising literal)',
    capabilities: base,
    auth: { password: LITERAL_PASSWORD },
    secrets: ['S3cret-Literal'],
    redactedLine: /^A\d+ LOGIN \*\*\* \*\*\*$/,
  },
  {
    name: 'LOGIN refused',
    capabilities: base,
    auth: { password: PASSWORD },
    secrets: [PASSWORD],
    redactedLine: /^A\d+ LOGIN \*\*\* \*\*\*$/,
    refuse: true,
  },
  {
    name: 'PLAIN with SASL-IR',
    capabilities: `${base} AUTH=PLAIN SASL-IR`,
    auth: { password: PASSWORD },
    secrets: [PASSWORD, plainPayload(USER, PASSWORD)],
    redactedLine: /^A\d+ AUTHENTICATE PLAIN \*\*\*$/,
  },
  {
    name: 'PLAIN without SASL-IR (payload after the continuation)',
    capabilities: `${base} AUTH=PLAIN`,
    auth: { password: PASSWORD },
    secrets: [PASSWORD, plainPayload(USER, PASSWORD)],
    redactedLine: /^A\d+ AUTHENTICATE PLAIN \*\*\*$/,
  },
  {
    name: 'PLAIN refused',
    capabilities: `${base} AUTH=PLAIN`,
    auth: { password: PASSWORD },
    secrets: [PASSWORD, plainPayload(USER, PASSWORD)],
    redactedLine: /^A\d+ AUTHENTICATE PLAIN \*\*\*$/,
    refuse: true,
  },
  {
    name: 'XOAUTH2 with SASL-IR',
    capabilities: `${base} AUTH=XOAUTH2 SASL-IR`,
    auth: { oauthToken: TOKEN },
    secrets: [TOKEN, xoauth2Payload(USER, TOKEN)],
    redactedLine: /^A\d+ AUTHENTICATE XOAUTH2 \*\*\*$/,
  },
  {
    name: 'XOAUTH2 without SASL-IR, error challenge',
    capabilities: `${base} AUTH=XOAUTH2`,
    auth: { oauthToken: TOKEN },
    secrets: [TOKEN, xoauth2Payload(USER, TOKEN)],
    redactedLine: /^A\d+ AUTHENTICATE XOAUTH2 \*\*\*$/,
    refuse: true,
  },
  {
    name: 'OAUTHBEARER with SASL-IR',
    capabilities: `${base} AUTH=OAUTHBEARER AUTH=XOAUTH2 SASL-IR`,
    auth: { oauthToken: TOKEN },
    secrets: [TOKEN, oauthbearerPayload(USER, 'imap.example.test', 993, TOKEN)],
    redactedLine: /^A\d+ AUTHENTICATE OAUTHBEARER \*\*\*$/,
  },
  {
    name: 'OAUTHBEARER without SASL-IR, error challenge, token provider refreshed',
    capabilities: `${base} AUTH=OAUTHBEARER`,
    auth: { oauthTokenProvider: async ({ forceRefresh }) => (forceRefresh ? `${TOKEN}-refreshed` : TOKEN) },
    secrets: [TOKEN, oauthbearerPayload(USER, 'imap.example.test', 993, TOKEN), `${TOKEN}-refreshed`],
    redactedLine: /^A\d+ AUTHENTICATE OAUTHBEARER \*\*\*$/,
    refuse: true,
  },
];

const ERROR_CHALLENGE = b64('{"status":"invalid_token","schemes":"bearer","scope":"https://mail.example.test/"}');

/** A server that accepts (or refuses) whatever login the client makes, with SASL continuations. */
function loginServer(c: Case) {
  let awaitingSasl: { tag: string; stage: 'payload' | 'error-reply' } | null = null;
  return createScriptedServer({
    greeting: '* OK ready',
    answer(command: ScriptedCommand) {
      if (awaitingSasl) {
        const { tag, stage } = awaitingSasl;
        if (stage === 'payload' && c.refuse && c.auth.password === undefined) {
          awaitingSasl = { tag, stage: 'error-reply' };
          return `+ ${ERROR_CHALLENGE}\r\n`;
        }
        awaitingSasl = null;
        return c.refuse ? `${tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n` : `${tag} OK logged in\r\n`;
      }
      const basic = basicAnswer(command, c.capabilities);
      if (basic !== null) return basic;
      const words = command.text.split(' ');
      const name = words[1]?.toUpperCase();
      if (name === 'LOGIN') return c.refuse ? `${command.tag} NO [AUTHENTICATIONFAILED] bad password\r\n` : `${command.tag} OK logged in\r\n`;
      if (name === 'AUTHENTICATE') {
        if (words.length > 3) {
          // SASL-IR: the payload came with the command.
          if (c.refuse) {
            awaitingSasl = { tag: command.tag, stage: 'error-reply' };
            return `+ ${ERROR_CHALLENGE}\r\n`;
          }
          return `${command.tag} OK logged in\r\n`;
        }
        awaitingSasl = { tag: command.tag, stage: 'payload' };
        return '+ \r\n';
      }
      return `${command.tag} BAD unknown\r\n`;
    },
  });
}

function assertAbsent(haystack: string, secrets: string[], where: string): void {
  for (const secret of secrets) {
    assert.ok(!haystack.includes(secret), `${where} contains the secret ${JSON.stringify(secret.slice(0, 12))}…`);
  }
}

describe('credentials are redacted from traces, transcripts and errors', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const server = loginServer(c);
      const recorder = createTranscriptRecorder();
      const options: ImapSessionOptions = {
        host: 'imap.example.test',
        port: 993,
        user: USER,
        auth: c.auth,
        traceSize: 1000,
        transcript: recorder,
        compress: false,
        connectTransport: server.connect,
        ...c.options,
      };
      let failure: unknown = null;
      let traceText = '';
      try {
        const client = await openImapSession(options);
        traceText = client.traceEntries().map((e) => `${e.direction}: ${e.text}`).join('\n');
        await client.noop();
        traceText = client.traceEntries().map((e) => `${e.direction}: ${e.text}`).join('\n');
        await client.logout();
      } catch (error) {
        failure = error;
      }
      if (c.refuse) {
        assert.ok(failure !== null, 'the refused login fails');
        assert.equal((failure as { code?: string }).code, 'AUTH');
        const errorText = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack ?? ''}`;
        assertAbsent(errorText, c.secrets, 'the error');
      } else {
        assert.equal(failure, null, `login failed: ${String(failure)}`);
      }

      // The secret did go over the wire (otherwise absence elsewhere proves nothing).
      const wire = server.clientText();
      assert.ok(c.secrets.some((s) => wire.includes(s)), 'the server received the credentials');

      // The live trace.
      if (!c.refuse) {
        assert.ok(traceText.length > 0, 'the trace recorded the session');
        const loginLine = traceText.split('\n').find((line) => /^C: A\d+ (LOGIN|AUTHENTICATE)/.test(line));
        assert.ok(loginLine, 'the login command is in the trace');
        assert.match(loginLine.slice(3), c.redactedLine);
        assertAbsent(traceText, c.secrets, 'the trace');
      }

      // The recorder's output, as text and as raw records.
      recorder.finish();
      const transcriptText = recorder.text();
      assert.match(transcriptText, /C: A\d+ (LOGIN|AUTHENTICATE) /, 'the transcript has the login');
      assertAbsent(transcriptText, c.secrets, 'the transcript text');
      const rawRecords = recorder
        .transcript()
        .records.filter((r) => r.from === 'C')
        .map((r) => Buffer.from(r.bytes).toString('latin1'))
        .join('');
      assertAbsent(rawRecords, c.secrets, 'the transcript records');
      // Every client record after the login command that is not a tagged command is a redacted
      // SASL response or literal part.
      for (const line of rawRecords.split('\r\n').filter((l) => l !== '' && !/^A\d+ /.test(l))) {
        assert.equal(line, '***', `unredacted client line in the transcript: ${JSON.stringify(line)}`);
      }
    });
  }

  test('XOAUTH2 error challenge: the payload and the challenge reply are recorded as ***', async () => {
    const c = cases.find((x) => x.name.startsWith('XOAUTH2 without')) as Case;
    const server = loginServer(c);
    const recorder = createTranscriptRecorder();
    await assert.rejects(
      openImapSession({ host: 'imap.example.test', port: 993, user: USER, auth: c.auth, transcript: recorder, connectTransport: server.connect, compress: false }),
      { code: 'AUTH' },
    );
    const wire = server.clientText();
    assert.ok(wire.includes(xoauth2Payload(USER, TOKEN)), 'the payload was sent');
    recorder.finish();
    const clientLines = recorder
      .transcript()
      .records.filter((r) => r.from === 'C')
      .map((r) => Buffer.from(r.bytes).toString('latin1').replace(/\r\n$/, ''));
    const auth = clientLines.findIndex((l) => / AUTHENTICATE XOAUTH2/.test(l));
    assert.ok(auth >= 0, 'the transcript has the AUTHENTICATE command');
    // The command, the payload after `+`, the reply to the error challenge: all redacted.
    assert.deepEqual(clientLines.slice(auth), ['A2 AUTHENTICATE XOAUTH2 ***', '***', '***']);
  });
});
