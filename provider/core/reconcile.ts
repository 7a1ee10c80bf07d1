import type { Clock } from "./clock";
import { isVpsError, VpsError } from "./errors";
import type { Logger } from "./log";
import { waitFor } from "./waiter";

/**
 * Creates that survive a lost answer without duplicates. A create is not idempotent, so when its
 * outcome is unknown (a 5xx, a dropped connection, a lost response) it is never simply repeated:
 * the live API is asked first whether the object exists (by name and recent creation). One match is
 * adopted; none means the call did not happen, so it is sent again; several are an error naming them.
 * A 429 is a refusal, not an unknown outcome, and the HTTP client already repeats it.
 */
export interface ReconcileOptions<T, F> {
  host: string;
  /** e.g. `install VM "web"`. */
  operation: string;
  create: () => Promise<T>;
  /** Objects that this create may have made (matching name, created since `since`). */
  find: (since: number) => Promise<F[]>;
  /** Turns an adopted object into the create's result. */
  adopt: (found: F) => Promise<T> | T;
  describe: (found: F) => string;
  now: () => number;
  logger: Logger;
  /** Sends in all, the first included. */
  attempts?: number;
}

/**
 * How far before the first send a match may have been created: covers clock skew between us and the
 * host. Wider would risk adopting an older object of the same name; a genuinely ambiguous case fails.
 */
const SKEW_MS = 60_000;

export async function createReconciled<T, F>(o: ReconcileOptions<T, F>): Promise<T> {
  const since = o.now() - SKEW_MS;
  const attempts = o.attempts ?? 2;
  let last: VpsError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await o.create();
    } catch (e) {
      if (!isVpsError(e) || !e.outcomeUnknown) throw e;
      last = e;
    }
    let found: F[];
    try {
      found = await o.find(since);
    } catch (e) {
      throw new VpsError({ kind: last.kind, host: o.host, operation: o.operation, outcomeUnknown: true, hint: `${last.message} Looking for the object it may have created failed too (${(e as Error).message}): check the panel before running \`pulumi up\` again` });
    }
    if (found.length === 1) {
      o.logger.warn(`${o.host}: the answer to ${o.operation} was lost (${last.vendorMessage ?? last.kind}); found the object it created, ${o.describe(found[0])}, and adopted it`);
      return o.adopt(found[0]);
    }
    if (found.length > 1) {
      throw new VpsError({ kind: "conflict", host: o.host, operation: o.operation, hint: `the answer was lost and several matching objects exist: ${found.map(o.describe).join(", ")}; adopt the right one with importFrom and delete the others` });
    }
    o.logger.warn(`${o.host}: the answer to ${o.operation} was lost (${last.vendorMessage ?? last.kind}) and nothing was created; sending it again`);
  }
  throw last!;
}

export interface LostEffectOptions<F> {
  host: string;
  /** The call whose answer was lost, e.g. `snapshot_create "nightly" of VM 88977`. */
  operation: string;
  /** Objects the call would have made that are there now (e.g. a new snapshot of that name). */
  find: () => Promise<F[]>;
  describe: (found: F) => string;
  /** How long to keep looking: the object of an asynchronous call shows only when its work ends. */
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * For creates whose object shows only when the host's work ends (a flops snapshot, an IP address), so
 * `createReconciled`'s immediate look cannot tell "not made" from "not made yet": after a lost answer,
 * look for the object until it shows or `timeoutMs` passes. One found is returned (to adopt); none
 * is undefined (the caller reports the unknown outcome, never sends the call again); several are an
 * error naming them.
 */
export async function awaitLostEffect<F>(o: LostEffectOptions<F>): Promise<F | undefined> {
  let found: F[] = [];
  try {
    await waitFor({
      host: o.host,
      what: `the effect of ${o.operation}`,
      timeoutMs: o.timeoutMs,
      clock: o.clock,
      signal: o.signal,
      poll: async () => {
        found = await o.find();
        return { done: found.length > 0 };
      },
    });
  } catch (e) {
    if (!isVpsError(e, "timeout")) throw e;
    return undefined;
  }
  if (found.length > 1) {
    throw new VpsError({ kind: "conflict", host: o.host, operation: o.operation, hint: `the answer was lost and several matching objects exist: ${found.map(o.describe).join(", ")}; adopt the right one with importFrom and delete the others` });
  }
  o.logger.warn(`${o.host}: the answer to ${o.operation} was lost; found the object it made, ${o.describe(found[0])}, and adopted it`);
  return found[0];
}
