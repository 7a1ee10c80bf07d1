import type { Clock } from "../../provider/core/clock";
import { RequestBudget, type RequestPriority } from "../../provider/core/rateLimit";
import { FakeClock } from "../support/fakeClock";
import { ManualClock, settle } from "../support/manualClock";

/**
 * The per-host request budget on virtual time: its rate over any one-second window, priority order,
 * pauses after a 429, and cancellation of queued requests.
 */

/** Starts `n` acquires and records when (virtual time) and in which order each one is granted. */
function track(budget: RequestBudget, clock: Clock, priorities: RequestPriority[]) {
  const grants: Array<{ i: number; priority: RequestPriority; at: number }> = [];
  const done = priorities.map((p, i) => budget.acquire(p).then(() => void grants.push({ i, priority: p, at: clock.now() })));
  return { grants, all: Promise.all(done) };
}

/** The most grants in any window [t, t + 1 s). */
function maxPerSecond(times: number[]): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1_000).length));
}

describe("RequestBudget", () => {
  test.each([1, 2, 5, 10])("at %i/s, 3½ seconds' worth of requests never exceed the rate in any one-second window", async (rate) => {
    const clock = new ManualClock();
    const budget = new RequestBudget(rate, clock);
    const n = Math.ceil(rate * 3.5);
    const { grants, all } = track(
      budget,
      clock,
      Array.from({ length: n }, () => "read" as const),
    );
    for (let i = 0; i < 10 && grants.length < n; i++) await clock.advance(1_000);
    await all;
    const times = grants.map((g) => g.at);
    expect(maxPerSecond(times)).toBeLessThanOrEqual(rate);
    // ...and it does not throttle harder than asked: the first second's worth goes at once.
    expect(times.filter((t) => t === 0)).toHaveLength(rate);
    expect(Math.max(...times)).toBeLessThanOrEqual(Math.ceil(n / rate) * 1_000);
  });

  test("with the shared fake clock (sleep returns at once): N requests at R/s take at least ⌈N/R⌉ − 1 virtual seconds", async () => {
    const clock = new FakeClock(0);
    const budget = new RequestBudget(4, clock);
    await Promise.all(Array.from({ length: 25 }, () => budget.acquire("poll")));
    expect(clock.now()).toBeGreaterThanOrEqual(6_000);
    expect(clock.now()).toBeLessThanOrEqual(7_000);
  });

  test("a rate below one per second spaces single requests out", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(0.5, clock);
    const { grants, all } = track(budget, clock, ["read", "read", "read"]);
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    await all;
    expect(grants.map((g) => g.at)).toEqual([0, 2_000, 4_000]);
  });

  test("no limit when the rate is not a positive number", async () => {
    for (const rate of [0, -1, Infinity, Number.NaN]) {
      const clock = new ManualClock();
      const budget = new RequestBudget(rate, clock);
      const { grants, all } = track(
        budget,
        clock,
        Array.from({ length: 50 }, () => "read" as const),
      );
      await all;
      expect(grants.every((g) => g.at === 0)).toBe(true);
    }
  });

  test("waiting mutating calls go before reads, and reads before polls", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    const { grants, all } = track(budget, clock, ["poll", "poll", "read", "poll", "mutate", "read", "mutate"]);
    await settle();
    expect(grants.map((g) => g.priority)).toEqual(["poll"]);
    for (let i = 0; i < 8; i++) await clock.advance(1_000);
    await all;
    expect(grants.map((g) => g.priority)).toEqual(["poll", "mutate", "mutate", "read", "read", "poll", "poll"]);
    // Within a priority, first come first served.
    expect(grants.filter((g) => g.priority === "poll").map((g) => g.i)).toEqual([0, 1, 3]);
  });

  test("pause() holds every request, of every priority, until the host's Retry-After has passed", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(100, clock);
    budget.pause(5);
    const { grants, all } = track(budget, clock, ["mutate", "read", "poll"]);
    await clock.advance(4_999);
    expect(grants).toEqual([]);
    await clock.advance(1_001);
    expect(grants.map((g) => g.priority)).toEqual(["mutate", "read", "poll"]);
    expect(grants.every((g) => g.at >= 5_000 && g.at < 5_100)).toBe(true);
    await all;
  });

  test("a pause arriving while requests wait extends their wait; a shorter one does not shorten it", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    await budget.acquire("read");
    const { grants, all } = track(budget, clock, ["read", "mutate"]);
    budget.pause(10);
    budget.pause(2);
    await clock.advance(9_999);
    expect(grants).toEqual([]);
    await clock.advance(3_001);
    expect(grants.map((g) => g.priority)).toEqual(["mutate", "read"]);
    expect(grants[0].at).toBeGreaterThanOrEqual(10_000);
    expect(grants[0].at).toBeLessThanOrEqual(11_000);
    expect(grants[1].at).toBeGreaterThanOrEqual(grants[0].at);
    await all;
  });

  test("a queued request whose signal aborts is rejected at once and takes no slot", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    await budget.acquire("read");
    const ac = new AbortController();
    const aborted = budget.acquire("mutate", ac.signal);
    const { grants, all } = track(budget, clock, ["read"]);
    let rejection: unknown;
    aborted.catch((e: unknown) => (rejection = e));
    const reason = new Error("user cancelled");
    ac.abort(reason);
    await settle();
    // Rejected while time stands still, not when its turn would have come.
    expect(rejection).toBe(reason);
    await clock.advance(1_000);
    expect(grants).toEqual([{ i: 0, priority: "read", at: 1_000 }]);
    await all;
  });

  test("an already aborted signal is rejected without queueing", async () => {
    const budget = new RequestBudget(1, new ManualClock());
    const ac = new AbortController();
    ac.abort(new Error("gone"));
    await expect(budget.acquire("read", ac.signal)).rejects.toThrow("gone");
  });
});
