/**
 * Back-pressure between the IMAP connection and the MIME parser: while the messages handed to
 * the parser and not yet parsed hold more than `maxQueuedBytes`, the connection stops reading
 * (the socket is paused, so the server's bytes wait in the kernel instead of in our memory); it
 * reads again once the queue is down to half of that.
 */
import type { ParseMessage } from './folder-sync.js';

export interface ReadingControl {
  pauseReading(): void;
  resumeReading(): void;
}

export const DEFAULT_MAX_QUEUED_PARSE_BYTES = 64 * 1024 * 1024;

export function withParseBackPressure(parse: ParseMessage, reading: ReadingControl, maxQueuedBytes = DEFAULT_MAX_QUEUED_PARSE_BYTES): ParseMessage {
  let queued = 0;
  let paused = false;
  return (raw, options) => {
    const size = raw.byteLength;
    queued += size;
    if (!paused && queued > maxQueuedBytes) {
      paused = true;
      reading.pauseReading();
    }
    const done = (): void => {
      queued -= size;
      if (paused && queued <= maxQueuedBytes / 2) {
        paused = false;
        reading.resumeReading();
      }
    };
    const parsed = parse(raw, options);
    parsed.then(done, done);
    return parsed;
  };
}
