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
 * A per-host request budget shared by every resource in the provider process: a token bucket of
 * `ratePerSecond` tokens (burst = one second's worth), served in priority order, paused whole when the
 * host answers 429 with Retry-After (everyone waits, not only the caller that was refused).
 */
export class RequestBudget {
  private tokens: number;
  private lastRefill: number;
  private pausedUntil = 0;
  private readonly queues: Record<RequestPriority, Waiter[]> = { mutate: [], read: [], poll: [] };
  private pumping = false;
  readonly capacity: number;

  constructor(readonly ratePerSecond: number, private readonly clock: Clock = systemClock) {
    this.capacity = Math.max(1, Math.floor(ratePerSecond));
    this.tokens = this.capacity;
    this.lastRefill = clock.now();
  }

  acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(this.ratePerSecond) || this.ratePerSecond <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queues[priority].push({ resolve, reject, signal });
      void this.pump();
    });
  }

  /** The host said "not before `seconds`": hold every request until then. */
  pause(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + seconds * 1000);
    this.tokens = 0;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastRefill) / 1000) * this.ratePerSecond);
    this.lastRefill = now;
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
          this.lastRefill = this.clock.now();
          continue;
        }
        this.refill();
        if (this.tokens < 1) {
          await this.clock.sleep(((1 - this.tokens) / this.ratePerSecond) * 1000);
          continue;
        }
        const w = this.next();
        if (!w) break;
        this.tokens -= 1;
        w.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
