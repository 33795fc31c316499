/**
 * IDLE (RFC 2177): waits for the server's `+`, then until `stop`, the signal, `maxIdleMs`
 * (default 5 min) or a liveness timeout — whichever is first — and ends with DONE, written
 * through the connection like every other byte. Unsolicited data keeps flowing to the listeners
 * meanwhile. Without IDLE a NOOP stands in.
 */

import { execute, type SessionContext } from './command.js';
import { noop } from './noop.js';

export interface IdleOptions {
  maxIdleMs?: number;
  /** Silence longer than this ends IDLE and sends a NOOP probe (default 4 min). */
  livenessMs?: number;
  signal?: AbortSignal;
}

/** What IDLE needs from the client beyond running commands. */
export interface IdleHost extends SessionContext {
  /** Date.now() of the last byte from the server. */
  readonly lastActivity: number;
  /** Sends DONE if an IDLE is under way (the connection knows). */
  idleDone(): void;
  /** Installs (or clears) the function that ends the running IDLE early. */
  setStopIdle(stop: (() => void) | null): void;
}

export async function idle(host: IdleHost, options: IdleOptions = {}): Promise<void> {
  if (!host.capabilities.has('IDLE')) {
    await noop(host, options.signal);
    return;
  }
  let resolveStarted!: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));
  // A stop asked for before IDLE is under way (new mail that came with "+ idling", say) is kept
  // and honoured as soon as it is.
  let stopRequested = false;
  host.setStopIdle(() => {
    stopRequested = true;
  });
  const done = execute(host, {
    name: 'IDLE',
    args: [],
    exclusive: true,
    idle: true,
    onContinuation: () => {
      resolveStarted();
      return null;
    },
    done: () => undefined,
  });
  // A server that ends IDLE without ever sending "+" (OK, NO or BAD straight away) must not
  // leave us waiting for a continuation that never comes.
  done.then(resolveStarted, resolveStarted);
  await started;
  const probe = await waitForEnd(host, options, () => stopRequested, done);
  host.setStopIdle(null);
  host.idleDone();
  await done;
  // No data for too long: a NOOP that does not come back closes the connection (TIMEOUT), which
  // reaches onClose listeners as the signal to reconnect.
  if (probe) await noop(host);
}

/** Resolves when IDLE should end; true when it ended for lack of server data. */
function waitForEnd(host: IdleHost, options: IdleOptions, stopRequested: () => boolean, done: Promise<void>): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let probe = false;
    const timer = setTimeout(finish, options.maxIdleMs ?? 5 * 60_000);
    // Liveness: servers send "* OK Still here" every few minutes; silence longer than livenessMs
    // ends IDLE so the NOOP probe can tell a dead connection.
    const livenessMs = options.livenessMs ?? 4 * 60_000;
    const liveness = setInterval(() => {
      if (Date.now() - host.lastActivity > livenessMs) {
        probe = true;
        finish();
      }
    }, Math.min(livenessMs, 10_000));
    liveness.unref?.();
    const onAbort = (): void => finish();
    function finish(): void {
      clearTimeout(timer);
      clearInterval(liveness);
      host.setStopIdle(null);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(probe);
    }
    host.setStopIdle(finish);
    if (options.signal?.aborted || stopRequested()) finish();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    done.then(finish, finish);
  });
}
