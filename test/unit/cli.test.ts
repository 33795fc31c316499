/**
 * The CLI without a server: argument parsing of every command (and its errors), the progress
 * accumulator (the total is the whole backlog from the first listing, not one call's slice;
 * bytes and rate are cumulative over the run) and its rendering, the log line format, and text
 * made safe for a terminal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPrxError } from '../../src/errors.js';
import { parseCliArgs } from '../../src/cli/args.js';
import { cell, safeText } from '../../src/cli/commands/common.js';
import { createLineLogger } from '../../src/cli/commands/log.js';
import { createFolderProgress, renderProgress } from '../../src/cli/progress.js';

function parseError(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCliArgs(argv, env);
  } catch (error) {
    assert.ok(isPrxError(error) && error.code === 'CONFIG');
    return (error as Error).message;
  }
  assert.fail(`accepted ${argv.join(' ')}`);
}

describe('CLI arguments', () => {
  test('daemon, sync --config, watch, and the readers', () => {
    assert.deepEqual(parseCliArgs(['daemon', '--config', 'c.json'], {}), { command: 'daemon', config: 'c.json', logFormat: 'text', json: false });
    assert.deepEqual(parseCliArgs(['daemon', '--config', 'c.json', '--db', 'x.db', '--log-format', 'json'], {}), { command: 'daemon', config: 'c.json', db: 'x.db', logFormat: 'json', json: false });
    assert.deepEqual(parseCliArgs(['sync', '--config', 'c.json', '--account', 'work'], {}), { command: 'sync-config', config: 'c.json', account: 'work', allFolders: false, maxMessages: 1000, json: false, limits: { cap: null, since: null } });
    assert.deepEqual(parseCliArgs(['list', '--folder', 'INBOX', '--limit', '5', '--account', 'me@x'], {}), { command: 'list', db: 'mail.db', account: 'me@x', folder: 'INBOX', limit: 5, json: false });
    assert.deepEqual(parseCliArgs(['search', 'invoice 2024', '--json'], {}), { command: 'search', db: 'mail.db', query: 'invoice 2024', limit: 20, json: true });
    assert.deepEqual(parseCliArgs(['show', '42'], {}), { command: 'show', db: 'mail.db', id: 42, format: 'summary', json: false });
    assert.deepEqual(parseCliArgs(['show', '42', '--html'], {}), { command: 'show', db: 'mail.db', id: 42, format: 'html', json: false });
    assert.deepEqual(parseCliArgs(['show', '7', '--raw', '--config', 'c.json'], {}), { command: 'show', db: 'mail.db', id: 7, format: 'raw', config: 'c.json', json: false });
    assert.deepEqual(parseCliArgs(['status', '--db', 'm.db', '--json'], {}), { command: 'status', db: 'm.db', json: true });
    const watch = parseCliArgs(['watch', '--host', 'h', '--user', 'u', '--password-env', 'P', '--log-format', 'json'], { P: 'pw' });
    assert.equal(watch.command, 'watch');
    assert.equal(watch.command === 'watch' && watch.logFormat, 'json');
  });

  test('mistakes are CONFIG errors that say what is wrong', () => {
    assert.match(parseError(['daemon']), /daemon needs --config FILE/);
    assert.match(parseError(['daemon', '--config', 'c', '--log-format', 'xml']), /--log-format must be 'json' or 'text'/);
    assert.match(parseError(['daemon', '--config', 'c', '--host', 'h']), /unknown option '--host' for daemon/);
    assert.match(parseError(['sync', '--config', 'c', '--host', 'h']), /--host cannot be combined with --config/);
    assert.match(parseError(['sync', '--account', 'a', '--user', 'u', '--password-env', 'P'], { P: 'x' }), /--account needs --config FILE/);
    assert.match(parseError(['search']), /search needs a QUERY/);
    assert.match(parseError(['search', 'a', 'b']), /search needs a QUERY/);
    assert.match(parseError(['show', 'abc']), /the message ID must be an integer/);
    assert.match(parseError(['show', '1', '--raw']), /--raw fetches the message from the server and needs --config FILE/);
    assert.match(parseError(['show', '1', '--text', '--html']), /at most one of --raw, --html, --text/);
    assert.match(parseError(['list', '--limit', '501']), /--limit must be an integer from 1 to 500/);
    assert.match(parseError(['list', 'extra']), /unexpected argument 'extra'/);
    assert.match(parseError(['frobnicate']), /unknown command 'frobnicate'/);
  });
});

describe('CLI arguments: sync limits and the distributed worker', () => {
  const base = ['--host', 'h', '--user', 'u', '--password-env', 'PW'];
  test('--max-messages caps the invocation, --since is a real calendar day', () => {
    const none = parseCliArgs(['sync', ...base], { PW: 'x' });
    assert.ok(none.command === 'sync');
    assert.deepEqual(none.limits, { cap: null, since: null });
    const both = parseCliArgs(['sync', ...base, '--max-messages', '50', '--since', '2026-02-28'], { PW: 'x' });
    assert.ok(both.command === 'sync');
    assert.deepEqual(both.limits, { cap: 50, since: '2026-02-28' });
    assert.throws(() => parseCliArgs(['sync', ...base, '--since', '2026-02-30'], { PW: 'x' }), { code: 'CONFIG' });
    assert.throws(() => parseCliArgs(['sync', ...base, '--since', 'yesterday'], { PW: 'x' }), { code: 'CONFIG' });
  });

  test('daemon --worker-id needs a PostgreSQL --db', () => {
    const worker = parseCliArgs(['daemon', '--config', 'c.json', '--db', 'postgres://u@127.0.0.1/prx', '--worker-id', 'w1'], {});
    assert.ok(worker.command === 'daemon');
    assert.equal(worker.workerId, 'w1');
    assert.throws(() => parseCliArgs(['daemon', '--config', 'c.json', '--worker-id', 'w1'], {}), /postgres/);
    assert.throws(() => parseCliArgs(['daemon', '--config', 'c.json', '--db', 'mail.db', '--worker-id', 'w1'], {}), { code: 'CONFIG' });
    const plain = parseCliArgs(['daemon', '--config', 'c.json'], {});
    assert.ok(plain.command === 'daemon' && plain.workerId === undefined);
  });
});

describe('sync progress', () => {
  test('the total is the whole backlog from the first listing; messages and MB accumulate over calls', () => {
    // 10,000 messages of 1 kB fetched 1,000 per call: the bar must not read 800/1000, 2900/3000...
    const progress = createFolderProgress('INBOX', 0);
    progress.backlog(10_000, 10_000_000);
    progress.progress(800, 800_000);
    let view = progress.view(1000);
    assert.deepEqual([view.done, view.total, view.bytes, view.totalBytes], [800, 10_000, 800_000, 10_000_000]);
    progress.progress(1000, 1_000_000);
    progress.endCall();
    progress.backlog(9_000, 9_000_000); // the second call's listing: what is left
    progress.progress(900, 900_000);
    view = progress.view(2000);
    assert.deepEqual([view.done, view.total, view.bytes, view.totalBytes], [1900, 10_000, 1_900_000, 10_000_000]);
    assert.equal(renderProgress(view), 'INBOX [#####...................] 1900/10000 msgs 1.9/10.0 MB 950 msg/s 0.9 MB/s ETA 9s');
    progress.endCall();
    progress.backlog(8_105, 8_105_000); // 5 new messages arrived meanwhile
    assert.equal(progress.view(2000).total, 10_005);
    progress.progress(8_105, 8_105_000);
    progress.endCall();
    view = progress.view(10_005);
    assert.equal(renderProgress(view), 'INBOX [########################] 10005/10005 msgs 10.0/10.0 MB 1000 msg/s 1.0 MB/s ETA 0s');
  });

  test('ETA follows bytes when sizes are known (one big message left is not "1 message, 1 s")', () => {
    const view = { folder: 'F', done: 99, total: 100, bytes: 1_000_000, totalBytes: 11_000_000, elapsedMs: 10_000 };
    assert.match(renderProgress(view), /ETA 1m40s$/);
    assert.match(renderProgress({ ...view, totalBytes: 0, bytes: 0 }), /ETA 1s$/);
    assert.match(renderProgress({ folder: 'Empty', done: 0, total: 0, bytes: 0, totalBytes: 0, elapsedMs: 5 }), /0\/0 msgs 0\.0\/0\.0 MB .* ETA 0s$/);
  });
});

describe('CLI output', () => {
  test('log lines: one JSON object per line, or text with an ISO time; control characters neutralised', () => {
    const out: string[] = [];
    const at = () => new Date('2026-12-02T00:00:00Z');
    createLineLogger('json', { write: (t) => out.push(t) }, at).info?.({ event: 'synced', account: 'a\u001b[2J' }, 'a/INBOX: +1');
    createLineLogger('text', { write: (t) => out.push(t) }, at).warn?.({ event: 'error' }, 'a/INBOX: AUTH: \u001b[31mno');
    assert.deepEqual(JSON.parse(out[0] as string), { time: '2026-12-02T00:00:00.000Z', level: 'info', msg: 'a/INBOX: +1', event: 'synced', account: 'a\u001b[2J' });
    assert.ok((out[0] as string).includes('\\u001b'), 'JSON escapes the control character');
    assert.equal(out[1], '2026-12-02T00:00:00.000Z warn  a/INBOX: AUTH: no\n', 'the escape sequence is removed whole');
  });

  test('table cells: one line, no escape sequences, shortened with an ellipsis', () => {
    assert.equal(safeText('a\u0007b\u009bc\nd\te'), 'ab\nd\te', 'BEL and the 8-bit CSI sequence (with its final byte) removed');
    assert.equal(cell('Hello\r\nworld\u001b[1m', 40), 'Hello world');
    assert.equal(cell('x'.repeat(10), 5), 'xxxx…');
  });
});
