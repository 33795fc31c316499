/**
 * The sync benchmark's mailbox on its own Dovecot: user `bench`, reset, INBOX filled with the
 * deterministic sample mix of scripts/sample-mail.ts (seed 7) and Archive with one message
 * carrying a 20 MiB attachment.
 */
import { generateSampleMessage } from '../../scripts/sample-mail.js';
import { deliverMessages, resetUser, type DovecotEnv } from '../../test/servers/dovecot-env.js';
import { MB } from './report.js';

/** A message with one 20 MiB attachment (deterministic bytes, base64), for the memory test. */
function bigMessage(attachmentBytes: number): Uint8Array {
  const data = Buffer.alloc(attachmentBytes);
  let state = 12345;
  for (let i = 0; i < data.length; i += 4) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data.writeUInt32LE(state, i);
  }
  const b64 = data.toString('base64').replace(/.{76}/g, '$&\r\n');
  const head = [
    'From: Big Sender <big.sender@example.test>',
    'To: Bench <bench@example.test>',
    'Subject: The 20 MiB attachment',
    'Date: Thu, 01 Jan 2026 12:00:00 +0000',
    'Message-ID: <big-attachment-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="big-boundary"',
    '',
    '--big-boundary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The attachment is 20 MiB of pseudo-random bytes.',
    '--big-boundary',
    'Content-Type: application/octet-stream; name="big.bin"',
    'Content-Disposition: attachment; filename="big.bin"',
    'Content-Transfer-Encoding: base64',
    '',
  ].join('\r\n');
  return new Uint8Array(Buffer.from(`${head}\r\n${b64}\r\n--big-boundary--\r\n`, 'latin1'));
}

/** Resets user `bench` and fills it; returns the INBOX payload size and the big message. */
export function fillBenchMailbox(env: DovecotEnv, messages: number): { payloadBytes: number; bigMessageBytes: number; fillMs: number } {
  // Fill the mailbox: the sample mix in INBOX, the 20 MiB attachment alone in Archive.
  const fillStarted = Date.now();
  resetUser(env, 'bench');
  let payloadBytes = 0;
  function* sample(): Generator<Uint8Array> {
    for (let i = 0; i < messages; i++) {
      const message = generateSampleMessage(i, { seed: 7 });
      payloadBytes += message.byteLength;
      yield message;
    }
  }
  deliverMessages(env, 'bench', 'INBOX', sample());
  const big = bigMessage(20 * 1024 * 1024);
  deliverMessages(env, 'bench', 'Archive', [big]);
  const fillMs = Date.now() - fillStarted;
  console.error(`filled bench INBOX with ${messages} messages (${(payloadBytes / MB).toFixed(1)} MB) + Archive with one ${(big.byteLength / MB).toFixed(1)} MB message in ${(fillMs / 1000).toFixed(1)} s`);
  return { payloadBytes, bigMessageBytes: big.byteLength, fillMs };
}
