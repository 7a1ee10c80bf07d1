import type { Clock } from "./clock";
import { systemClock } from "./clock";

/** Mutating calls go first, then reads a user waits on, then background polls. */
export type RequestPriority = "mutate" | "read" | "poll";
const ORDER: RequestPriority[] = ["mutate", "read", "poll"];

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
}

/**
 * A per-host request budget shared by every resource in the provider process, served in priority
 * order, paused whole when the host answers 429 with Retry-After (everyone waits, not only the caller
 * that was refused).
 *
 * The limit holds over every one-second window, as a host counting "requests per second" sees it: up
 * to `capacity` (= ⌊ratePerSecond⌋, at least 1) requests go at once, the next one when the oldest of
 * them is a second old. (A token bucket refilling at the rate with a burst of one second's worth, as
 * here before, lets nearly twice the rate through in the first second.) Rates below 1/s space single
 * requests `1 / ratePerSecond` seconds apart.
 */
export class RequestBudget {
  /** When the last `capacity` requests were let through, oldest first. */
  private readonly granted: number[] = [];
  private readonly windowMs: number;
  private pausedUntil = 0;
  private readonly queues: Record<RequestPriority, Waiter[]> = { mutate: [], read: [], poll: [] };
  private pumping = false;
  readonly capacity: number;

  constructor(readonly ratePerSecond: number, private readonly clock: Clock = systemClock) {
    this.capacity = Math.max(1, Math.floor(ratePerSecond));
    this.windowMs = ratePerSecond >= 1 ? 1_000 : 1_000 / ratePerSecond;
  }

  acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.ratePerSecond) || this.ratePerSecond <= 0) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues[priority];
      // A cancelled request leaves the queue at once (not when its turn comes, maybe after a long pause).
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        reject,
        signal,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(waiter);
      void this.pump();
    });
  }

  /** The host said "not before `seconds`": hold every request until then. */
  pause(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + seconds * 1000);
  }

  private next(): Waiter | undefined {
    for (const p of ORDER) {
      const q = this.queues[p];
      while (q.length > 0) {
        const w = q.shift()!;
        if (w.signal?.aborted) {
          w.reject(w.signal.reason);
          continue;
        }
        return w;
      }
    }
    return undefined;
  }

  private pending(): boolean {
    return ORDER.some((p) => this.queues[p].length > 0);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending()) {
        const now = this.clock.now();
        if (now < this.pausedUntil) {
          await this.clock.sleep(this.pausedUntil - now);
          continue;
        }
        while (this.granted.length > 0 && this.granted[0] <= now - this.windowMs) this.granted.shift();
        if (this.granted.length >= this.capacity) {
          await this.clock.sleep(this.granted[0] + this.windowMs - now);
          continue;
        }
        const w = this.next();
        if (!w) break;
        this.granted.push(now);
        w.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
