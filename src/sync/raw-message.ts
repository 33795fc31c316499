/**
 * Fetches one stored message's original bytes back from the server (the store keeps the parsed
 * record, not the bytes): EXAMINE its folder, check that the UIDVALIDITY is still the one the
 * location was stored under, UID FETCH BODY.PEEK[] (never sets \Seen).
 */
import { concatBytes } from '../bytes.js';
import { ConfigError, ProtocolError } from '../errors.js';
import type { ImapClient } from '../imap/session/client.js';

export async function fetchRawMessage(client: ImapClient, location: { folder: string; uidValidity: number; uid: number }, signal?: AbortSignal): Promise<Uint8Array> {
  const selected = await client.select(location.folder, { readOnly: true }, signal);
  if (selected.uidValidity !== location.uidValidity) {
    throw new ConfigError(`${location.folder} has a new UIDVALIDITY on the server (${selected.uidValidity}, stored ${location.uidValidity}): sync first`);
  }
  // The bytes streamed since the last answer: a body belongs to the FETCH answer that follows it.
  let chunks: Uint8Array[] = [];
  let found: Uint8Array | null = null;
  await client.uidFetch(
    String(location.uid),
    { items: ['UID'], body: { part: 'full' } },
    {
      body: (event) => {
        if (event.type === 'body-start') chunks = [];
        else if (event.type === 'body-chunk') chunks.push(event.data);
      },
      message: ({ attributes }) => {
        const own = chunks;
        chunks = [];
        if (attributes.uid !== location.uid) return;
        const inline = attributes.bodySections?.find((section) => !section.streamed);
        found = own.length > 0 ? concatBytes(own) : inline && !inline.streamed ? inline.value : new Uint8Array(0);
      },
    },
    signal,
  );
  if (found === null) throw new ProtocolError(`the server has no message with UID ${location.uid} in ${location.folder} (expunged?)`);
  return found;
}
