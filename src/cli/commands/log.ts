/**
 * The daemon's log: one line per event on stderr, JSON objects (for supervisors and log
 * shippers) or plain text with an ISO time. A pino-compatible `Logger`. Only fields the service
 * chose to log reach it; text is stripped of control characters.
 */
import type { Logger } from '../../sync/email-plugin.js';
import type { LogFormat } from '../args.js';
import { safeText } from './common.js';

export function createLineLogger(format: LogFormat, out: { write(text: string): unknown }, now: () => Date = () => new Date()): Logger {
  const line = (level: string) => (obj: object, msg?: string): void => {
    if (format === 'json') out.write(`${JSON.stringify({ time: now().toISOString(), level, msg: msg ?? '', ...obj })}\n`);
    else out.write(`${now().toISOString()} ${level.padEnd(5)} ${safeText(msg ?? JSON.stringify(obj))}\n`);
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}
