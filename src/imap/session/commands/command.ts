/**
 * The one way a command talks to the server: `execute()` sends it, offers it the untagged
 * responses it collects, and maps the completion (tagged OK → the command's result, a failure →
 * the command's typed error). `SessionContext` is what a command module may see of the session.
 */

import { isPrxError, type PrxError } from '../../../errors.js';
import type { CommandArg } from '../../wire/encoder.js';
import type { ResponseText, UntaggedResponse } from '../../wire/types.js';
import type { BodyEvent, CommandSpec } from '../core.js';

/** What a command may see of the session: the server's capabilities, what ENABLE turned on,
 * and the runner (which honours the AbortSignal and the connection's state). */
export interface SessionContext {
  readonly capabilities: ReadonlySet<string>;
  readonly enabled: ReadonlySet<string>;
  run(spec: CommandSpec, signal?: AbortSignal): Promise<ResponseText>;
}

export interface Exchange<T> {
  name: string;
  args: CommandArg[];
  exclusive?: boolean;
  redactedTrace?: string;
  idle?: boolean;
  /** Claims an untagged response for this command (true = taken; false = unsolicited). */
  collect?(data: UntaggedResponse): boolean;
  onBody?(event: BodyEvent): void;
  onContinuation?(text: string): Uint8Array | null;
  /** The result, from the tagged OK (and what `collect` gathered). */
  done(text: ResponseText): T;
  /** The error to throw for a failure (tagged NO/BAD, BYE, a closed connection). */
  failed?(error: PrxError): PrxError;
}

export type Untagged<K extends UntaggedResponse['type']> = Extract<UntaggedResponse, { type: K }>;

/** Sends one command and maps its completion; see the module header. */
export async function execute<T>(session: SessionContext, exchange: Exchange<T>, signal?: AbortSignal): Promise<T> {
  const { collect, done, failed, ...rest } = exchange;
  let text: ResponseText;
  try {
    text = await session.run({ ...rest, ...(collect ? { onUntagged: collect } : {}) }, signal);
  } catch (error) {
    throw failed && isPrxError(error) ? failed(error) : error;
  }
  return done(text);
}

/** A collector for every untagged response of one type (in arrival order). */
export function collectAll<K extends UntaggedResponse['type']>(type: K): { responses: Untagged<K>[]; collect(data: UntaggedResponse): boolean } {
  const responses: Untagged<K>[] = [];
  return {
    responses,
    collect(data) {
      if (data.type !== type) return false;
      responses.push(data as Untagged<K>);
      return true;
    },
  };
}

/** The command's untagged responses of one type: `execute` with `collectAll`, for commands
 * whose result is just that data (CAPABILITY, ENABLE, STATUS). */
export async function collectResponses<K extends UntaggedResponse['type']>(
  session: SessionContext,
  name: string,
  args: CommandArg[],
  type: K,
  signal?: AbortSignal,
): Promise<Untagged<K>[]> {
  const collector = collectAll(type);
  return execute(session, { name, args, collect: collector.collect, done: () => collector.responses }, signal);
}
