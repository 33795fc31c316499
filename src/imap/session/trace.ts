/**
 * An optional protocol trace: a ring buffer of the last N lines exchanged, with credentials
 * redacted by the session before they get here (LOGIN arguments, AUTHENTICATE payloads).
 */

export interface TraceEntry {
  at: number;
  direction: 'C' | 'S';
  text: string;
}

export function createTrace(capacity: number) {
  const entries: TraceEntry[] = [];
  return {
    add(direction: 'C' | 'S', text: string): void {
      // Only skips the work when tracing is off: a ring of capacity 0 stays empty either way.
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (see above)
      if (capacity <= 0) return;
      entries.push({ at: Date.now(), direction, text: text.length > 300 ? `${text.slice(0, 300)}…` : text });
      if (entries.length > capacity) entries.shift();
    },
    entries(): TraceEntry[] {
      return [...entries];
    },
  };
}

export type Trace = ReturnType<typeof createTrace>;
