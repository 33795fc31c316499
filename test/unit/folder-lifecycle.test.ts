/**
 * Planning what a full LIST says about known folders: renames by UIDVALIDITY (unique, with UIDNEXT
 * above what we hold), deletions, folders that come back; INBOX is never gone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MailboxInfo } from '../../src/imap/session/client.js';
import { planFolderLifecycle, type KnownFolderState } from '../../src/sync/folder-lifecycle.js';

const listed = (...names: string[]): MailboxInfo[] =>
  names.map((name) => ({ name, displayName: name, delimiter: '/', attributes: [], specialUse: null, selectable: true }));
const known = (id: number, name: string, uidValidity: number | null, extra: Partial<KnownFolderState> = {}): KnownFolderState => ({
  id,
  name,
  uidValidity,
  highestUid: 10,
  synced: uidValidity !== null,
  deletedAt: null,
  ...extra,
});

test('a synced folder missing from LIST with a new folder of the same UIDVALIDITY is a rename; others are gone', async () => {
  const statuses: Record<string, { uidValidity: number; uidNext: number }> = { 'New Name': { uidValidity: 77, uidNext: 11 }, Other: { uidValidity: 99, uidNext: 5 } };
  const asked: string[] = [];
  const plan = await planFolderLifecycle(
    [known(1, 'INBOX', 5), known(2, 'Old Name', 77), known(3, 'Projects', 88), known(4, 'Listed once', null)],
    listed('New Name', 'Other'),
    async (folder) => {
      asked.push(folder.name);
      return statuses[folder.name] ?? null;
    },
    async () => false,
  );
  assert.deepEqual(plan.renames.map((r) => [r.folderId, r.from, r.to.name]), [[2, 'Old Name', 'New Name']]);
  assert.deepEqual(plan.gone.map((g) => g.name), ['Projects', 'Listed once']);
  assert.deepEqual(plan.back, []);
  assert.deepEqual(asked, ['New Name', 'Other']);
});

test('no STATUS without candidates; ambiguous UIDVALIDITY or a UIDNEXT not above what we hold is not a rename', async () => {
  let calls = 0;
  const none = await planFolderLifecycle(
    [known(1, 'INBOX', 5)],
    listed('INBOX', 'Fresh'),
    async () => {
      calls++;
      return null;
    },
    async () => false,
  );
  assert.equal(calls, 0);
  assert.deepEqual([none.renames, none.gone], [[], []]);
  const ambiguous = await planFolderLifecycle([known(2, 'A', 7), known(3, 'B', 7)], listed('C'), async () => ({ uidValidity: 7, uidNext: 50 }), async () => false);
  assert.deepEqual([ambiguous.renames.length, ambiguous.gone.map((g) => g.name)], [0, ['A', 'B']]);
  const behind = await planFolderLifecycle([known(2, 'A', 7, { highestUid: 40 })], listed('C'), async () => ({ uidValidity: 7, uidNext: 40 }), async () => false);
  assert.deepEqual([behind.renames.length, behind.gone.length], [0, 1]);
});

test('a folder marked gone that LIST shows again is back; one already marked is not gone twice', async () => {
  const plan = await planFolderLifecycle([known(2, 'Back', 7, { deletedAt: 100 }), known(3, 'Still gone', 8, { deletedAt: 100 })], listed('Back'), async () => null, async () => false);
  assert.deepEqual(plan.back, [2]);
  assert.deepEqual(plan.gone, []);
});

test('a folder LIST does not show but STATUS still opens (a shared namespace, say) is not gone', async () => {
  const checked: string[] = [];
  const plan = await planFolderLifecycle([known(2, 'Shared/Team', 7), known(3, 'Deleted', 8)], listed('INBOX'), async () => null, async (name) => {
    checked.push(name);
    return name === 'Shared/Team';
  });
  assert.deepEqual(plan.gone.map((g) => g.name), ['Deleted']);
  assert.deepEqual(checked, ['Shared/Team', 'Deleted']);
});

test('a listed \\Noselect folder (Gmail\'s "[Gmail]") is not gone and costs no STATUS', async () => {
  let checks = 0;
  const list = [...listed('INBOX'), { name: '[Gmail]', displayName: '[Gmail]', delimiter: '/', attributes: ['\\Noselect'], specialUse: null, selectable: false }];
  const plan = await planFolderLifecycle([known(1, 'INBOX', 5), known(2, '[Gmail]', null)], list, async () => null, async () => {
    checks++;
    return false;
  });
  assert.deepEqual([plan.gone, checks], [[], 0]);
});

test('STATUS only for listed, selectable folders the store has not synced, and only while a candidate is open', async () => {
  const asked: string[] = [];
  const noselect: MailboxInfo = { name: 'Archive', displayName: 'Archive', delimiter: '/', attributes: ['\\Noselect', '\\HasChildren'], specialUse: null, selectable: false };
  const plan = await planFolderLifecycle(
    // "Archive" was tombstoned earlier; it is listed again, but only as a \Noselect parent.
    [known(1, 'INBOX', 5), known(2, 'Projects', 88), known(3, 'Old Name', 77), known(4, 'Archive', 66, { deletedAt: 50 })],
    [...listed('INBOX', 'Projects'), noselect, ...listed('New Name', 'Newer Name')],
    async (folder) => {
      asked.push(folder.name);
      return { uidValidity: 77, uidNext: 20 };
    },
    async () => false,
  );
  assert.deepEqual(plan.renames.map((r) => [r.folderId, r.to.name]), [[3, 'New Name']]);
  // "Newer Name" has the same UIDVALIDITY, but the one candidate is taken: no second rename, no STATUS.
  assert.deepEqual(asked, ['New Name']);
  assert.deepEqual([plan.gone, plan.back], [[], []]);
});

test('a listed folder known only from an earlier LIST (never synced) can be the new name; UIDNEXT unknown is no objection', async () => {
  const plan = await planFolderLifecycle(
    [known(2, 'Old Name', 77, { highestUid: 40 }), known(5, 'New Name', null)],
    listed('INBOX', 'New Name'),
    async (folder) => (folder.name === 'New Name' ? { uidValidity: 77, uidNext: null } : { uidValidity: 1, uidNext: 9 }),
    async () => false,
  );
  assert.deepEqual(plan.renames.map((r) => [r.folderId, r.from, r.to.name]), [[2, 'Old Name', 'New Name']]);
  assert.deepEqual(plan.gone, []);
});

test('only a synced folder with a UIDVALIDITY can have been renamed; without such a candidate there is no STATUS', async () => {
  let calls = 0;
  const statusOf = async () => {
    calls++;
    return { uidValidity: 77, uidNext: 50 };
  };
  // Opened once (UIDVALIDITY known) but nothing synced; and one marked synced whose UIDVALIDITY was never recorded.
  const plan = await planFolderLifecycle(
    [known(2, 'Opened once', 77, { synced: false }), known(3, 'No validity', null, { synced: true })],
    listed('INBOX', 'Fresh'),
    statusOf,
    async () => false,
  );
  assert.deepEqual([plan.renames, plan.gone.map((g) => g.name), calls], [[], ['Opened once', 'No validity'], 0]);
});
