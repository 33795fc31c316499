/**
 * Sleep/wake detection: a coarse timer that notices when far more wall-clock time passed between
 * two ticks than it asked for (the machine was suspended, or the process was stopped). Connections
 * that lived through that are not trusted: the service probes them.
 */

export interface WakeDetector {
  stop(): void;
}

export function startWakeDetector(onWake: (sleptMs: number) => void, options: { tickMs?: number; thresholdMs?: number; now?: () => number } = {}): WakeDetector {
  const tickMs = options.tickMs ?? 5_000;
  const thresholdMs = options.thresholdMs ?? 30_000;
  const now = options.now ?? Date.now;
  let last = now();
  const timer = setInterval(() => {
    const at = now();
    const gap = at - last - tickMs;
    last = at;
    if (gap > thresholdMs) onWake(gap);
  }, tickMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
