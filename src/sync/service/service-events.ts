/**
 * The sync service's event hub: listeners of `synced`, `error` and `state` (a throwing listener
 * is logged, never propagated), state changes and folder syncs logged and emitted (with the totals a
 * `synced` event adds up), and the `changes()` iterators over syncs that changed something,
 * which `closeAll()` ends when the service stops.
 */
import type { Logger } from '../email-plugin.js';
import { describeDetail } from './account-runtime.js';
import type { ServiceErrorEvent, ServiceEvents, StateEvent, SyncedEvent } from './service-types.js';

export interface ServiceEventHub {
  emit<E extends keyof ServiceEvents>(event: E, data: ServiceEvents[E]): void;
  on<E extends keyof ServiceEvents>(event: E, listener: (data: ServiceEvents[E]) => void): () => void;
  changes(): AsyncGenerator<SyncedEvent>;
  /** Logs a state change and emits it as a `state` event. */
  announceState(event: StateEvent): void;
  /** Logs a folder's sync (one or more calls until its backlog is empty) and emits it as `synced`. */
  announceSynced(event: SyncedEvent): void;
  /** Ends every `changes()` iterator. */
  closeAll(): void;
}

/** What a `synced` event adds up over the sync calls of one run of a folder's job. */
export type SyncTotals = Pick<SyncedEvent, 'new' | 'updated' | 'deleted' | 'failed' | 'bytes' | 'remaining' | 'uidvalidityChanged'>;

export function emptySyncTotals(): SyncTotals {
  return { new: 0, updated: 0, deleted: 0, failed: 0, bytes: 0, remaining: 0, uidvalidityChanged: false };
}

/** Adds one sync call's result; `remaining` is the latest call's. */
export function addSyncResult(total: SyncTotals, result: SyncTotals): void {
  total.new += result.new;
  total.updated += result.updated;
  total.deleted += result.deleted;
  total.failed += result.failed;
  total.bytes += result.bytes;
  total.remaining = result.remaining;
  total.uidvalidityChanged ||= result.uidvalidityChanged;
}

export function createServiceEvents(logger: Logger): ServiceEventHub {
  const listeners = { synced: new Set<(e: SyncedEvent) => void>(), error: new Set<(e: ServiceErrorEvent) => void>(), state: new Set<(e: StateEvent) => void>() };
  const iterators = new Set<() => void>();

  function emit<E extends keyof ServiceEvents>(event: E, data: ServiceEvents[E]): void {
    for (const listener of listeners[event] as Set<(d: ServiceEvents[E]) => void>) {
      try {
        listener(data);
      } catch (error) {
        logger.error?.({ event: 'listener_failed', listener: event, error: (error as Error)?.message }, 'event listener threw');
      }
    }
  }

  function on<E extends keyof ServiceEvents>(event: E, listener: (data: ServiceEvents[E]) => void): () => void {
    const set = listeners[event] as Set<typeof listener>;
    set.add(listener);
    return () => set.delete(listener);
  }

  async function* changes(): AsyncGenerator<SyncedEvent> {
    const queue: SyncedEvent[] = [];
    let wakeUp: (() => void) | null = null;
    let closed = false;
    const off = on('synced', (event) => {
      if (event.new + event.updated + event.deleted > 0 || event.uidvalidityChanged) {
        queue.push(event);
        wakeUp?.();
      }
    });
    const close = (): void => {
      closed = true;
      wakeUp?.();
    };
    iterators.add(close);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as SyncedEvent;
        if (closed) return;
        await new Promise<void>((resolve) => (wakeUp = resolve));
        wakeUp = null;
      }
    } finally {
      off();
      iterators.delete(close);
    }
  }

  return {
    emit,
    on,
    changes,
    announceState: (event) => {
      const where = event.folder === null ? event.account : `${event.account}/${event.folder}`;
      logger.info?.({ event: 'state', ...event }, `${where}: ${event.state}${describeDetail(event)}`);
      emit('state', event);
    },
    announceSynced: (event) => {
      logger.info?.(
        { event: 'synced', ...event },
        `${event.account}/${event.folder}: +${event.new} ~${event.updated} -${event.deleted}${event.remaining ? ` (${event.remaining} left)` : ''} in ${event.durationMs} ms (${event.trigger})`,
      );
      emit('synced', event);
    },
    closeAll: () => {
      for (const close of iterators) close();
    },
  };
}
