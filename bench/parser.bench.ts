/**
 * Parser throughput: prx-email's streaming response parser against imapflow's (its ImapStream
 * framer + parser, fed exactly as imapflow feeds them), on the same bytes in the same run.
 *   node dist/bench/parser.bench.js [--json] [--messages N] [--rounds N]
 * Streams: literal-heavy (FETCH with BODY[] literals of realistic mail, mean ~10 KiB) and
 * header-heavy (FETCH (UID FLAGS ENVELOPE BODYSTRUCTURE)). Chunks of 64 KiB, as from a socket.
 * Prints medians over alternating rounds and the ratio ours/imapflow (higher is better).
 */
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import imapflowParser from 'imapflow/lib/handler/imap-parser.js';
import { concatBytes } from '../src/bytes.js';
import { createResponseParser } from '../src/imap/wire/parser.js';
import { generateSampleMessage } from '../scripts/sample-mail.js';
import { median } from './stats.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const messages = option('--messages', 10_000);
const rounds = option('--rounds', 5);
const enc = new TextEncoder();


function literalHeavy(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 1; i <= messages; i++) {
    const body = generateSampleMessage(i, { seed: 3 });
    parts.push(enc.encode(`* ${i} FETCH (UID ${i} FLAGS (\\Seen) INTERNALDATE "17-Jul-2026 02:44:25 +0000" RFC822.SIZE ${body.length} BODY[] {${body.length}}\r\n`));
    parts.push(body);
    parts.push(enc.encode(')\r\n'));
  }
  parts.push(enc.encode('A1 OK Fetch completed.\r\n'));
  return concatBytes(parts);
}

function headerHeavy(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 1; i <= messages; i++) {
    parts.push(
      enc.encode(
        `* ${i} FETCH (UID ${i} FLAGS (\\Seen $Label${i % 7}) ENVELOPE ("Tue, 03 Feb 2026 10:${String(i % 60).padStart(2, '0')}:00 +0000" "Re: quarterly report ${i} =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" (("Alice Example" NIL "alice" "example.test")) (("Alice Example" NIL "alice" "example.test")) NIL (("Bob" NIL "bob" "example.test")("Carol" NIL "carol${i}" "example.test")) ((NIL NIL "team" "example.test")) NIL "<parent-${i}@example.test>" "<msg-${i}@example.test>") BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" ${1000 + i} 40 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "base64" ${3000 + i} 60 NIL NIL NIL NIL) "alternative" ("boundary" "b2-${i}") NIL NIL NIL)("application" "pdf" ("name" "report-${i}.pdf") NIL NIL "base64" ${50000 + i} NIL ("attachment" ("filename" "report-${i}.pdf")) NIL NIL) "mixed" ("boundary" "b1-${i}") NIL NIL NIL))\r\n`,
      ),
    );
  }
  parts.push(enc.encode('A1 OK Fetch completed.\r\n'));
  return concatBytes(parts);
}

function chunks(bytes: Uint8Array, size = 64 * 1024): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function runOurs(input: Uint8Array[]): Promise<{ ms: number; responses: number }> {
  let responses = 0;
  let bodyBytes = 0;
  const started = performance.now();
  const parser = createResponseParser((event) => {
    if (event.type === 'response') responses++;
    else if (event.type === 'body-chunk') bodyBytes += event.data.length;
    else if (event.type === 'error') throw new Error(`parse error: ${event.error.message}`);
  });
  for (const chunk of input) parser.push(chunk);
  parser.end();
  return { ms: performance.now() - started + bodyBytes * 0, responses };
}

async function runImapflow(input: Uint8Array[]): Promise<{ ms: number; responses: number }> {
  let responses = 0;
  const started = performance.now();
  const stream = new ImapStream({});
  const done = new Promise<void>((resolve, reject) => {
    stream.on('data', (item: { payload: Buffer; literals: Buffer[]; next: () => void }) => {
      imapflowParser(item.payload, { literals: item.literals }).then(
        () => {
          responses++;
          item.next();
        },
        reject,
      );
    });
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const chunk of input) {
    if (!stream.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) await new Promise((r) => stream.once('drain', r));
  }
  stream.end();
  await done;
  return { ms: performance.now() - started, responses };
}


async function measure(name: string, bytes: Uint8Array) {
  const input = chunks(bytes);
  const ours: number[] = [];
  const theirs: number[] = [];
  let responses = 0;
  await runOurs(input);
  await runImapflow(input);
  for (let r = 0; r < rounds; r++) {
    const a = await runOurs(input);
    const b = await runImapflow(input);
    if (a.responses !== b.responses) throw new Error(`${name}: response counts differ (${a.responses} vs ${b.responses})`);
    responses = a.responses;
    ours.push(a.ms);
    theirs.push(b.ms);
  }
  const mb = bytes.length / 1e6;
  const oursMBps = mb / (median(ours) / 1000);
  const imapflowMBps = mb / (median(theirs) / 1000);
  return { name, mb, responses, oursMs: median(ours), imapflowMs: median(theirs), oursMBps, imapflowMBps, ratio: oursMBps / imapflowMBps };
}

const results = [await measure('literalHeavy', literalHeavy()), await measure('headerHeavy', headerHeavy())];
if (json) {
  const out: Record<string, { oursMBps: number; imapflowMBps: number; ratio: number }> = {};
  for (const r of results) out[r.name] = { oursMBps: +r.oursMBps.toFixed(1), imapflowMBps: +r.imapflowMBps.toFixed(1), ratio: +r.ratio.toFixed(2) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  console.log(`parser throughput, ${messages} responses per stream, median of ${rounds} alternating rounds (node ${process.version})`);
  console.log('stream        MB     responses  ours MB/s  imapflow MB/s  ours resp/s  imapflow resp/s  ratio');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(12)} ${r.mb.toFixed(1).padStart(6)} ${String(r.responses).padStart(10)} ${r.oursMBps.toFixed(1).padStart(10)} ${r.imapflowMBps.toFixed(1).padStart(14)} ${(r.responses / (r.oursMs / 1000)).toFixed(0).padStart(12)} ${(r.responses / (r.imapflowMs / 1000)).toFixed(0).padStart(16)} ${r.ratio.toFixed(2).padStart(6)}x`,
    );
  }
}
