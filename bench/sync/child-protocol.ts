/**
 * The contract between the sync benchmark's parent and its child processes: the configuration a
 * child reads from PRX_BENCH_CHILD (JSON), and the result it prints as one `PRX_BENCH_RESULT`
 * JSON line on stdout, which the parent finds and parses.
 */

export interface ChildConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  caFile: string;
  folder: string;
  db: string;
  compress?: boolean;
  maxMessageBytes?: number;
  /** MIME worker threads (undefined: the library's default). */
  parseWorkers?: number;
}

export interface ChildResult {
  ok: boolean;
  error?: string;
  messages: number;
  bytes?: number;
  /** Time of the work itself, after imports and set-up. */
  innerMs: number;
  /** process.memoryUsage().rss just before the work. */
  rssStart: number;
  /** getrusage peak RSS at the end, bytes. */
  maxRss: number;
  extra?: Record<string, unknown>;
}

export function childResult(partial: Omit<ChildResult, 'maxRss'>): ChildResult {
  return { ...partial, maxRss: process.resourceUsage().maxRSS * 1024 };
}

export function parseChild(stdout: string): ChildResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith('PRX_BENCH_RESULT '));
  return line ? (JSON.parse(line.slice('PRX_BENCH_RESULT '.length)) as ChildResult) : undefined;
}
