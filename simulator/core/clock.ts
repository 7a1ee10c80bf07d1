/**
 * The simulator's notion of time: wall time plus an offset tests can advance (backup schedules,
 * token expiry), so nothing waits on the real clock for hours.
 *
 * Frozen (`freeze`), it stops following the wall clock and moves only by `advance`: a test that also
 * gives the provider a clock whose sleeps advance this one (test/support/simClock.ts) decides where
 * every poll falls in the operation's time, however slowly the machine runs.
 */
export class SimClock {
  private offsetMs = 0;
  /** While frozen: the current time, moved only by `advance`. */
  private frozenAt?: number;
  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
  /** Stops following the wall clock at the current time. */
  freeze(): void {
    this.frozenAt ??= this.now();
  }
  /** Follows the wall clock again, from the frozen time on (time never goes back). */
  thaw(): void {
    if (this.frozenAt === undefined) return;
    this.offsetMs = this.frozenAt - Date.now();
    this.frozenAt = undefined;
  }
  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }
}

/**
 * An asynchronous job inside a simulator: its progress rises linearly with time over `durationMs`; it
 * applies its effect once, at the first look after it is due (or when `settle()` is called).
 */
export class SimJob {
  private applied = false;
  failure?: { code: string; message: string };
  constructor(
    readonly id: string,
    readonly type: string,
    private readonly clock: SimClock,
    readonly startedAt: number,
    public durationMs: number,
    private readonly effect: () => void,
  ) {}

  /** 0–100. */
  percentage(): number {
    if (this.durationMs <= 0) return 100;
    return Math.min(100, Math.floor(((this.clock.now() - this.startedAt) / this.durationMs) * 100));
  }

  /** Whether the job has ended; applies its effect the first time it has. */
  done(): boolean {
    if (this.durationMs !== Infinity && this.clock.now() - this.startedAt >= this.durationMs) {
      if (!this.applied) {
        this.applied = true;
        if (!this.failure) this.effect();
      }
      return true;
    }
    return false;
  }

  /** Never finishes (for timeout tests). */
  hang(): void {
    this.durationMs = Infinity;
  }
}
