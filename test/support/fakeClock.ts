import type { Clock } from "../../provider/core/clock";

/**
 * A Clock whose `sleep` advances virtual time at once, so retries, Retry-After pauses and hours of
 * operation polling run in microseconds. It records every sleep, for tests that assert on the delays.
 */
export class FakeClock implements Clock {
  private current: number;
  /** Every `sleep` duration asked for, in order. */
  readonly sleeps: number[] = [];
  /** Called on every sleep, after time has advanced (e.g. to abort a wait after N polls). */
  onSleep?: (ms: number) => void;

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward without sleeping. */
  advance(ms: number): void {
    this.current += Math.max(0, ms);
  }

  /** Virtual milliseconds slept in all. */
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const d = Math.max(0, ms);
    this.sleeps.push(d);
    this.current += d;
    this.onSleep?.(d);
    // Yield once so callers observe the same ordering as with real timers.
    await Promise.resolve();
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
  }
}
