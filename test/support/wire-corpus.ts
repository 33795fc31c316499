/**
 * A corpus of server byte streams used by the wire tests and the fuzzer: RFC examples, Dovecot
 * output, and the syntax quirks of real servers (trailing spaces, bare LF, NIL in flag lists,
 * `9.3736e+06`, unquoted `[`, leading NULs, `* 0 FETCH`, `+` without text). Test-only.
 */
const enc = new TextEncoder();

export const CORPUS: string[] = [
  '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN] Dovecot ready.\r\n',
  '* PREAUTH IMAP4rev1 server logged in as Smith\r\n',
  '* BYE Autologout; idle for too long\r\n',
  'a1 OK [CAPABILITY IMAP4rev1 CONDSTORE QRESYNC UIDPLUS MOVE ESEARCH] Logged in\r\n',
  '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n* 172 EXISTS\r\n* 1 RECENT\r\n* OK [UNSEEN 12] Message 12 is first unseen\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4392] Predicted next UID\r\n* OK [HIGHESTMODSEQ 715194045007] Highest\r\na2 OK [READ-WRITE] SELECT completed\r\n',
  '* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\na3 OK [CLOSED] done\r\n',
  '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"\r\n* LIST (\\Noselect) "/" [Gmail]\r\n* LIST (\\All \\HasNoChildren) "/" "[Gmail]/All Mail"\r\n* LIST () "." INBOX.[Airmail].Snooze\r\n* LIST () "/" {11}\r\nMobilit&AOQ-t\r\na4 OK LIST done\r\n',
  '* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n',
  '* SEARCH 2 84 882 \r\n* SEARCH\r\n* SEARCH 2 5 (MODSEQ 917162500)\r\n* ESEARCH (TAG "A282") UID MIN 2 COUNT 3 ALL 2,10:11\r\n',
  '* 12 FETCH (FLAGS (\\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))\r\n',
  '* 1 FETCH (UID 1 BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 120 4 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "base64" 400 6 NIL NIL NIL NIL) "alternative" ("boundary" "b2") NIL NIL NIL)("application" "pdf" ("name" "r.pdf") NIL NIL "base64" 5000 NIL ("attachment" ("filename" "r.pdf")) NIL NIL) "mixed" ("boundary" "b1") NIL NIL NIL))\r\n',
  '* 2 FETCH (UID 2 BODYSTRUCTURE ("message" "rfc822" NIL NIL NIL "7bit" 300 ("date" "subj" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" NIL NIL NIL "7bit" 20 1 NIL NIL NIL) 10 NIL NIL NIL NIL))\r\n',
  '* 3 FETCH (UID 3 RFC822.SIZE 44 FLAGS () BODY[] {44}\r\nSubject: hi\r\nMessage-ID: <a@b>\r\n\r\nhello\r\n\r\n)\r\n',
  '* 4 FETCH (UID 4 BODY[HEADER.FIELDS (MESSAGE-ID)] {21}\r\nMessage-ID: <x@y>\r\n\r\n)\r\n',
  '* 5 FETCH (BODY[1.2]<0> {3}\r\nabc UID 5)\r\n',
  '* 6 FETCH (UID 6 BINARY[1] ~{4}\r\n\u0000\u0001\u0002\u0003 BINARY.SIZE[1] 4)\r\n',
  '* 7 FETCH (X-GM-MSGID 1278455344230334865 X-GM-THRID 1278455344230334865 X-GM-LABELS (\\Inbox "Work" NIL) UID 7)\r\n',
  '+ \r\n+\r\n+ dGVzdA==\r\n',
  '* 0 FETCH (UID 9)\r\n',
  '* 8 FETCH (UID 19436 )\r\n',
  '* 9 FETCH (UID 10 FLAGS (\\Seen NIL \\Flagged) MODSEQ (-1))\r\n',
  '* STATUS INBOX (MESSAGES 9.3736e+06)\r\n',
  '\u0000\u0000* OK leading NULs\r\n',
  '* OK bare LF\n* 3 EXISTS\n',
  '* NAMESPACE (("" "/")) NIL (("#shared/" "/"))\r\n',
  '* ID ("name" "Dovecot" "version" NIL)\r\n* ENABLED CONDSTORE QRESYNC\r\n* CAPABILITY IMAP4rev1 IDLE \r\n',
  'a5 NO [AUTHENTICATIONFAILED] Authentication failed.\r\na6 BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds\r\na7 OK\r\n',
  '* 3 EXPUNGE\r\n* 44 EXISTS\r\n* OK Still here\r\n* OK [ALERT] System shutdown in 10 minutes\r\n',
  'a8 OK [APPENDUID 38505 3955] APPEND completed\r\na9 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n',
  '* LIST (\\HasNoChildren) "/" "quote\\"d \\\\ name"\r\n',
  '* 10 FETCH (ENVELOPE ("d" "s" ((NIL NIL "a" "b"))NIL NIL NIL NIL NIL NIL NIL) UID 11)\r\n',
];

export const CORPUS_BYTES: Uint8Array[] = CORPUS.map((text) => enc.encode(text));
