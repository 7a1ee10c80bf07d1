import type { Clock } from "../../provider/core/clock";
import type { SimClock } from "../../simulator/core/clock";
import type { SimulatorServer } from "../../simulator/core/server";

/**
 * The provider's clock linked to a simulator's: `now` reads the simulator's time and `sleep` moves
 * it forward at once (then yields one event-loop turn), so a wait costs no wall time.
 *
 * By default the simulator's clock is frozen first: time then moves only when the provider sleeps,
 * so where each poll falls in an operation (the first one at 0 %, a listing still without the new
 * object, a task still "Not ready") is decided by the code under test, not by the machine's load.
 * `thaw()` lets the simulator follow the wall clock again (for later steps that use the system clock).
 *
 * Concurrent sleepers each advance the clock by their own delay, so with several waits at once time
 * runs faster than the sum of any one of them; tests with one wait at a time see exact figures.
 */
export class LinkedClock implements Clock {
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];

  constructor(readonly simClock: SimClock) {}

  // Arrow properties, so a test may take `sleep` off the clock to wrap it.
  now = (): number => this.simClock.now();

  /** Simulated milliseconds slept in all. */
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
    const d = Math.max(0, ms);
    this.sleeps.push(d);
    this.simClock.advance(d);
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw signal.reason ?? new Error("aborted");
  };

  thaw(): void {
    this.simClock.thaw();
  }
}

/** A clock linked to `sim`'s, the simulator's clock frozen unless `freeze: false`. */
export function linkedClock(sim: { clock: SimClock }, opts: { freeze?: boolean } = {}): LinkedClock {
  if (opts.freeze ?? true) sim.clock.freeze();
  return new LinkedClock(sim.clock);
}

/**
 * Freezes the simulator's clock and moves it `stepMs` forward after each request it handles: its time
 * is then counted in requests, so how many looks an operation needs before it ends (and what each
 * look shows) is fixed, whichever clock the provider sleeps on (a client's own system clock, another
 * process's) and however slowly the machine runs. `stop()` lets the clock follow the wall again.
 */
export function timePerRequest(sim: { clock: SimClock }, server: SimulatorServer, stepMs: number): { stop(): void } {
  sim.clock.freeze();
  const remove = server.onEveryRequest(() => sim.clock.advance(stepMs));
  return {
    stop() {
      remove();
      sim.clock.thaw();
    },
  };
}
