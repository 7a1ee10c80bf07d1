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

/** Next delay from the API's own progress figure, or undefined when it gives none worth using. */
export function delayFromProgress(elapsedMs: number, percentage: number | undefined, b: WaitBackoff): number | undefined {
  if (percentage === undefined || !(percentage > 0) || percentage >= 100 || elapsedMs <= 0) return undefined;
  const estimatedTotal = elapsedMs / (percentage / 100);
  const remaining = estimatedTotal - elapsedMs;
  const margin = Math.max(b.minMs, estimatedTotal * 0.005);
  // Far from the end, look again at 80% of the remaining time to refine the estimate (progress is
  // rarely linear); near it, look just after the estimated end.
  const delay = remaining > 20_000 ? remaining * 0.8 : remaining + margin;
  return Math.max(b.minMs, delay);
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
    last = await opts.poll(opts.signal);
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
    let delay = fromProgress !== undefined ? Math.min(fromProgress, b.maxMs * 6) : interval;
    interval = Math.min(b.maxMs, interval * b.factor);
    delay = Math.min(delay, remainingBudget);
    await clock.sleep(Math.max(delay, 0), opts.signal).catch((e: unknown) => {
      if (opts.signal?.aborted) return; // reported at the top of the loop
      throw e;
    });
  }
}
