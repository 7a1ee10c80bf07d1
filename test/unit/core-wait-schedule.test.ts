import { type DocumentedDuration, operationDurations, type AwaitedOperation } from "../../provider/core/durations";
import { VpsError } from "../../provider/core/errors";
import { defaultWaitBackoff, PollSchedule, type PollResult, waitFor } from "../../provider/core/waiter";
import { FakeClock } from "../support/fakeClock";

/**
 * The waiter's schedule when it knows how long operations of the kind take (provider/core/durations.ts),
 * on a virtual clock: the bounds BENCHMARKS.md reports (polls per operation, time from the end to the
 * wait returning) asserted here, so a regression fails `npm test` and not only the benchmark.
 */

const HOST = "sim";
const kind = (documented?: DocumentedDuration): AwaitedOperation => ({ kind: "snapshot", scope: "http://127.0.0.1:1", documented });

interface Outcome {
  polls: number;
  overheadMs: number;
  sleeps: number[];
}

/** One operation of `durationMs` awaited through `waitFor`: done from its end on, with `percentage` rounded down before it when asked. */
async function awaitOperation(
  durationMs: number,
  opts: { op?: AwaitedOperation; progress?: boolean; failAtMs?: number; timeoutMs?: number } = {},
): Promise<Outcome> {
  const clock = new FakeClock();
  const start = clock.now();
  const poll = async (): Promise<PollResult<string>> => {
    const t = clock.now() - start;
    if (opts.failAtMs !== undefined && t >= opts.failAtMs)
      throw new VpsError({ kind: "operationFailed", host: HOST, operation: "snapshot", vendorCode: "failed" });
    if (t >= durationMs) return { done: true, value: "done" };
    return { done: false, percentage: opts.progress ? Math.floor((t / durationMs) * 100) : undefined, status: "in_progress" };
  };
  const r = await waitFor({ host: HOST, what: "snapshot 1", clock, timeoutMs: opts.timeoutMs ?? 4 * 3_600_000, poll, operation: opts.op ?? kind() });
  expect(r.value).toBe("done");
  return { polls: r.polls, overheadMs: clock.now() - start - durationMs, sleeps: clock.sleeps };
}

/** `n` durations spread evenly over nominal ± spread. */
const spreadOver = (nominalMs: number, spread: number, n: number) =>
  Array.from({ length: n }, (_, i) => Math.round(nominalMs * (1 - spread + (2 * spread * i) / (n - 1))));
/** The same durations in another order, for the operations seen before the measured one. */
const shuffled = (xs: number[]) => xs.map((_, i) => xs[(i * 5 + 3) % xs.length]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

beforeEach(() => operationDurations.clear());

describe("schedule from durations seen in this process", () => {
  const cases: Array<[string, number, number]> = [];
  for (const nominal of [30_000, 300_000, 1_800_000]) for (const spread of [0.1, 0.3]) cases.push([`${nominal / 1000} s ±${spread * 100} %`, nominal, spread]);

  test.each(cases)(
    "%s, after one and after ten of the kind: median ≤ 12 polls and ≤ 5 %% overhead, never more than 24 polls",
    async (_name, nominal, spread) => {
      const measured = spreadOver(nominal, spread, 9);
      for (const seenBefore of [1, 10]) {
        const outcomes: Outcome[] = [];
        for (let i = 0; i < measured.length; i++) {
          operationDurations.clear();
          const before = shuffled(spreadOver(nominal, spread, Math.max(seenBefore, 2)));
          for (let j = 0; j < seenBefore; j++) await awaitOperation(before[(i + j) % before.length]);
          outcomes.push(await awaitOperation(measured[i]));
        }
        const overheads = outcomes.map((o) => o.overheadMs / nominal);
        expect(median(outcomes.map((o) => o.polls))).toBeLessThanOrEqual(12);
        expect(Math.max(...outcomes.map((o) => o.polls))).toBeLessThanOrEqual(24);
        expect(median(overheads)).toBeLessThanOrEqual(0.05);
        expect(Math.min(...outcomes.map((o) => o.overheadMs))).toBeGreaterThanOrEqual(0);
      }
    },
  );

  test("an end inside the likely window is seen within 5 % of the operation's time", async () => {
    await awaitOperation(300_000);
    const estimate = operationDurations.estimate(HOST, kind())!;
    expect(estimate.source).toBe("history");
    for (let d = estimate.earliestMs; d <= estimate.latestMs; d += (estimate.latestMs - estimate.earliestMs) / 17) {
      operationDurations.clear();
      await awaitOperation(300_000);
      const o = await awaitOperation(Math.round(d));
      expect(o.overheadMs).toBeLessThanOrEqual(0.05 * d + defaultWaitBackoff.minMs);
    }
  });

  test("it sleeps until shortly before the likely end: no poll at the start, one early look, then the window", async () => {
    await awaitOperation(600_000);
    const o = await awaitOperation(600_000);
    const estimate = operationDurations.estimate(HOST, kind())!;
    // First look a quarter of the way to the earliest likely end, the next at that end.
    expect(o.sleeps[0]).toBeGreaterThan(0);
    expect(o.sleeps[0]).toBeLessThan(estimate.earliestMs / 3);
    expect(o.sleeps[0] + o.sleeps[1]).toBeGreaterThan(0.6 * 600_000);
    expect(o.polls).toBeLessThanOrEqual(12);
  });

  test("1 s operations: overhead ≤ 250 ms once one of the kind was seen", async () => {
    for (const d of spreadOver(1_000, 0.3, 5)) {
      operationDurations.clear();
      await awaitOperation(1_000);
      expect((await awaitOperation(d)).overheadMs).toBeLessThanOrEqual(250);
    }
  });

  test("operations that got much faster or slower are still seen, and the next estimate follows them", async () => {
    for (let i = 0; i < 5; i++) await awaitOperation(300_000);
    const fast = await awaitOperation(40_000);
    expect(fast.overheadMs).toBeGreaterThanOrEqual(0);
    expect(fast.overheadMs).toBeLessThanOrEqual(300_000);
    const slow = await awaitOperation(900_000);
    // Past the window the gaps grow to at most a tenth of the time waited.
    expect(slow.overheadMs).toBeLessThanOrEqual(0.1 * 900_000 + 1);
    expect(operationDurations.estimate(HOST, kind())!.latestMs).toBeGreaterThan(900_000);
  });

  test("a failure early in a long operation is seen at the early look, not at the likely end", async () => {
    await awaitOperation(1_200_000);
    const clock = new FakeClock();
    const start = clock.now();
    const e = (await waitFor({
      host: HOST,
      what: "snapshot 2",
      clock,
      timeoutMs: 3_600_000,
      operation: kind(),
      poll: async () => {
        if (clock.now() - start >= 10_000) throw new VpsError({ kind: "operationFailed", host: HOST, operation: "snapshot 2", vendorCode: "failed" });
        return { done: false };
      },
    }).catch((x: unknown) => x)) as VpsError;
    expect(e.kind).toBe("operationFailed");
    expect(clock.now() - start).toBeLessThanOrEqual(0.3 * 1_200_000);
  });

  test("the first sleep never goes past the wait's limit", async () => {
    await awaitOperation(600_000);
    const clock = new FakeClock();
    const start = clock.now();
    await expect(waitFor({ host: HOST, what: "snapshot 3", clock, timeoutMs: 60_000, operation: kind(), poll: async () => ({ done: false }) })).rejects.toThrow(
      /timed out/,
    );
    expect(clock.now() - start).toBe(60_000);
  });

  test("progress and history together: the look before the window reads the percentage, the next one sees the end", async () => {
    for (const d of [280_000, 320_000]) await awaitOperation(d, { progress: true });
    const outcomes: Outcome[] = [];
    for (const d of spreadOver(300_000, 0.3, 7)) {
      const o = await awaitOperation(d, { progress: true });
      expect(o.overheadMs).toBeLessThanOrEqual(0.05 * d);
      outcomes.push(o);
    }
    expect(median(outcomes.map((o) => o.polls))).toBeLessThanOrEqual(3);
    // One outside the window falls back on the progress schedule alone (10 polls for 5 min).
    expect(Math.max(...outcomes.map((o) => o.polls))).toBeLessThanOrEqual(10);
  });
});

describe("first operation of a kind", () => {
  const vendor: DocumentedDuration = { minSeconds: 180, maxSeconds: 600, source: "VPS.org snapshots API: 3-10 minutes" };

  test("with the vendor's documented range (3–10 min): ≤ 24 polls and ≤ 10 % overhead for operations inside it", async () => {
    for (const d of spreadOver(300_000, 0.3, 7)) {
      operationDurations.clear();
      const o = await awaitOperation(d, { op: kind(vendor) });
      expect(o.polls).toBeLessThanOrEqual(24);
      expect(o.overheadMs).toBeLessThanOrEqual(0.1 * d);
    }
  });

  test("with the vendor's range, early polls follow today's backoff, so a much shorter operation is seen as soon as today", async () => {
    const withRange = await awaitOperation(1_500, { op: kind(vendor) });
    operationDurations.clear();
    const without = await awaitOperation(1_500, { op: kind() });
    expect(withRange.sleeps).toEqual(without.sleeps);
  });

  test("with a duration from state (lastOperationSeconds): ≤ 24 polls and ≤ 10 % overhead", async () => {
    for (const [i, d] of spreadOver(300_000, 0.3, 7).entries()) {
      operationDurations.clear();
      operationDurations.noteState(HOST, { snapshot: shuffled(spreadOver(300, 0.3, 7))[i] });
      expect(operationDurations.estimate(HOST, kind())?.source).toBe("state");
      const o = await awaitOperation(d);
      expect(o.polls).toBeLessThanOrEqual(24);
      expect(o.overheadMs).toBeLessThanOrEqual(0.1 * d);
    }
  });

  test("without any estimate: today's capped backoff, first poll at once", async () => {
    const o = await awaitOperation(30_000);
    expect(o.sleeps.slice(0, 6)).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000]);
    expect(Math.max(...o.sleeps)).toBe(defaultWaitBackoff.maxMs);
  });
});

describe("PollSchedule", () => {
  test("looks before the window do not claim to end a wait in the request budget; looks inside it do", () => {
    const s = new PollSchedule({ earliestMs: 200_000, latestMs: 400_000, source: "history", samples: 3 }, defaultWaitBackoff);
    expect(s.first()).toBe(50_000);
    expect(s.unblocks()).toBe(0);
    expect(s.next(50_000, undefined)).toBe(150_000);
    expect(s.unblocks()).toBe(0);
    expect(s.next(200_000, undefined)).toBeCloseTo(10_000);
    expect(s.unblocks()).toBe(1);
  });

  test("a percentage that contradicts the window replaces it with the progress estimate", () => {
    const s = new PollSchedule({ earliestMs: 200_000, latestMs: 400_000, source: "history", samples: 3 }, defaultWaitBackoff);
    s.first();
    // 90 % after 50 s: the end is about 55 s, far before the window.
    const d = s.next(50_000, 90);
    expect(50_000 + d).toBeLessThan(60_000);
  });

  test("a recorded end found by the window's first look counts as just short of the window, not halfway from the early look", async () => {
    for (let i = 0; i < 3; i++) await awaitOperation(300_000);
    const before = operationDurations.estimate(HOST, kind())!;
    await awaitOperation(Math.round(before.earliestMs * 0.97));
    const after = operationDurations.estimate(HOST, kind())!;
    expect(after.earliestMs).toBeGreaterThan(0.8 * before.earliestMs);
  });
});

describe("OperationDurations", () => {
  test("history beats state, state beats the vendor's range; scopes and hosts are kept apart", () => {
    const op = kind({ minSeconds: 180, maxSeconds: 600, source: "the vendor's documentation" });
    expect(operationDurations.estimate(HOST, op)).toMatchObject({ source: "vendor", earliestMs: 180_000, latestMs: 600_000 });
    operationDurations.noteState(HOST, { snapshot: 100 });
    operationDurations.noteState(HOST, { snapshot: 100 });
    expect(operationDurations.estimate(HOST, op)).toMatchObject({ source: "state", samples: 1 });
    expect(operationDurations.estimate(HOST, op, 50)).toMatchObject({ source: "state", earliestMs: 35_000 });
    operationDurations.record(HOST, op, { afterMs: 200_000, byMs: 220_000 });
    // One operation: its midpoint ±30 %, widened by its own ±10 s.
    const w = Math.sqrt(0.3 ** 2 + (10 / 210) ** 2);
    const history = operationDurations.estimate(HOST, op)!;
    expect(history).toMatchObject({ source: "history", samples: 1 });
    expect(history.earliestMs).toBeCloseTo(210_000 * (1 - w));
    expect(history.latestMs).toBeCloseTo(210_000 * (1 + w));
    expect(operationDurations.estimate(HOST, { ...op, scope: "http://127.0.0.1:2" })?.source).toBe("state");
    expect(operationDurations.estimate("other", op)?.source).toBe("vendor");
  });

  test("the window narrows as operations of the kind are seen", () => {
    const op = kind();
    const widths: number[] = [];
    for (const d of [100_000, 110_000, 90_000, 105_000, 95_000, 100_000]) {
      operationDurations.record(HOST, op, { afterMs: d - 500, byMs: d + 500 });
      const e = operationDurations.estimate(HOST, op)!;
      widths.push(e.latestMs / e.earliestMs);
    }
    expect(widths[widths.length - 1]).toBeLessThan(widths[0]);
    expect(widths[widths.length - 1]).toBeLessThan(1.4);
  });

  test("state values that are not positive numbers are ignored", () => {
    operationDurations.noteState(HOST, { snapshot: "12", restore: -1, backup: Number.NaN });
    operationDurations.noteState(HOST, [1, 2]);
    operationDurations.noteState(HOST, undefined);
    expect(operationDurations.estimate(HOST, kind())).toBeUndefined();
  });
});
