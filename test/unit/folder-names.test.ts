/**
 * Which folder a request means: special-use selectors through SPECIAL-USE attributes, XLIST-era
 * attributes and the documented well-known names; display names and wire names to the row the
 * store keys; and, over a UTF8=ACCEPT session (hand-written from RFC 6855 and Gmail's documented
 * UTF8=ACCEPT support, since the project's Dovecot 2.3 has none), UTF-8 names sent back untouched.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MailboxInfo } from '../../src/imap/session/client.js';
import { parseTranscript } from '../../src/imap/transcript/index.js';
import { openStore } from '../../src/store/index.js';
import { EmailPlugin } from '../../src/sync/email-plugin.js';
import { canonicalFolder, resolveSpecialUse, specialUseSelector, WELL_KNOWN_NAMES, type SpecialUseSelector } from '../../src/sync/folder-names.js';
import { toWireMailboxName } from '../../src/imap/wire/mailbox-name.js';
import { createReplayHarness } from '../support/replay/replay-transport.js';

function folder(name: string, attributes: string[] = [], delimiter: string | null = '/', displayName = name): MailboxInfo {
  const special = attributes.find((a) => /^\\(all|archive|drafts|flagged|junk|sent|trash|important)$/i.test(a)) ?? null;
  return { name, displayName, delimiter, attributes, specialUse: special, selectable: !attributes.includes('\\Noselect') };
}

describe('special-use selectors', () => {
  test('recognised case-insensitively; anything else is a folder name', () => {
    assert.equal(specialUseSelector('\\sent'), '\\Sent');
    assert.equal(specialUseSelector('\\ALL'), '\\All');
    assert.equal(specialUseSelector('Sent'), null);
    assert.equal(specialUseSelector('\\Inbox'), null);
  });

  test('SPECIAL-USE attribute first (Gmail names), even when another folder has the well-known name', () => {
    const gmail = [
      folder('INBOX'),
      folder('Sent'),
      folder('[Gmail]', ['\\Noselect', '\\HasChildren']),
      folder('[Gmail]/All Mail', ['\\All']),
      folder('[Gmail]/Sent Mail', ['\\Sent']),
      folder('[Gmail]/Spam', ['\\Junk']),
      folder('[Gmail]/Starred', ['\\Flagged']),
    ];
    assert.equal(resolveSpecialUse(gmail, '\\Sent')?.name, '[Gmail]/Sent Mail');
    assert.equal(resolveSpecialUse(gmail, '\\All')?.name, '[Gmail]/All Mail');
    assert.equal(resolveSpecialUse(gmail, '\\Junk')?.name, '[Gmail]/Spam');
    assert.equal(resolveSpecialUse(gmail, '\\Flagged')?.name, '[Gmail]/Starred');
  });

  test('XLIST-era attributes (\\AllMail, \\Spam, \\Starred) when there is no SPECIAL-USE', () => {
    const xlist = [folder('INBOX', ['\\Inbox']), folder('[Google Mail]/Alle Nachrichten', ['\\AllMail']), folder('[Google Mail]/Spam', ['\\Spam']), folder('[Google Mail]/Markiert', ['\\Starred'])];
    assert.equal(resolveSpecialUse(xlist, '\\All')?.name, '[Google Mail]/Alle Nachrichten');
    assert.equal(resolveSpecialUse(xlist, '\\Junk')?.name, '[Google Mail]/Spam');
    assert.equal(resolveSpecialUse(xlist, '\\Flagged')?.name, '[Google Mail]/Markiert');
  });

  test('documented well-known names as the last resort: leaf of the decoded name, top level first, never a \\Noselect folder', () => {
    const courier = [
      folder('INBOX', [], '.'),
      folder('INBOX.Gesendete Objekte', [], '.'),
      folder('INBOX.Entw&APw-rfe', [], '.', 'INBOX.Entwürfe'),
      folder('INBOX.Projekte.Trash', [], '.'),
      folder('INBOX.Papierkorb', [], '.'),
      folder('INBOX.Archive', ['\\Noselect'], '.'),
    ];
    assert.equal(resolveSpecialUse(courier, '\\Sent')?.name, 'INBOX.Gesendete Objekte');
    assert.equal(resolveSpecialUse(courier, '\\Drafts')?.name, 'INBOX.Entw&APw-rfe');
    // A nested "Projekte.Trash" is someone's folder: the shallower "Papierkorb" wins.
    assert.equal(resolveSpecialUse(courier, '\\Trash')?.name, 'INBOX.Papierkorb');
    assert.equal(resolveSpecialUse(courier.filter((f) => f.name !== 'INBOX.Papierkorb'), '\\Trash')?.name, 'INBOX.Projekte.Trash');
    assert.equal(resolveSpecialUse(courier, '\\Archive'), null);
    assert.equal(resolveSpecialUse([folder('INBOX'), folder('&XfJT0ZAB-', [], '/', '已发送')], '\\Sent')?.name, '&XfJT0ZAB-');
    assert.equal(resolveSpecialUse([folder('INBOX')], '\\Junk'), null);
  });
});

/**
 * Localised names as servers and clients create them (Exchange/Outlook, Gmail, Apple, Dovecot and
 * Courier defaults, GMX/web.de, Yandex, QQ/163...), listed without any special-use attribute.
 * Each is listed the way a server would send it: top level with "/" or under "INBOX." with "."
 * (Courier, Dovecot maildir++), as its modified UTF-7 wire name.
 */
const LOCALISED: Array<[SpecialUseSelector, string[]]> = [
  [
    '\\Sent',
    ['Sent', 'Sent Items', 'Sent Mail', 'Sent Messages', 'Gesendet', 'Gesendete Objekte', 'Gesendete Elemente', 'Envoyés', 'Éléments envoyés', 'Messages envoyés', 'Enviados',
      'Elementos enviados', 'Posta inviata', 'Inviati', 'Verzonden', 'Verzonden items', 'Itens Enviados', 'Отправленные', '已发送', '已发送邮件', '寄件備份', '送信済み', '送信済みアイテム'],
  ],
  ['\\Drafts', ['Drafts', 'Draft', 'Entwürfe', 'Brouillons', 'Borradores', 'Bozze', 'Concepten', 'Rascunhos', 'Черновики', '草稿', '草稿箱', '下書き']],
  [
    '\\Trash',
    ['Trash', 'Deleted Items', 'Deleted Messages', 'Bin', 'Papierkorb', 'Gelöschte Objekte', 'Gelöschte Elemente', 'Corbeille', 'Éléments supprimés', 'Papelera', 'Elementos eliminados',
      'Cestino', 'Prullenbak', 'Verwijderde items', 'Lixeira', 'Itens Excluídos', 'Корзина', '已删除', '已删除邮件', '垃圾桶', 'ゴミ箱'],
  ],
  [
    '\\Junk',
    ['Junk', 'Junk E-mail', 'Junk Email', 'Spam', 'Bulk Mail', 'Spamverdacht', 'Junk-E-Mail', 'Courrier indésirable', 'Indésirables', 'Correo no deseado', 'Posta indesiderata',
      'Ongewenste e-mail', 'Lixo Eletrônico', 'Спам', '垃圾邮件', '迷惑メール'],
  ],
  ['\\Archive', ['Archive', 'Archives', 'Archiv', 'Archivo', 'Archivio', 'Archief', 'Arquivo', 'Архив', '归档', '存档', 'アーカイブ']],
  ['\\All', ['All Mail', 'Alle Nachrichten', 'Tous les messages', 'Todos', 'Tutti i messaggi']],
  ['\\Flagged', ['Starred', 'Flagged', 'Markiert', 'Suivis', 'Destacados']],
  ['\\Important', ['Important', 'Wichtig']],
];

describe('localised well-known names (no SPECIAL-USE, no XLIST)', () => {
  for (const [selector, names] of LOCALISED) {
    test(`${selector}: ${names.length} names`, () => {
      names.forEach((name, index) => {
        const courier = index % 2 === 1;
        const display = courier ? `INBOX.${name}` : name;
        const wire = toWireMailboxName(display, false);
        const list = [folder('INBOX', [], courier ? '.' : '/'), folder('Projects', [], '/'), folder(wire, ['\\HasNoChildren'], courier ? '.' : '/', display)];
        assert.equal(resolveSpecialUse(list, selector)?.name, wire, `${selector} ${display}`);
        // Case does not matter; a name of another selector is not this one.
        assert.equal(resolveSpecialUse([folder(name.toUpperCase())], selector)?.name, name.toUpperCase(), `${selector} ${name.toUpperCase()}`);
      });
      assert.equal(resolveSpecialUse([folder('INBOX'), folder('Projects'), folder('Notes')], selector), null);
    });
  }

  test('the table above is the documented list, in its order of preference', () => {
    assert.deepEqual(Object.fromEntries(LOCALISED), WELL_KNOWN_NAMES);
  });

  test('names compare lower-cased: a name that only upper-cases to a well-known one (Turkish dotless ı) is not it', () => {
    assert.equal(resolveSpecialUse([folder('Archıve')], '\\Archive'), null);
    assert.equal(resolveSpecialUse([folder('ARCHIVE')], '\\Archive')?.name, 'ARCHIVE');
  });

  test('the best candidate: the shallowest, then the name listed first, then the folder LIST showed first', () => {
    const names = (list: MailboxInfo[], selector: SpecialUseSelector = '\\Sent') => resolveSpecialUse(list, selector)?.name;
    // Same depth: rank decides, whichever comes first in the LIST.
    assert.equal(names([folder('Sent Items'), folder('Sent')]), 'Sent');
    assert.equal(names([folder('Sent'), folder('Sent Items')]), 'Sent');
    assert.equal(names([folder('Gesendete Objekte'), folder('Sent Messages'), folder('Sent Mail')]), 'Sent Mail');
    // Same depth and rank: the first listed.
    assert.equal(names([folder('Home/Sent'), folder('Work/Sent')]), 'Home/Sent');
    assert.equal(names([folder('Home/Trash'), folder('Work/Trash')], '\\Trash'), 'Home/Trash');
    // A better-ranked name deeper down does not beat a shallower one, listed before or after it.
    assert.equal(names([folder('Sent Items'), folder('Archive/Sent')]), 'Sent Items');
    assert.equal(names([folder('Archive/Sent'), folder('Sent Items')]), 'Sent Items');
    assert.equal(names([folder('INBOX.Old.Sent', [], '.'), folder('INBOX.Verzonden', [], '.'), folder('INBOX.Sent', [], '.')]), 'INBOX.Sent');
  });

  test('leaf of a name that starts with the delimiter; a server without hierarchy (NIL delimiter) compares whole names', () => {
    assert.equal(resolveSpecialUse([folder('INBOX'), folder('/Sent')], '\\Sent')?.name, '/Sent');
    const flat = [folder('INBOX', [], null), folder('Annullierte Entwürfe', [], null), folder('Archive/Drafts', [], null)];
    assert.equal(resolveSpecialUse(flat, '\\Drafts'), null);
    assert.equal(resolveSpecialUse([...flat, folder('Entwürfe', [], null)], '\\Drafts')?.name, 'Entwürfe');
  });

  test('XLIST (Gmail in Turkish): the attributes alone name the folders; SPECIAL-USE wins over XLIST', () => {
    const tr = (display: string, attributes: string[]) => folder(toWireMailboxName(display, false), ['\\HasNoChildren', ...attributes], '/', display);
    const list = [
      folder('INBOX', ['\\Inbox']),
      tr('[Gmail]/Tüm Postalar', ['\\AllMail']),
      tr('[Gmail]/İstenmeyen', ['\\Spam']),
      tr('[Gmail]/Yıldızlı', ['\\Starred']),
      tr('[Gmail]/Gönderilmiş Postalar', ['\\Sent']),
    ];
    assert.equal(resolveSpecialUse(list, '\\All')?.displayName, '[Gmail]/Tüm Postalar');
    assert.equal(resolveSpecialUse(list, '\\Junk')?.displayName, '[Gmail]/İstenmeyen');
    assert.equal(resolveSpecialUse(list, '\\Flagged')?.displayName, '[Gmail]/Yıldızlı');
    assert.equal(resolveSpecialUse(list, '\\Sent')?.displayName, '[Gmail]/Gönderilmiş Postalar');
    for (const selector of ['\\Trash', '\\Drafts', '\\Archive', '\\Important'] as const) assert.equal(resolveSpecialUse(list, selector), null, selector);
    // An RFC 6154 \Junk later in the LIST beats an XLIST \Spam before it.
    assert.equal(resolveSpecialUse([...list, tr('Spamfilter', ['\\Junk'])], '\\Junk')?.displayName, 'Spamfilter');
  });
});

describe('requested folder names', () => {
  const known = [
    { name: 'Entw&APw-rfe', displayName: 'Entwürfe' },
    { name: 'A&-B', displayName: 'A&B' },
  ];
  test('the wire name or the display name (any normalisation) of a known folder is that folder', () => {
    assert.deepEqual(canonicalFolder('Entw&APw-rfe', known, false), known[0]);
    assert.deepEqual(canonicalFolder('Entwürfe', known, false), known[0]);
    assert.deepEqual(canonicalFolder('Entwu\u0308rfe', known, false), known[0]);
    assert.deepEqual(canonicalFolder('A&B', known, false), known[1]);
    assert.deepEqual(canonicalFolder('inbox', known, false), { name: 'INBOX', displayName: 'INBOX' });
  });
  test('INBOX is only the whole name INBOX, in any case and on a UTF8=ACCEPT session too', () => {
    assert.deepEqual(canonicalFolder('inbox', [], true), { name: 'INBOX', displayName: 'INBOX' });
    assert.deepEqual(canonicalFolder('Inbox', [], false), { name: 'INBOX', displayName: 'INBOX' });
    assert.deepEqual(canonicalFolder('INBOX.Sent', [], false), { name: 'INBOX.Sent', displayName: 'INBOX.Sent' });
    assert.deepEqual(canonicalFolder('Old INBOX', [], false), { name: 'Old INBOX', displayName: 'Old INBOX' });
  });
  test('on a UTF8=ACCEPT session a folder stored under its modified UTF-7 name is still found by either name', () => {
    assert.deepEqual(canonicalFolder('Entw&APw-rfe', known, true), known[0]);
    assert.deepEqual(canonicalFolder('Entwürfe', known, true), known[0]);
    assert.deepEqual(canonicalFolder('A&B', known, true), known[1]);
    assert.deepEqual(canonicalFolder('Brouillons', known, true), { name: 'Brouillons', displayName: 'Brouillons' });
  });
  test('an unknown name becomes the wire name a command sends, with its decoded display name', () => {
    assert.deepEqual(canonicalFolder('Éléments envoyés', [], false), { name: '&AMk-l&AOk-ments envoy&AOk-s', displayName: 'Éléments envoyés' });
    assert.deepEqual(canonicalFolder('&XfJT0ZAB-', [], false), { name: '&XfJT0ZAB-', displayName: '已发送' });
    assert.deepEqual(canonicalFolder('R&D', [], false), { name: 'R&-D', displayName: 'R&D' });
    assert.deepEqual(canonicalFolder('Entwürfe', [], true), { name: 'Entwürfe', displayName: 'Entwürfe' });
  });
});

/** A FETCH response with one message literal, as transcript records. */
function fetchRecords(seq: number, uid: number, body: string): string[] {
  const lines = body.split('\r\n');
  return [`S: * ${seq} FETCH (UID ${uid} MODSEQ (5) RFC822.SIZE ${body.length} INTERNALDATE "05-Jan-2026 10:41:00 +0000" FLAGS () BODY[] {${body.length}}`, ...lines.slice(0, -1).map((line) => `S: ${line}`), `S: ${lines.at(-1)})`];
}

const examine = (tag: string, wire: string, exists: number) => [
  `C: ${tag} EXAMINE ${wire} (CONDSTORE)`,
  `S: * ${exists} EXISTS`,
  'S: * OK [UIDVALIDITY 3] UIDs valid.',
  'S: * OK [UIDNEXT 8] Predicted next UID.',
  'S: * OK [HIGHESTMODSEQ 9]',
  `S: ${tag} OK [READ-ONLY] selected. (Success)`,
];

const LIST = [
  'S: * LIST (\\\\HasNoChildren) "/" "INBOX"',
  'S: * LIST (\\\\HasNoChildren) "/" "Entw\\xC3\\xBCrfe"',
  'S: * LIST (\\\\HasNoChildren) "/" "R&D-Team"',
  'S: * LIST (\\\\HasChildren \\\\Noselect) "/" "[Gmail]"',
  'S: * LIST (\\\\HasNoChildren \\\\Sent) "/" "[Gmail]/Gesendet"',
];

describe('UTF8=ACCEPT session', () => {
  test('names arrive and go back as UTF-8, untouched; display names are the names; selectors resolve', async () => {
    const body = 'From: a@example.test\r\nSubject: Entwurf\r\nMessage-ID: <draft-7@example.test>\r\n\r\nHallo.\r\n';
    const text = [
      '# prx-email transcript v1',
      '# title: UTF8=ACCEPT folder names (hand-written, RFC 6855 §3: after ENABLE UTF8=ACCEPT mailbox names are UTF-8 both ways)',
      'S: * OK Gimap ready for requests',
      'C: A1 CAPABILITY',
      'S: * CAPABILITY IMAP4rev1 ID SASL-IR AUTH=OAUTHBEARER',
      'S: A1 OK Thats all she wrote!',
      'C: A2 AUTHENTICATE OAUTHBEARER ***',
      'S: * CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN UIDPLUS ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED SPECIAL-USE',
      'S: A2 OK ann@gmail.com authenticated (Success)',
      'C: A3 ENABLE CONDSTORE UTF8=ACCEPT',
      'S: * ENABLED CONDSTORE UTF8=ACCEPT',
      'S: A3 OK Success',
      'C: A4 LIST "" "*" RETURN (SPECIAL-USE)',
      ...LIST,
      'S: A4 OK Success',
      ...examine('A5', '"Entw\\xC3\\xBCrfe"', 1),
      'C: A6 UID FETCH 1:* (UID RFC822.SIZE)',
      `S: * 1 FETCH (UID 7 RFC822.SIZE ${body.length})`,
      'S: A6 OK Success',
      'C: A7 UID FETCH 7 (UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ BODY.PEEK[])',
      ...fetchRecords(1, 7, body),
      'S: A7 OK Success',
      ...examine('A8', 'R&D-Team', 0),
      'C: A9 LIST "" "*" RETURN (SPECIAL-USE)',
      ...LIST,
      'S: A9 OK Success',
      ...examine('A10', '[Gmail]/Gesendet', 0),
      'C: A11 LOGOUT',
      'S: * BYE LOGOUT Requested',
      'S: A11 OK 73 good day (Success)',
      '',
    ].join('\n');
    const harness = createReplayHarness([parseTranscript(text)]);
    const store = await openStore(':memory:');
    const plugin = new EmailPlugin({ store, session: { connectTransport: harness.connect, compress: false } });
    const accountId = await plugin.addAccount({ email: 'ann@gmail.com', imap: { host: '127.0.0.1', port: 993, user: 'ann', auth: { oauthToken: 'token' } } });
    const folders = await plugin.listFolders(accountId);
    assert.deepEqual(
      folders.map((f) => [f.name, f.displayName]),
      [
        ['INBOX', 'INBOX'],
        ['Entwürfe', 'Entwürfe'],
        ['R&D-Team', 'R&D-Team'], // not "decoded" into garbage: under UTF8=ACCEPT there is no mUTF-7
        ['[Gmail]', '[Gmail]'],
        ['[Gmail]/Gesendet', '[Gmail]/Gesendet'],
      ],
    );
    assert.equal((await plugin.sync({ accountId, folder: 'Entwürfe', nowTs: 1, maxMessages: 10 })).new, 1);
    assert.equal((await plugin.sync({ accountId, folder: 'R&D-Team', nowTs: 1, maxMessages: 10 })).folder, 'R&D-Team');
    assert.equal((await plugin.sync({ accountId, folder: '\\Sent', nowTs: 1, maxMessages: 10 })).folder, '[Gmail]/Gesendet');
    await plugin.close();
    const peer = harness.connections[0]?.peer;
    assert.equal(peer?.mismatch, null);
    assert.ok(peer?.finished, peer?.expecting());
    assert.equal((await store.getFolder(accountId, 'Entwürfe'))?.displayName, 'Entwürfe');
    assert.equal((await store.listMessages({ accountId, folder: 'Entwürfe', limit: 10 }))[0]?.subject, 'Entwurf');
    await store.close();
  });
});
