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
  /** The mechanism the client must use ('LOGIN' for the LOGIN command). */
  mechanism: 'LOGIN' | 'PLAIN' | 'XOAUTH2' | 'OAUTHBEARER';
  /** Strings that must appear in what the server received and nowhere in trace/transcript/error. */
  secrets: string[];
  /** The server fails the login (with an error challenge for OAuth). */
  refuse?: boolean;
  /** The server accepts only a login whose payload/arguments satisfy this. */
  acceptOnly?: (credentials: string) => boolean;
  /** The client must refuse before sending any credentials. */
  neverSent?: boolean;
  /** Run without a transcript recorder (trace only). */
  noRecorder?: boolean;
  options?: Partial<ImapSessionOptions>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const base = 'IMAP4rev1 ENABLE';
const bearer = (token: string) => oauthbearerPayload(USER, 'imap.example.test', 993, token);

const cases: Case[] = [
  { name: 'LOGIN (quoted)', capabilities: base, auth: { password: PASSWORD }, mechanism: 'LOGIN', secrets: [PASSWORD] },
  { name: 'LOGIN, trace only (no transcript recorder)', capabilities: base, auth: { password: PASSWORD }, mechanism: 'LOGIN', secrets: [PASSWORD], noRecorder: true },
  { name: 'LOGIN (password as a synchronising literal)', capabilities: base, auth: { password: LITERAL_PASSWORD }, mechanism: 'LOGIN', secrets: ['S3cret-Literal'] },
  { name: 'LOGIN refused', capabilities: base, auth: { password: PASSWORD }, mechanism: 'LOGIN', secrets: [PASSWORD], refuse: true },
  { name: 'LOGINDISABLED: nothing is sent', capabilities: `${base} LOGINDISABLED`, auth: { password: PASSWORD }, mechanism: 'LOGIN', secrets: [PASSWORD], neverSent: true },
  { name: 'LOGIN forced although PLAIN is offered', capabilities: `${base} AUTH=PLAIN SASL-IR`, auth: { password: PASSWORD }, mechanism: 'LOGIN', secrets: [PASSWORD], options: { passwordMechanism: 'LOGIN' } },
  { name: 'PLAIN with SASL-IR', capabilities: `${base} AUTH=PLAIN SASL-IR`, auth: { password: PASSWORD }, mechanism: 'PLAIN', secrets: [PASSWORD, plainPayload(USER, PASSWORD)] },
  { name: 'PLAIN without SASL-IR (payload after the continuation)', capabilities: `${base} AUTH=PLAIN`, auth: { password: PASSWORD }, mechanism: 'PLAIN', secrets: [PASSWORD, plainPayload(USER, PASSWORD)] },
  { name: 'PLAIN forced although not advertised', capabilities: base, auth: { password: PASSWORD }, mechanism: 'PLAIN', secrets: [PASSWORD, plainPayload(USER, PASSWORD)], options: { passwordMechanism: 'PLAIN' } },
  { name: 'PLAIN refused', capabilities: `${base} AUTH=PLAIN`, auth: { password: PASSWORD }, mechanism: 'PLAIN', secrets: [PASSWORD, plainPayload(USER, PASSWORD)], refuse: true },
  { name: 'XOAUTH2 with SASL-IR', capabilities: `${base} AUTH=XOAUTH2 SASL-IR`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN)] },
  { name: 'XOAUTH2 forced although OAUTHBEARER is offered', capabilities: `${base} AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN)], options: { oauthMechanism: 'XOAUTH2' } },
  { name: 'XOAUTH2 without SASL-IR, error challenge', capabilities: `${base} AUTH=XOAUTH2`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN)], refuse: true },
  { name: 'XOAUTH2 with SASL-IR, error challenge', capabilities: `${base} AUTH=XOAUTH2 SASL-IR`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN)], refuse: true },
  { name: 'OAUTHBEARER with SASL-IR', capabilities: `${base} AUTH=OAUTHBEARER AUTH=XOAUTH2 SASL-IR`, auth: { oauthToken: TOKEN }, mechanism: 'OAUTHBEARER', secrets: [TOKEN, bearer(TOKEN)] },
  { name: 'OAUTHBEARER forced although only XOAUTH2 is offered', capabilities: `${base} AUTH=XOAUTH2`, auth: { oauthToken: TOKEN }, mechanism: 'OAUTHBEARER', secrets: [TOKEN, bearer(TOKEN)], options: { oauthMechanism: 'OAUTHBEARER' } },
  {
    name: 'OAUTHBEARER without SASL-IR, error challenge, token provider refreshed and refused again',
    capabilities: `${base} AUTH=OAUTHBEARER`,
    auth: { oauthTokenProvider: async ({ forceRefresh }) => (forceRefresh ? `${TOKEN}-refreshed` : TOKEN) },
    mechanism: 'OAUTHBEARER',
    secrets: [TOKEN, bearer(TOKEN), `${TOKEN}-refreshed`, bearer(`${TOKEN}-refreshed`)],
    refuse: true,
  },
  {
    name: 'OAUTHBEARER: an expired token is refreshed (forceRefresh) and accepted',
    capabilities: `${base} AUTH=OAUTHBEARER SASL-IR`,
    auth: { oauthTokenProvider: async ({ forceRefresh }) => (forceRefresh === true ? `${TOKEN}-refreshed` : TOKEN) },
    mechanism: 'OAUTHBEARER',
    secrets: [TOKEN, bearer(TOKEN), `${TOKEN}-refreshed`, bearer(`${TOKEN}-refreshed`)],
    acceptOnly: (payload) => payload === bearer(`${TOKEN}-refreshed`),
  },
  { name: 'XOAUTH2 forced although not advertised', capabilities: `${base} AUTH=PLAIN`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN)], options: { oauthMechanism: 'XOAUTH2' } },
  { name: 'OAuth with neither mechanism offered: nothing is sent', capabilities: `${base} AUTH=PLAIN`, auth: { oauthToken: TOKEN }, mechanism: 'XOAUTH2', secrets: [TOKEN, xoauth2Payload(USER, TOKEN), bearer(TOKEN)], neverSent: true },
];

const ERROR_CHALLENGE = b64('{"status":"invalid_token","schemes":"bearer","scope":"https://mail.example.test/"}');

/** A strict server: it answers BAD (and counts it) to anything a correct client would not send:
 * a mechanism it does not offer (unless the case forces one), SASL-IR it does not offer, LOGIN
 * while LOGINDISABLED, a wrong reply to the error challenge. */
function loginServer(c: Case) {
  let pending: { tag: string; mechanism: string; stage: 'payload' | 'error-reply' } | null = null;
  const stats = { bad: 0, logins: 0 };
  const caps = new Set(c.capabilities.split(' '));
  const forced = c.options?.passwordMechanism !== undefined || c.options?.oauthMechanism !== undefined;
  const bad = (tag: string, why: string): string => {
    stats.bad++;
    return `${tag} BAD ${why}\r\n`;
  };
  const accepts = (credentials: string): boolean => !c.refuse && (c.acceptOnly ? c.acceptOnly(credentials) : true);
  const afterPayload = (tag: string, mechanism: string, payload: string): string => {
    if (accepts(payload)) return `${tag} OK logged in\r\n`;
    if (mechanism === 'XOAUTH2' || mechanism === 'OAUTHBEARER') {
      pending = { tag, mechanism, stage: 'error-reply' };
      return `+ ${ERROR_CHALLENGE}\r\n`;
    }
    return `${tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n`;
  };
  const server = createScriptedServer({
    greeting: '* OK ready',
    answer(command: ScriptedCommand) {
      if (pending) {
        const { tag, mechanism, stage } = pending;
        pending = null;
        if (stage === 'payload') return afterPayload(tag, mechanism, command.text);
        const expected = mechanism === 'OAUTHBEARER' ? b64('\u0001') : '';
        if (command.text !== expected) return bad(tag, 'wrong reply to the error challenge');
        return `${tag} NO [AUTHENTICATIONFAILED] invalid token\r\n`;
      }
      const basic = basicAnswer(command, c.capabilities);
      if (basic !== null) return basic;
      const words = command.text.split(' ');
      const name = words[1]?.toUpperCase();
      if (name === 'LOGIN') {
        stats.logins++;
        if (caps.has('LOGINDISABLED')) return bad(command.tag, 'LOGIN is disabled');
        return accepts(command.text) ? `${command.tag} OK logged in\r\n` : `${command.tag} NO [AUTHENTICATIONFAILED] bad password\r\n`;
      }
      if (name === 'AUTHENTICATE') {
        stats.logins++;
        const mechanism = words[2] ?? '';
        if (!caps.has(`AUTH=${mechanism}`) && !forced) return bad(command.tag, `mechanism ${mechanism} not offered`);
        if (words.length > 3) {
          if (!caps.has('SASL-IR')) return bad(command.tag, 'SASL-IR not offered');
          return afterPayload(command.tag, mechanism, words[3] as string);
        }
        pending = { tag: command.tag, mechanism, stage: 'payload' };
        return '+ \r\n';
      }
      return bad(command.tag, 'unknown command');
    },
  });
  return { server, stats };
}

function assertAbsent(haystack: string, secrets: string[], where: string): void {
  for (const secret of secrets) {
    assert.ok(!haystack.includes(secret), `${where} contains the secret ${JSON.stringify(secret.slice(0, 12))}…`);
  }
}

describe('credentials are redacted from traces, transcripts and errors', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const { server, stats } = loginServer(c);
      const recorder = c.noRecorder ? null : createTranscriptRecorder();
      const options: ImapSessionOptions = {
        host: 'imap.example.test',
        port: 993,
        user: USER,
        auth: c.auth,
        traceSize: 1000,
        ...(recorder ? { transcript: recorder } : {}),
        compress: false,
        connectTransport: server.connect,
        ...c.options,
      };
      let failure: unknown = null;
      let traceText = '';
      try {
        const client = await openImapSession(options);
        await client.noop();
        traceText = client.traceEntries().map((e) => `${e.direction}: ${e.text}`).join('\n');
        await client.logout();
      } catch (error) {
        failure = error;
      }
      assert.equal(stats.bad, 0, 'the client sent nothing the server had to reject as malformed');
      const wire = server.clientText();
      if (c.refuse || c.neverSent) {
        assert.ok(failure !== null, 'the login fails');
        assert.equal((failure as { code?: string }).code, 'AUTH');
        const errorText = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack ?? ''}`;
        assertAbsent(errorText, c.secrets, 'the error');
        if (c.neverSent) assert.match((failure as Error).message, c.mechanism === 'LOGIN' ? /LOGIN/ : /OAUTHBEARER|XOAUTH2/, 'the error says why');
        if (c.refuse) {
          assert.match((failure as Error).message, c.mechanism === 'LOGIN' ? /LOGIN/ : new RegExp(`AUTHENTICATE ${c.mechanism}`), 'the error names the method');
          if (c.mechanism === 'XOAUTH2' || c.mechanism === 'OAUTHBEARER') assert.match((failure as Error).message, /invalid_token/, "the server's decoded challenge is in the error");
        }
      } else {
        assert.equal(failure, null, `login failed: ${String(failure)}`);
      }

      if (c.neverSent) {
        assert.equal(stats.logins, 0, 'no login command was sent');
        assertAbsent(wire, c.secrets, 'the wire');
      } else {
        // The client used the expected method, SASL-IR when offered, and the secret did go over
        // the wire (otherwise its absence elsewhere proves nothing).
        const saslIr = c.capabilities.split(' ').includes('SASL-IR');
        const method = c.mechanism === 'LOGIN' ? /^A\d+ LOGIN /m : new RegExp(`^A\\d+ AUTHENTICATE ${c.mechanism}${saslIr ? ' \\S+' : ''}\r$`, 'm');
        assert.match(wire, method, 'the expected login method');
        assert.ok(c.secrets.some((secret) => wire.includes(secret)), 'the server received the credentials');
      }

      // The live trace (of a session that opened).
      if (failure === null) {
        const lines = traceText.split('\n');
        const loginLine = lines.find((line) => /^C: A\d+ (LOGIN|AUTHENTICATE)/.test(line));
        assert.ok(loginLine, 'the login command is in the trace');
        assert.match(loginLine.slice(3), c.mechanism === 'LOGIN' ? /^A\d+ LOGIN \*\*\* \*\*\*$/ : new RegExp(`^A\\d+ AUTHENTICATE ${c.mechanism} \\*\\*\\*$`));
        assert.ok(lines.some((line) => /^C: A\d+ NOOP$/.test(line)), 'other commands are traced as they are');
        assertAbsent(traceText, c.secrets, 'the trace');
      }

      if (!recorder) return;
      // The recorder's output, as text and as raw records.
      recorder.finish();
      const transcriptText = recorder.text();
      if (!c.neverSent) assert.match(transcriptText, /C: A\d+ (LOGIN|AUTHENTICATE) /, 'the transcript has the login');
      assertAbsent(transcriptText, c.secrets, 'the transcript text');
      const clientLines = recorder
        .transcript()
        .records.filter((r) => r.from === 'C')
        .map((r) => Buffer.from(r.bytes).toString('latin1'));
      assertAbsent(clientLines.join(''), c.secrets, 'the transcript records');
      // One record per login command, one "***" per continuation line (literal part or SASL
      // response) the server received.
      assert.equal(clientLines.filter((line) => /^A\d+ (LOGIN|AUTHENTICATE) /.test(line)).length, stats.logins, 'one record per login command');
      const continuations =
        server.commands.filter((command) => !/^A\d+ /.test(command.text)).length +
        server.commands.filter((command) => /^A\d+ (LOGIN|AUTHENTICATE) /.test(command.text)).reduce((n, command) => n + (command.text.match(/\{\d+\}/g)?.length ?? 0), 0);
      assert.equal(clientLines.filter((line) => line === '***\r\n').length, continuations, 'every continuation line is recorded as ***');
      for (const [index, line] of clientLines.entries()) {
        // Login commands are recorded exactly as "Ax LOGIN *** ***" / "Ax AUTHENTICATE M ***";
        // every continuation line the client sent (literal parts, SASL responses) as "***".
        if (/^A\d+ (LOGIN|AUTHENTICATE) /.test(line)) {
          assert.match(line, /^A\d+ (LOGIN \*\*\* \*\*\*|AUTHENTICATE [A-Z0-9]+ \*\*\*)\r\n$/, `record ${index}`);
        } else if (!/^A\d+ [A-Z]/.test(line)) {
          assert.equal(line, '***\r\n', `unredacted client record ${index}: ${JSON.stringify(line)}`);
        }
      }
    });
  }

  test('XOAUTH2 error challenge: the payload and the challenge reply are recorded as ***', async () => {
    const c = cases.find((x) => x.name.startsWith('XOAUTH2 without')) as Case;
    const { server } = loginServer(c);
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
