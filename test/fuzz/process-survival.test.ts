/**
 * "No input ends the process": the hostile server inputs (huge VANISHED/SEARCH/ESEARCH/FETCH
 * lists, literal-size lies, deep nesting, STARTTLS injection, and every saved generator finding)
 * run in a child process that has no uncaughtException handler (survival-child.ts). Before the
 * fixes of issue 12 a 200k-range VANISHED ended that process with a RangeError.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('a process running every hostile server input survives them all', { timeout: 300_000 }, () => {
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./survival-child.js', import.meta.url))], { encoding: 'utf8', timeout: 280_000 });
  const lines = child.stdout.trim().split('\n');
  assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ''}\n${child.stdout}\n${child.stderr}`);
  assert.match(lines.at(-1) ?? '', /^survived \d+$/);
  const count = Number((lines.at(-1) ?? '').split(' ')[1]);
  assert.ok(count >= 6, child.stdout);
});
