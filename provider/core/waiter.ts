import { type Clock, systemClock } from "./clock";
import { type EndEstimate, type EstimateSource, noteFinished, operationDurations, type AwaitedOperation, ownStateSeconds } from "./durations";
import { VpsError } from "./errors";
import type { Logger } from "./log";
import { unblockingWaits } from "./rateLimit";

/**
 * The one waiter for asynchronous work on every host (hcloud-go's action_waiter.go is the model):
 * callers supply a `poll` that says whether the work is done and the kind of operation it is, and
 * never write a polling loop or a schedule.
 *
 * The schedule (`PollSchedule`) aims at the operation's likely end: from the API's progress (flops's
 * `percentage`), from how long operations of the same kind took (provider/core/durations.ts: this
 * process, resources' state, the vendor's documentation), else capped exponential backoff. See
 * BENCHMARKS.md for the polls-per-operation and overhead figures.
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

/**
 * Where a wait writes its progress line: one line per look that says not done, in the one format of
 * every host (`progressLine`), so the hosts say only what is awaited and what its status is.
 */
export interface ProgressLines {
  logger: Pick<Logger, "progress">;
  /** The resource, e.g. `flops:Server "web"`. */
  label: string;
  /** What the line names, when shorter than the wait's `what` (e.g. `install` for `install (operation 61566)`). */
  subject?: string;
}

/** `<label>: <subject>: <percentage>%` (or the status where the API gives no percentage)`, <seconds> s`. */
function progressLine(label: string, subject: string, p: Progress): string {
  const detail = p.percentage !== undefined ? `${p.percentage}%` : (p.status ?? "not done yet");
  return `${label}: ${subject}: ${detail}, ${Math.round(p.elapsedMs / 1000)} s`;
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
  /** Writes a progress line per look that says not done (see `progressLine`). */
  progress?: ProgressLines;
  /** Added to the timeout error: what the user can do next. */
  timeoutHint?: string;
  /** Id of the object being waited on (for errors that must name it). */
  objectId?: string;
  /**
   * The kind of operation awaited: the wait then sleeps until shortly before its likely end, from
   * this process's finished operations of the kind, state, or the vendor's documented range
   * (provider/core/durations.ts), and records how long it took. Without it: progress, else backoff.
   */
  operation?: AwaitedOperation;
}

export interface WaitResult<T> {
  value: T | undefined;
  polls: number;
  elapsedMs: number;
}

/** What to do when a wait runs out, unless the caller knows better (`timeoutHint`). */
const DEFAULT_TIMEOUT_HINT = "Raise `operationTimeout`, run `pulumi refresh` to pick up the result, then `pulumi up`.";
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

/** Relative gap between looks inside the likely window: an end there is seen within this share of the time waited. */
const WINDOW_STEP: Record<EstimateSource, number> = { history: 0.05, state: 0.05, vendor: 0.09 };
/**
 * One early look before a window learned from durations, at a quarter of the earliest likely end when
 * that is at least `EARLY_LOOK_MIN_MS` away: an operation that fails early, or ends far sooner than
 * its kind did before, is then not waited on for long.
 */
const EARLY_LOOK_RATIO = 4;
const EARLY_LOOK_MIN_MS = 15_000;
/**
 * For a kind that reports progress, the look before the window is at this share of its start: the
 * percentage it reads pins the end closely, so the next look is at that end (two polls an operation,
 * the first while the host is quiet rather than when operations started together all end).
 */
const PROGRESS_LOOK = 0.8;
/** Before a vendor's range begins, the backoff's cap is the time waited divided by this (at least `maxMs`). */
const VENDOR_BACKOFF_CAP_DIVISOR = 3;
/** See `PollSchedule.endAfter`. */
const SHORT_OF_WINDOW = 0.1;
/** Past the likely window, gaps grow by this factor up to the backoff cap or a tenth of the time waited. */
const PAST_WINDOW_FACTOR = 2;

/**
 * When to look next, from an estimate of the operation's end (provider/core/durations.ts) and, poll by
 * poll, the API's own progress:
 * - before the likely window it sleeps until the window's start, with one early look for an estimate
 *   learned from durations (`EARLY_LOOK_RATIO`, `PROGRESS_LOOK`) and today's backoff for a vendor's
 *   documented range (which is about servers in general and may be far off for a given one);
 * - inside the window it looks every `WINDOW_STEP` of the time waited, so an end there is seen within
 *   that share of the operation's time; a window narrower than a step gets one look, at its end;
 * - past the window the estimate was wrong: it backs off, up to the backoff cap or a tenth of the
 *   time waited.
 * A percentage that agrees with the window replaces it with the end it implies (bounded below by the
 * window's start); one that disagrees hands over to `delayFromProgress`, as does any percentage
 * without an estimate. Without either: capped backoff.
 *
 * Each delay also says whether the look it leads to is expected to end the wait (`unblocks`): looks
 * before the window and the look at its start are not, and wait behind those that are in the request
 * budget.
 */
export class PollSchedule {
  private window?: { lo: number; hi: number };
  private readonly step: number;
  private readonly earlyLooks: number[] = [];
  private backoffInterval: number;
  private pastGap?: number;
  private nextUnblocks = 1;
  /** The earliest end the last percentage allowed, for the duration recorded at the end. */
  progressEarliest = 0;
  /** Whether a poll reported a usable percentage (recorded with the duration). */
  sawProgress = false;

  constructor(
    readonly estimate: EndEstimate | undefined,
    private readonly b: WaitBackoff,
  ) {
    this.backoffInterval = b.initialMs;
    this.step = estimate ? WINDOW_STEP[estimate.source] : WINDOW_STEP.history;
    if (estimate) {
      this.window = { lo: estimate.earliestMs, hi: Math.max(estimate.earliestMs, estimate.latestMs) };
      const early = estimate.earliestMs / EARLY_LOOK_RATIO;
      if (estimate.source !== "vendor" && early >= EARLY_LOOK_MIN_MS) this.earlyLooks.push(early);
      if (estimate.reportsProgress) this.earlyLooks.push(estimate.earliestMs * PROGRESS_LOOK);
    }
  }

  /**
   * The bound below an end found at `byMs` when the last look before said not done at `afterMs`. An
   * end found by the window's first look after a look far before it most likely lay just short of
   * the window (durations cluster), not halfway between: counting it at the window's start less
   * `SHORT_OF_WINDOW` keeps one loose sighting from widening every later window, and still moves the
   * window down by that much per operation when operations of the kind got faster.
   */
  endAfter(afterMs: number, byMs: number): number {
    const lo = this.window?.lo;
    if (lo === undefined || byMs < lo - this.b.minMs) return afterMs;
    return Math.max(afterMs, Math.min(lo * (1 - SHORT_OF_WINDOW), byMs));
  }

  /** How many waits the look after the last delay may end, for the request budget (0 or 1). */
  unblocks(): number {
    return this.nextUnblocks;
  }

  /**
   * Delay before the first poll: none without an estimate (nothing to aim at; the work may be done
   * already), nor with a vendor's range, whose schedule is today's backoff until the range begins.
   */
  first(): number {
    return this.estimate && this.estimate.source !== "vendor" ? this.fromWindow(0) : 0;
  }

  /** Delay after a poll at `elapsedMs` that said not done. */
  next(elapsedMs: number, percentage: number | undefined): number {
    const usable = percentage !== undefined && percentage > 0 && percentage < 100 && elapsedMs > 0;
    if (usable) {
      this.sawProgress = true;
      const lo = (elapsedMs * 100) / Math.min(100, percentage + 1);
      const hi = (elapsedMs * 100) / percentage + this.b.minMs;
      this.progressEarliest = Math.max(this.progressEarliest, lo);
      // The API's own progress is the better source. Where it agrees with the window (the end it
      // implies overlaps it), it becomes the window, bounded below by the window's start; where it
      // does not, or there is no window, `delayFromProgress` decides, as without an estimate.
      if (!(this.window && hi >= this.window.lo && lo <= this.window.hi)) {
        this.window = undefined;
        this.backoffInterval = this.b.initialMs;
        this.nextUnblocks = lo - elapsedMs > FAR_FROM_END_MS ? 0 : 1;
        return Math.min(delayFromProgress(elapsedMs, percentage, this.b)!, this.b.maxMs * PROGRESS_MAX_MS_FACTOR);
      }
      this.window = { lo: Math.max(lo, this.window.lo), hi };
    }
    if (this.window) return this.fromWindow(elapsedMs);
    this.nextUnblocks = 1;
    const d = this.backoffInterval;
    this.backoffInterval = Math.min(this.b.maxMs, this.backoffInterval * this.b.factor);
    return d;
  }

  private fromWindow(t: number): number {
    const w = this.window!;
    // Within `minMs` of a look counts as there: no look a few ms after another.
    const near = this.b.minMs;
    // The first look of a window is at its start, so an end found by the next one is known closely
    // (what is recorded for the next operation of the kind); a window narrower than a step has one.
    const narrow = w.hi <= w.lo * (1 + this.step);
    const start = narrow ? w.hi : w.lo;
    if (t < start - near) {
      while (this.earlyLooks.length && (this.earlyLooks[0] <= t + near || this.earlyLooks[0] >= start - near)) this.earlyLooks.shift();
      let at = this.earlyLooks[0] ?? start;
      if (this.estimate?.source === "vendor") {
        // Today's backoff, its cap growing with the time waited (a third of it): close to today for
        // an operation far shorter than documented, and few polls until the range begins.
        at = t + this.backoffInterval;
        this.backoffInterval = Math.min(this.backoffInterval * this.b.factor, Math.max(this.b.maxMs, at / VENDOR_BACKOFF_CAP_DIVISOR));
      }
      this.nextUnblocks = at >= start && narrow ? 1 : 0;
      return Math.max(near, Math.min(at, start) - t);
    }
    this.nextUnblocks = 1;
    if (t < w.hi - near) return Math.max(near, Math.min(t * (1 + this.step), w.hi) - t);
    const cap = Math.max(this.b.maxMs, t / 10);
    this.pastGap = Math.min(cap, this.pastGap === undefined ? Math.max(near, t * this.step) : this.pastGap * PAST_WINDOW_FACTOR);
    return this.pastGap;
  }
}

export async function waitFor<T>(opts: WaitOptions<T>): Promise<WaitResult<T>> {
  const clock = opts.clock ?? systemClock;
  const b: WaitBackoff = { ...defaultWaitBackoff, ...(opts.backoff ?? {}) };
  const op = opts.operation;
  const schedule = new PollSchedule(op ? operationDurations.estimate(opts.host, op, ownStateSeconds(opts.host, op.kind)) : undefined, b);
  const start = clock.now();
  let polls = 0;
  let last: PollResult<T> | undefined;
  /** When the last poll that said "not done" was sent: the operation ended after it. */
  let notDoneAt = 0;
  // Whole milliseconds: clocks count in them, and a timeout then ends exactly at its limit.
  let delay = Math.round(Math.min(schedule.first(), opts.timeoutMs));
  for (;;) {
    if (delay > 0) {
      await clock.sleep(delay, opts.signal).catch((e: unknown) => {
        if (opts.signal?.aborted) return; // reported below
        throw e;
      });
    }
    if (opts.signal?.aborted) {
      throw new VpsError(
        {
          kind: "other",
          host: opts.host,
          operation: `waiting for ${opts.what}`,
          objectId: opts.objectId,
          hint: "the wait was cancelled; the work may still be running on the host: run `pulumi refresh`",
        },
        "cancelled",
      );
    }
    polls++;
    const sentAt = clock.now() - start;
    try {
      last = await unblockingWaits(schedule.unblocks(), () => opts.poll(opts.signal));
    } catch (e) {
      // A failure met while polling (the object gone, a read refused) names what was awaited, so the
      // user sees which operation it broke, not only the read that noticed it.
      if (e instanceof VpsError && !e.message.includes(opts.what)) throw e.withContext(`waiting for ${opts.what}`);
      throw e;
    }
    const elapsedMs = clock.now() - start;
    if (last.done) {
      if (op) {
        const end = { afterMs: schedule.endAfter(Math.max(notDoneAt, Math.min(schedule.progressEarliest, elapsedMs)), elapsedMs), byMs: elapsedMs };
        operationDurations.record(opts.host, op, end, schedule.sawProgress);
        noteFinished(opts.host, op.kind, end.afterMs > 0 ? (end.afterMs + end.byMs) / 2 : end.byMs);
      }
      return { value: last.value, polls, elapsedMs };
    }
    notDoneAt = sentAt;
    const progress: Progress = { percentage: last.percentage, status: last.status, elapsedMs, polls };
    opts.onProgress?.(progress);
    if (opts.progress) opts.progress.logger.progress(progressLine(opts.progress.label, opts.progress.subject ?? opts.what, progress));
    const remainingBudget = opts.timeoutMs - elapsedMs;
    if (remainingBudget <= 0) {
      const seen = [last.status, last.percentage !== undefined ? `${last.percentage}%` : undefined].filter(Boolean).join(", ");
      throw new VpsError(
        {
          kind: "timeout",
          host: opts.host,
          operation: `waiting for ${opts.what}`,
          objectId: opts.objectId,
          hint:
            `it did not finish within ${Math.round(opts.timeoutMs / 1000)} s${seen ? ` (last seen: ${seen})` : ""}; it may still finish ` +
            `on the host. ${opts.timeoutHint ?? DEFAULT_TIMEOUT_HINT}`,
        },
        "timed out",
      );
    }
    delay = Math.max(0, Math.round(Math.min(schedule.next(elapsedMs, last.percentage), remainingBudget)));
  }
}
