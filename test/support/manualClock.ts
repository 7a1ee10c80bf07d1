import type { Clock } from "../../provider/core/clock";

/** A clock whose sleepers wake only when the test moves time past their deadline. */
export class ManualClock implements Clock {
  private t = 0;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve) => this.timers.push({ at: this.t + Math.max(0, ms), resolve }));
  }
  /** Moves time forward to `t + ms`, waking sleepers in deadline order and letting their work run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

export const settle = () => new Promise<void>((r) => setImmediate(r));
