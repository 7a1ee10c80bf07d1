import { VpsError } from "../../provider/core/errors";
import { defaultWaitBackoff, delayFromProgress, type PollResult, type Progress, waitFor } from "../../provider/core/waiter";
import { FakeClock } from "../support/fakeClock";

/**
 * The operation waiter on a virtual clock: results, failures, timeouts, cancellation, progress
 * reports, and how well its schedule tracks an operation's own progress figure.
 */

/** An operation whose percentage rises linearly from `start` over `durationMs`, rounded down (as flops and the simulator report it). */
function linearOperation(clock: FakeClock, durationMs: number, opts: { start?: number; stuckAt100Ms?: number } = {}) {
  const start = opts.start ?? clock.now();
  const end = start + durationMs + (opts.stuckAt100Ms ?? 0);
  const seen: number[] = [];
  const poll = async (): Promise<PollResult<string>> => {
    const now = clock.now();
    if (now >= end) return { done: true, value: "DONE" };
    const percentage = Math.min(100, Math.floor(((now - start) / durationMs) * 100));
    seen.push(percentage);
    return { done: false, percentage, status: "PENDING" };
  };
  return { poll, end, seen };
}

const base = { host: "flops", what: "operation 8812 (install)" };

describe("waitFor", () => {
  test("returns the poll's value once it says done, counting polls and elapsed time", async () => {
    const clock = new FakeClock();
    let n = 0;
    const r = await waitFor({
      ...base,
      clock,
      timeoutMs: 60_000,
      poll: async () => (++n === 3 ? { done: true, value: { id: 8812 } } : { done: false }),
    });
    expect(r.value).toEqual({ id: 8812 });
    expect(r.polls).toBe(3);
    expect(r.elapsedMs).toBe(clock.slept);
    expect(clock.sleeps).toHaveLength(2);
  });

  test("a done first poll returns without sleeping", async () => {
    const clock = new FakeClock();
    const r = await waitFor({ ...base, clock, timeoutMs: 1_000, poll: async () => ({ done: true, value: 1 }) });
    expect(r).toEqual({ value: 1, polls: 1, elapsedMs: 0 });
    expect(clock.sleeps).toEqual([]);
  });

  test("a failure raised by poll propagates unchanged and stops polling", async () => {
    const clock = new FakeClock();
    const failed = new VpsError({
      kind: "operationFailed",
      host: "flops",
      operation: "operation 8812 (install)",
      vendorCode: "error.disk.full",
      vendorMessage: "no space",
    });
    let n = 0;
    const p = waitFor({
      ...base,
      clock,
      timeoutMs: 60_000,
      poll: async () => {
        if (++n === 2) throw failed;
        return { done: false, percentage: 10 };
      },
    });
    await expect(p).rejects.toBe(failed);
    expect(n).toBe(2);
  });

  test("times out with an error naming the operation, the last status seen and the hint", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    let polls = 0;
    const p = waitFor({
      ...base,
      clock,
      timeoutMs: 90_000,
      objectId: "vm-31",
      timeoutHint: 'Raise operationTimeout on flops:Server "web".',
      poll: async () => {
        polls++;
        return { done: false, percentage: 40, status: "PENDING" };
      },
    });
    const e = (await p.catch((x: unknown) => x)) as VpsError;
    expect(e).toBeInstanceOf(VpsError);
    expect(e.kind).toBe("timeout");
    expect(e.objectId).toBe("vm-31");
    expect(e.message).toContain("operation 8812 (install)");
    expect(e.message).toContain("90 s");
    expect(e.message).toContain("PENDING, 40%");
    expect(e.message).toContain('Raise operationTimeout on flops:Server "web".');
    // It gave up at the deadline: neither early nor long after it, and with a last look at the deadline.
    expect(clock.now() - t0).toBe(90_000);
    expect(polls).toBeGreaterThan(2);
  });

  test("the default timeout hint tells the user what to do", async () => {
    const clock = new FakeClock();
    const e = (await waitFor({ ...base, clock, timeoutMs: 5_000, poll: async () => ({ done: false }) }).catch((x: unknown) => x)) as VpsError;
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(/operationTimeout/);
    expect(e.message).toMatch(/pulumi refresh/);
  });

  test("an already aborted signal stops before the first poll", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    ac.abort();
    const poll = jest.fn(async () => ({ done: true }));
    const e = (await waitFor({ ...base, clock, timeoutMs: 5_000, signal: ac.signal, poll }).catch((x: unknown) => x)) as VpsError;
    expect(e).toBeInstanceOf(VpsError);
    expect(e.message).toMatch(/cancelled/);
    expect(e.message).toContain("operation 8812 (install)");
    expect(poll).not.toHaveBeenCalled();
  });

  test("aborting during a wait stops polling with a cancellation error", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const signals: Array<AbortSignal | undefined> = [];
    clock.onSleep = () => {
      if (clock.sleeps.length === 3) ac.abort();
    };
    const e = (await waitFor({
      ...base,
      clock,
      timeoutMs: 600_000,
      signal: ac.signal,
      poll: async (signal) => {
        signals.push(signal);
        return { done: false };
      },
    }).catch((x: unknown) => x)) as VpsError;
    expect(e).toBeInstanceOf(VpsError);
    expect(e.message).toMatch(/cancelled/);
    expect(signals).toHaveLength(3);
    expect(signals.every((s) => s === ac.signal)).toBe(true);
  });

  test("the progress callback receives the operation's percentage, status, elapsed time and poll count", async () => {
    const clock = new FakeClock();
    const steps = [5, 20, 55, 90];
    const seen: Progress[] = [];
    let n = 0;
    await waitFor({
      ...base,
      clock,
      timeoutMs: 600_000,
      poll: async () => (n < steps.length ? { done: false, percentage: steps[n++], status: "PENDING" } : { done: true }),
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.percentage)).toEqual(steps);
    expect(seen.map((p) => p.polls)).toEqual([1, 2, 3, 4]);
    expect(seen.every((p) => p.status === "PENDING")).toBe(true);
    const elapsed = seen.map((p) => p.elapsedMs);
    expect(elapsed[0]).toBe(0);
    expect([...elapsed].sort((a, b) => a - b)).toEqual(elapsed);
  });

  test("writes one progress line per look that says not done, in the one format of every host", async () => {
    const clock = new FakeClock();
    const lines: string[] = [];
    const results: Array<PollResult<undefined>> = [
      { done: false, percentage: 40, status: "PENDING" },
      { done: false, status: "Not ready" },
      { done: false },
      { done: true },
    ];
    let n = 0;
    await waitFor({
      ...base,
      clock,
      timeoutMs: 600_000,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      poll: async () => results[n++],
      progress: { logger: { progress: (m) => lines.push(m) }, label: 'flops:Server "web"', subject: "install" },
    });
    // The percentage where the API gives one, else its status; the seconds waited at each look.
    expect(lines).toEqual([
      'flops:Server "web": install: 40%, 0 s',
      'flops:Server "web": install: Not ready, 1 s',
      'flops:Server "web": install: not done yet, 2 s',
    ]);
    // Without a subject, the line names what the wait is for.
    const named: string[] = [];
    n = 0;
    await waitFor({
      ...base,
      clock,
      timeoutMs: 600_000,
      poll: async () => (n++ === 0 ? { done: false, status: "in_progress" } : { done: true }),
      progress: { logger: { progress: (m) => named.push(m) }, label: 'vpsorg:Snapshot "s"' },
    });
    expect(named).toEqual(['vpsorg:Snapshot "s": operation 8812 (install): in_progress, 0 s']);
  });

  test("without a percentage the backoff grows from the first interval and is capped", async () => {
    const clock = new FakeClock();
    await expect(
      waitFor({ ...base, clock, timeoutMs: 60_000, backoff: { initialMs: 100, maxMs: 1_000, factor: 2 }, poll: async () => ({ done: false }) }),
    ).rejects.toThrow(/timed out/);
    expect(clock.sleeps.slice(0, 6)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(Math.max(...clock.sleeps)).toBe(1_000);
    expect(clock.slept).toBe(60_000);
  });

  test("the default schedule without a percentage starts short and never sleeps more than its cap", async () => {
    const clock = new FakeClock();
    await expect(waitFor({ ...base, clock, timeoutMs: 3_600_000, poll: async () => ({ done: false }) })).rejects.toThrow(/timed out/);
    expect(clock.sleeps[0]).toBe(defaultWaitBackoff.initialMs);
    expect(Math.max(...clock.sleeps)).toBe(defaultWaitBackoff.maxMs);
    // An hour at a 10 s cap: a few hundred polls, not thousands.
    expect(clock.sleeps.length).toBeLessThan(400);
  });

  describe("progress-based scheduling", () => {
    test.each([1_000, 10_000, 30_000, 120_000, 300_000])(
      "an operation whose percentage rises linearly over %i ms: at most 12 polls, overhead ≤ 5 % and ≤ 2 s",
      async (durationMs) => {
        const clock = new FakeClock();
        const op = linearOperation(clock, durationMs);
        const r = await waitFor({ ...base, clock, timeoutMs: 3_600_000, poll: op.poll });
        expect(r.value).toBe("DONE");
        const overhead = clock.now() - op.end;
        expect(r.polls).toBeLessThanOrEqual(12);
        expect(overhead).toBeGreaterThanOrEqual(0);
        expect(overhead).toBeLessThanOrEqual(Math.min(0.05 * durationMs, 2_000));
      },
    );

    test("an operation started before the wait (the create call took time) is still tracked closely", async () => {
      const clock = new FakeClock();
      const op = linearOperation(clock, 60_000, { start: clock.now() - 1_500 });
      const r = await waitFor({ ...base, clock, timeoutMs: 3_600_000, poll: op.poll });
      expect(r.polls).toBeLessThanOrEqual(12);
      expect(clock.now() - op.end).toBeLessThanOrEqual(2_000);
    });

    test.each([1_000, 3_000, 6_000, 15_000])("an operation that sits at 100 %% for %i ms before it is done is noticed soon after it ends", async (stuckMs) => {
      const clock = new FakeClock();
      const op = linearOperation(clock, 120_000, { stuckAt100Ms: stuckMs });
      const r = await waitFor({ ...base, clock, timeoutMs: 3_600_000, poll: op.poll });
      expect(op.seen).toContain(100);
      expect(r.polls).toBeLessThanOrEqual(16);
      expect(clock.now() - op.end).toBeLessThanOrEqual(Math.max(2_000, stuckMs / 2));
    });

    test("an estimate never pushes the wait past the timeout", async () => {
      const clock = new FakeClock();
      const t0 = clock.now();
      const op = linearOperation(clock, 1_000_000);
      await expect(waitFor({ ...base, clock, timeoutMs: 100_000, poll: op.poll })).rejects.toThrow(/timed out/);
      expect(clock.now() - t0).toBe(100_000);
    });
  });
});

describe("delayFromProgress", () => {
  const b = defaultWaitBackoff;

  test("gives no estimate without a usable percentage", () => {
    expect(delayFromProgress(5_000, undefined, b)).toBeUndefined();
    expect(delayFromProgress(5_000, 0, b)).toBeUndefined();
    expect(delayFromProgress(5_000, 100, b)).toBeUndefined();
    expect(delayFromProgress(0, 50, b)).toBeUndefined();
    expect(delayFromProgress(5_000, Number.NaN, b)).toBeUndefined();
  });

  test("near the end, waits until just after the earliest possible end", () => {
    // 50 % after 5 s (rounded down): the end lies between 5/0.51 ≈ 9.8 s and 10 s.
    const d = delayFromProgress(5_000, 50, b)!;
    expect(5_000 + d).toBeGreaterThanOrEqual(5_000 / 0.51);
    expect(5_000 + d).toBeLessThanOrEqual(10_000 + b.minMs);
  });

  test("far from the end, looks again before the earliest possible end", () => {
    // 10 % after 60 s: the end is at least 60/0.11 ≈ 545 s away from the start.
    const d = delayFromProgress(60_000, 10, b)!;
    expect(60_000 + d).toBeLessThan(60_000 / 0.11);
    expect(d).toBeGreaterThan(60_000);
  });

  test("never proposes less than the minimum gap", () => {
    expect(delayFromProgress(10, 99, b)).toBeGreaterThanOrEqual(b.minMs);
  });
});
