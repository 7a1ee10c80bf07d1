import { type Clock, systemClock } from "./clock";
import { VpsError } from "./errors";

/**
 * The one waiter for asynchronous work on every host (hcloud-go's action_waiter.go is the model):
 * callers supply a `poll` that says whether the work is done, and never write a polling loop.
 *
 * When the API reports progress (flops's `percentage`), the waiter estimates when the work will end
 * and polls just after that moment instead of on a fixed schedule; without progress it falls back to
 * capped exponential backoff. See BENCHMARKS.md for the polls-per-operation and overhead figures.
 */

export interface PollResult<T> {
  done: boolean;
  /** Returned by the waiter when done. */
  value?: T;
  /** 0–100 where the API gives it. */
  percentage?: number;
  /** Vendor status text for progress lines. */
  status?: string;
}

export interface Progress {
  percentage?: number;
  status?: string;
  elapsedMs: number;
  polls: number;
}

export interface WaitBackoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Shortest gap between polls, also the margin added after an estimated end. */
  minMs: number;
}

export const defaultWaitBackoff: WaitBackoff = { initialMs: 250, maxMs: 10_000, factor: 2, minMs: 25 };

export interface WaitOptions<T> {
  host: string;
  /** What is awaited, e.g. `operation 8812 (install)`; used in progress lines and errors. */
  what: string;
  /** Returns the current state; throws (a VpsError) when the work failed. */
  poll: (signal?: AbortSignal) => Promise<PollResult<T>>;
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  backoff?: Partial<WaitBackoff>;
  onProgress?: (p: Progress) => void;
  /** Added to the timeout error: what the user can do next. */
  timeoutHint?: string;
  /** Id of the object being waited on (for errors that must name it). */
  objectId?: string;
}

export interface WaitResult<T> {
  value: T | undefined;
  polls: number;
  elapsedMs: number;
}

/** Longest step taken through the window in which a nearly finished operation may end. */
const NEAR_END_STEP_MS = 1_500;
/** Beyond this distance from the earliest possible end, the waiter only closes in on it. */
const FAR_FROM_END_MS = 10_000;
/** While progress is reported, the longest gap between polls, as a multiple of `maxMs`. */
const PROGRESS_MAX_MS_FACTOR = 12;

/**
 * Next delay from the API's own progress figure, or undefined when it gives none worth using.
 *
 * A percentage is a whole number rounded down (flops's, the simulator's), so after `elapsed` ms at
 * `p` % the operation ends between elapsed·100/(p+1) (the earliest possible end) and elapsed·100/p.
 * Aiming at the plain estimate elapsed·100/p overshoots by up to 1/p of the duration (25 % of a 10 s
 * operation first seen at 4 %), so the waiter aims at the earliest end instead:
 * - far from it, it looks again at 80 % of the way there to refine the estimate (progress is rarely
 *   linear);
 * - near it, it looks just after it and then steps through the remaining window in steps of at most
 *   half the window or 1.5 s, which bounds the time between the end and the waiter noticing it.
 */
export function delayFromProgress(elapsedMs: number, percentage: number | undefined, b: WaitBackoff): number | undefined {
  if (percentage === undefined || !(percentage > 0) || percentage >= 100 || elapsedMs <= 0) return undefined;
  const earliestEnd = (elapsedMs * 100) / Math.min(100, percentage + 1);
  const latestEnd = (elapsedMs * 100) / percentage;
  const toEarliest = earliestEnd - elapsedMs;
  if (toEarliest > FAR_FROM_END_MS) return toEarliest * 0.8;
  const step = Math.max(b.minMs, Math.min((latestEnd - earliestEnd) / 2, NEAR_END_STEP_MS));
  return Math.max(b.minMs, toEarliest + step);
}

export async function waitFor<T>(opts: WaitOptions<T>): Promise<WaitResult<T>> {
  const clock = opts.clock ?? systemClock;
  const b: WaitBackoff = { ...defaultWaitBackoff, ...(opts.backoff ?? {}) };
  const start = clock.now();
  let interval = b.initialMs;
  let polls = 0;
  let last: PollResult<T> | undefined;
  for (;;) {
    if (opts.signal?.aborted) {
      throw new VpsError({ kind: "other", host: opts.host, operation: `waiting for ${opts.what}`, objectId: opts.objectId, hint: "the wait was cancelled; the work may still be running on the host: run `pulumi refresh`" }, "cancelled");
    }
    polls++;
    try {
      last = await opts.poll(opts.signal);
    } catch (e) {
      // A failure met while polling (the object gone, a read refused) names what was awaited, so the
      // user sees which operation it broke, not only the read that noticed it.
      if (e instanceof VpsError && !e.message.includes(opts.what)) throw e.withContext(`waiting for ${opts.what}`);
      throw e;
    }
    const elapsedMs = clock.now() - start;
    if (last.done) return { value: last.value, polls, elapsedMs };
    opts.onProgress?.({ percentage: last.percentage, status: last.status, elapsedMs, polls });
    const remainingBudget = opts.timeoutMs - elapsedMs;
    if (remainingBudget <= 0) {
      const seen = [last.status, last.percentage !== undefined ? `${last.percentage}%` : undefined].filter(Boolean).join(", ");
      throw new VpsError(
        {
          kind: "timeout",
          host: opts.host,
          operation: `waiting for ${opts.what}`,
          objectId: opts.objectId,
          hint: `it did not finish within ${Math.round(opts.timeoutMs / 1000)} s${seen ? ` (last seen: ${seen})` : ""}; it may still finish on the host. ${opts.timeoutHint ?? "Raise `operationTimeout`, run `pulumi refresh` to pick up the result, then `pulumi up`."}`,
        },
        "timed out",
      );
    }
    const fromProgress = delayFromProgress(elapsedMs, last.percentage, b);
    let delay: number;
    if (fromProgress !== undefined) {
      delay = Math.min(fromProgress, b.maxMs * PROGRESS_MAX_MS_FACTOR);
      // Should the estimate fail (an operation that sits at 100 % before it is done), back off from
      // the first interval again rather than from wherever the backoff had grown to.
      interval = b.initialMs;
    } else {
      delay = interval;
      interval = Math.min(b.maxMs, interval * b.factor);
    }
    delay = Math.min(delay, remainingBudget);
    await clock.sleep(Math.max(delay, 0), opts.signal).catch((e: unknown) => {
      if (opts.signal?.aborted) return; // reported at the top of the loop
      throw e;
    });
  }
}
