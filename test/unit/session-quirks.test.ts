/** quirks.ts: each server-specific rule, by the answer that triggers it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesDuringLogin, enabledWithoutReport, listReturnRefused, outlookBackoffMs, outlookNotConnected, tooManyConnections } from '../../src/imap/session/quirks.js';

test('Outlook backoff and not-connected, connection limits, Gmail, iCloud, ProtonMail', () => {
  assert.equal(outlookBackoffMs({ code: null, text: 'Request is throttled. Suggested Backoff Time: 2500 milliseconds' }), 2500);
  assert.equal(outlookBackoffMs({ code: null, text: 'no' }), null);
  assert.equal(outlookNotConnected({ code: null, text: 'User is authenticated but not connected.' }), true);
  assert.equal(tooManyConnections('Too many simultaneous connections. (Failure)'), true);
  assert.equal(tooManyConnections('Maximum number of connections from user+IP exceeded'), true);
  assert.equal(tooManyConnections('Invalid credentials'), false);
  assert.deepEqual(capabilitiesDuringLogin({ type: 'capability', capabilities: ['IMAP4rev1'] }), ['IMAP4rev1']);
  assert.equal(capabilitiesDuringLogin({ type: 'exists', count: 1 }), null);
  assert.deepEqual(enabledWithoutReport(['QRESYNC'], null), ['QRESYNC']);
  assert.deepEqual(enabledWithoutReport(['QRESYNC'], []), []);
  assert.equal(listReturnRefused('BAD'), true);
  assert.equal(listReturnRefused('NO'), false);
});
