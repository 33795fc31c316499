/**
 * The package's `exports` as a consumer sees them: a CommonJS file `require()`s `prx-email` and
 * `prx-email/imap` by name (Node's require(esm), unflagged since Node 20.19 / 22.12; Bun always)
 * and uses one export of each; an ES module file imports the same two. Each runs in its own
 * process (process.execPath: node, or Bun under scripts/test-bun.sh) from a temporary directory
 * whose node_modules/prx-email links to this checkout. (require() of an ES module fails when the
 * module graph has a top-level await: this test is also the guard against one.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Why require() of an ES module cannot work on this runtime, or null when it can. */
function requireEsmUnsupported(): string | null {
  if (process.versions.bun !== undefined) return null;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19)) return null;
  return `node ${process.versions.node} has no unflagged require(esm) (needs 20.19+ or 22.12+)`;
}

describe('package exports', () => {
  let consumer = '';
  before(() => {
    consumer = mkdtempSync(join(tmpdir(), 'prx-exports-'));
    mkdirSync(join(consumer, 'node_modules'));
    symlinkSync(repoRoot, join(consumer, 'node_modules', 'prx-email'), 'dir');
  });
  after(() => rmSync(consumer, { recursive: true, force: true }));

  const run = (file: string, source: string): string => {
    writeFileSync(join(consumer, file), source);
    const out = spawnSync(process.execPath, [join(consumer, file)], { cwd: consumer, encoding: 'utf8', timeout: 60_000 });
    assert.equal(out.status, 0, `${file} failed:\n${out.stderr}`);
    return out.stdout.trim();
  };

  test('CommonJS: require("prx-email") and require("prx-email/imap")', { skip: requireEsmUnsupported() ?? false }, () => {
    const printed = run(
      'consumer.cjs',
      `const { ConfigError, isPrxError } = require('prx-email');
const { encodeMailboxName } = require('prx-email/imap');
const error = new ConfigError('bad');
console.log(JSON.stringify([isPrxError(error), error.code, encodeMailboxName('Entwürfe')]));
`,
    );
    assert.deepEqual(JSON.parse(printed), [true, 'CONFIG', 'Entw&APw-rfe']);
  });

  test('ES module: import from "prx-email" and "prx-email/imap"', () => {
    const printed = run(
      'consumer.mjs',
      `import { ConfigError, isPrxError } from 'prx-email';
import { encodeMailboxName } from 'prx-email/imap';
const error = new ConfigError('bad');
console.log(JSON.stringify([isPrxError(error), error.code, encodeMailboxName('Entwürfe')]));
`,
    );
    assert.deepEqual(JSON.parse(printed), [true, 'CONFIG', 'Entw&APw-rfe']);
  });
});
