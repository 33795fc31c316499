/**
 * A scripted-bytes harness for the session's command modules: an `ImapClient` over an in-memory
 * transport where the test is the server. `server(text)` delivers bytes at once (synchronously);
 * `written()` returns what the client wrote since the last call, as text. The client starts
 * greeted, with the given capabilities and enabled extensions. Test-only.
 */

import type { TransportHandlers, Transport } from '../../src/imap/transport/types.js';
import { ImapClient } from '../../src/imap/session/client.js';
import type { ImapSessionOptions } from '../../src/imap/session/client.js';

export interface BytesHarness {
  client: ImapClient;
  /** Server bytes for the client (CRLFs included). */
  server(text: string): void;
  /** Client bytes written since the last call (latin1). */
  written(): string;
  /** Transport calls other than writes: 'startCompression', 'upgradeToTls', 'close'. */
  calls: string[];
}

export function bytesHarness(capabilities: string[] = [], enabled: string[] = [], options: Partial<ImapSessionOptions> = {}): BytesHarness {
  let handlers: TransportHandlers | null = null;
  let out = '';
  const calls: string[] = [];
  const transport: Transport = {
    setHandlers: (h) => void (handlers = h),
    write: (bytes) => void (out += Buffer.from(bytes).toString('latin1')),
    pause: () => void calls.push('pause'),
    resume: () => void calls.push('resume'),
    upgradeToTls: async () => void calls.push('upgradeToTls'),
    startCompression: () => void calls.push('startCompression'),
    close: () => {
      calls.push('close');
      handlers?.close(null);
    },
    secure: true,
    compressed: false,
  };
  const client = new ImapClient(transport, { host: 'imap.test', port: 993, user: 'u', auth: { password: 'p' }, ...options });
  const server = (text: string): void => handlers?.data(new Uint8Array(Buffer.from(text, 'latin1')));
  server('* OK ready\r\n');
  client.capabilities = new Set(capabilities);
  client.enabled = new Set(enabled);
  return {
    client,
    server,
    written: () => {
      const text = out;
      out = '';
      return text;
    },
    calls,
  };
}
