/**
 * Push for one folder of one account: a dedicated connection that EXAMINEs the folder and sits in
 * IDLE, restarting it every `idleRefreshMs` (before the 29-minute limit of RFC 2177), and calls
 * `onChange` when the server reports new mail, expunges or flag changes. A connection that is
 * cut, says BYE, times out or goes silent past `livenessMs` (probed with NOOP, as after a sleep)
 * is replaced after a jittered exponential backoff; rejected credentials wait the long AUTH
 * backoff. After every reconnect `onConnected(true)` asks for a catch-up sync, since changes made
 * while disconnected were never pushed.
 */
import type { ImapClient } from '../../imap/session/client.js';
import { TimeoutError, type PrxError } from '../../errors.js';
import { errorCode, retryDelaySeconds, type BackoffPolicy } from './backoff.js';

export type WatcherState = 'connecting' | 'idling' | 'backoff' | 'stopped';

export interface IdleWatcherOptions {
  folder: string;
  open(signal: AbortSignal): Promise<ImapClient>;
  onChange(): void;
  onConnected(reconnected: boolean): void;
  onState(state: WatcherState, detail?: { code: string; message: string; retryInMs: number }): void;
  policy: BackoffPolicy;
  idleRefreshMs: number;
  livenessMs: number;
  /** NOOP answer deadline when a probe is asked for (default 10 s). */
  probeTimeoutMs?: number;
  random?: () => number;
}

export interface IdleWatcher {
  /** Ends IDLE and checks the connection with NOOP (after a suspected sleep/wake). */
  probe(): void;
  /** Ends the loop and logs out. */
  stop(): Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function noopWithin(client: ImapClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.close();
      reject(new TimeoutError(`no answer to NOOP within ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([client.noop(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function startIdleWatcher(options: IdleWatcherOptions): IdleWatcher {
  const controller = new AbortController();
  let current: ImapClient | null = null;
  let probeRequested = false;

  const loop = async (): Promise<void> => {
    let failures = 0;
    let connectedBefore = false;
    while (!controller.signal.aborted) {
      let client: ImapClient | null = null;
      try {
        options.onState('connecting');
        client = await options.open(controller.signal);
        current = client;
        let closedWith: PrxError | null = null;
        client.onClose((error) => {
          closedWith = error;
        });
        await client.select(options.folder, { readOnly: true }, controller.signal);
        failures = 0;
        options.onConnected(connectedBefore);
        connectedBefore = true;
        let changed = false;
        const open = client;
        const off = client.onUnsolicited((data) => {
          if (data.type === 'exists' || data.type === 'expunge' || data.type === 'vanished' || data.type === 'fetch') {
            changed = true;
            open.stopIdle?.();
          }
        });
        try {
          while (!controller.signal.aborted && !client.closed) {
            if (changed) {
              changed = false;
              options.onChange();
            }
            if (probeRequested) {
              probeRequested = false;
              await noopWithin(client, options.probeTimeoutMs ?? 10_000);
              continue;
            }
            options.onState('idling');
            await client.idle({ maxIdleMs: options.idleRefreshMs, livenessMs: options.livenessMs, signal: controller.signal });
          }
        } finally {
          off();
        }
        if (!controller.signal.aborted) throw closedWith ?? new Error('connection closed');
      } catch (error) {
        if (controller.signal.aborted) break;
        client?.close();
        current = null;
        failures++;
        const delayMs = Math.round(retryDelaySeconds(failures, error, options.policy, options.random) * 1000);
        options.onState('backoff', { code: errorCode(error), message: (error as Error)?.message ?? String(error), retryInMs: delayMs });
        await sleep(delayMs, controller.signal);
      }
    }
  };

  const finished = loop().catch(() => undefined);
  return {
    probe() {
      probeRequested = true;
      current?.stopIdle?.();
    },
    async stop() {
      controller.abort();
      const client = current;
      current = null;
      // DONE, then LOGOUT: polite, but a server that does not answer within half a second is not
      // waited for (the connection is closed instead).
      const within = (promise: Promise<unknown>, ms: number): Promise<unknown> => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
      await within(finished, 500);
      if (client && !client.closed) {
        await within(client.logout(), 500);
        client.close();
      }
      options.onState('stopped');
    },
  };
}
