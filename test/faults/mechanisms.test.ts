/**
 * The mechanisms the fault matrix (matrix.ts) showed were needed, each tested on its own: the request budget counting
 * a slot from the answer and believing the host's `X-RateLimit-*` count, the HTTP client reading those
 * headers, errors that always say what to do next, a create that may still make its object saying to
 * adopt it, and wait failures naming what was awaited.
 */
import { z } from "zod";
import { HttpClient } from "../../provider/core/http";
import { VpsError } from "../../provider/core/errors";
import { createResource } from "../../provider/core/lifecycle";
import { RequestBudget } from "../../provider/core/rateLimit";
import { defineResource } from "../../provider/core/resource";
import { MemoryLogger } from "../../provider/core/log";
import { systemClock } from "../../provider/core/clock";
import { waitFor } from "../../provider/core/waiter";
import { SimulatorServer } from "../../simulator/core/server";
import { FakeClock } from "../support/fakeClock";
import { ManualClock } from "../support/manualClock";

describe("RequestBudget.reserve: a slot counts from the answer", () => {
  test("the next request waits a full window after the answer of the one it replaces, not after its grant", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    const release = await budget.reserve("read");
    const granted: number[] = [];
    const next = budget.reserve("read").then((r) => (granted.push(clock.now()), r));
    await clock.advance(300);
    release(); // the answer arrives 300 ms after the grant
    await clock.advance(999);
    expect(granted).toEqual([]); // counted from the grant it would have gone at 1 000
    await clock.advance(1);
    expect(granted).toEqual([1_300]);
    (await next)();
  });

  test("while every slot is on the wire, nothing more goes; the first answer frees one a window later", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(2, clock);
    const a = await budget.reserve("read");
    await budget.reserve("read");
    const granted: number[] = [];
    const third = budget.reserve("read").then(() => granted.push(clock.now()));
    await clock.advance(5_000);
    expect(granted).toEqual([]);
    a();
    await clock.advance(999);
    expect(granted).toEqual([]);
    await clock.advance(1);
    await third;
    expect(granted).toEqual([6_000]);
  });

  test("acquire still counts from the grant (unchanged)", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    await budget.acquire("read");
    const granted: number[] = [];
    const next = budget.acquire("read").then(() => granted.push(clock.now()));
    await clock.advance(1_000);
    await next;
    expect(granted).toEqual([1_000]);
  });
});

describe("RequestBudget.hostWindow: the host's own count", () => {
  test("no more than `remaining` go before the reset; then one probe, and its answer sets the new count", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1_000, clock);
    budget.hostWindow(2, 1);
    const granted: number[] = [];
    const releases: Array<() => void> = [];
    const all = Array.from({ length: 6 }, () => budget.reserve("read").then((r) => (granted.push(clock.now()), releases.push(r))));
    await clock.advance(10);
    expect(granted).toEqual([0, 0]);
    releases.forEach((r) => r());
    await clock.advance(990);
    expect(granted).toEqual([0, 0, 1_000]); // the probe
    budget.hostWindow(3, 1, { ownSlotOpen: true });
    releases[2]();
    await clock.advance(1);
    expect(granted).toEqual([0, 0, 1_000, 1_000, 1_000, 1_000]);
    releases.slice(3).forEach((r) => r());
    await Promise.all(all);
  });

  test("requests still on the wire count against the host's remaining, and a later, higher count does not raise it", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1_000, clock);
    const onWire = await Promise.all([budget.reserve("read"), budget.reserve("read"), budget.reserve("read")]);
    budget.hostWindow(4, 1, { ownSlotOpen: true }); // 4 left, 2 others in flight → 2
    budget.hostWindow(9, 1, { ownSlotOpen: true }); // out of order: ignored within the window
    const granted: number[] = [];
    const more = Array.from({ length: 4 }, () => budget.reserve("read").then((r) => (granted.push(clock.now()), r)));
    await clock.advance(10);
    expect(granted).toHaveLength(2);
    onWire.forEach((r) => r());
    await clock.advance(2_000);
    (await Promise.all(more)).forEach((r) => r());
  });
});

describe("HttpClient honours X-RateLimit-* and RateLimit-* headers", () => {
  // The client reads an epoch reset against its own clock: a fixed one, so the seconds left are exact.
  const clock = new FakeClock();
  test.each([
    ["x-ratelimit-reset as seconds", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2" }, 2],
    ["ratelimit-reset as seconds (IETF draft)", { "ratelimit-remaining": "0", "ratelimit-reset": "3" }, 3],
    ["x-ratelimit-reset as epoch seconds", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(clock.now() / 1000 + 4) }, 4],
  ])("%s", async (_title, headers, seconds) => {
    const calls: Array<[number, number]> = [];
    const budget = new RequestBudget(100, systemClock);
    const original = budget.hostWindow.bind(budget);
    budget.hostWindow = (remaining, reset, opts) => {
      calls.push([remaining, reset]);
      original(remaining, reset, opts);
    };
    const server = new SimulatorServer(
      () => ({ body: { ok: true }, headers }),
      () => [],
    );
    const url = await server.start();
    try {
      const client = new HttpClient({ host: "test", baseUrl: url, decodeVendor: () => undefined, budget, clock });
      await client.call({ operation: "GET /x", method: "GET", path: "/x", repeat: "repeatable", priority: "read", schema: z.object({ ok: z.boolean() }) });
      expect(calls).toEqual([[0, seconds]]);
    } finally {
      await server.stop();
    }
  });

  test("a simulator rate limit with headers: a client under a larger budget is told the count and collects no 429", async () => {
    const server = new SimulatorServer(
      () => ({ body: { ok: true } }),
      () => [],
    );
    const url = await server.start();
    server.setRateLimit({ perSecond: 5, headers: true });
    try {
      const client = new HttpClient({ host: "test", baseUrl: url, decodeVendor: () => undefined, budget: new RequestBudget(1_000, systemClock) });
      const call = () =>
        client.call({ operation: "GET /x", method: "GET", path: "/x", repeat: "repeatable", priority: "read", schema: z.object({ ok: z.boolean() }) });
      await call(); // the first answer tells the count
      await Promise.all(Array.from({ length: 8 }, call));
      expect(server.rateLimitedCount).toBe(0);
      expect(server.maxRequestsInWindow(1_000)).toBeLessThanOrEqual(5);
    } finally {
      await server.stop();
    }
  }, 15_000);
});

describe("errors always say what to do next", () => {
  test.each(["notFound", "operationFailed"] as const)("%s without a hint gets the default next step", (kind) => {
    const e = new VpsError({ kind, host: "h", operation: "op" });
    expect(e.message).toMatch(/pulumi refresh/);
    expect(e.hint).toMatch(/pulumi up/);
  });

  test("a given hint wins", () => {
    expect(new VpsError({ kind: "notFound", host: "h", operation: "op", hint: "check the id" }).message).toBe("h: op failed; check the id.");
  });
});

describe("a create that may still make its object says to adopt it", () => {
  const def = defineResource({
    host: "h",
    type: "Thing",
    description: "test",
    inputs: { name: { schema: z.string(), description: "n" }, importFrom: { schema: z.string().optional(), description: "i", createOnly: true } },
    outputs: {},
    handler: {
      async create() {
        throw new VpsError({ kind: "timeout", host: "h", operation: "waiting for thing", hint: "raise operationTimeout" }, "timed out");
      },
      async read() {
        return undefined;
      },
      async delete() {},
    },
  });
  const ctx = { logger: new MemoryLogger(), clock: systemClock, label: 'h:Thing "t"' };

  test("timeout without an id to keep: importFrom named, kind and fields kept", async () => {
    const e = (await createResource(def, { name: "t" }, ctx).catch((x: unknown) => x)) as VpsError;
    expect(e).toBeInstanceOf(VpsError);
    expect(e.kind).toBe("timeout");
    expect(e.message).toMatch(
      /^h:Thing "t": h: waiting for thing failed: timed out; raise operationTimeout\. The Thing may still be made on the host: once it shows there, adopt it with importFrom/,
    );
    expect(e.hint).toMatch(/raise operationTimeout\. The Thing may still be made/);
  });
});

describe("a failure while waiting names what was awaited", () => {
  /** The error a wait for "operation 7 (install)" ends with when its poll throws `thrown`. */
  const waitFailingWith = async (thrown: VpsError) =>
    (await waitFor({
      host: "h",
      what: "operation 7 (install)",
      timeoutMs: 1_000,
      poll: async () => {
        throw thrown;
      },
    }).catch((x: unknown) => x)) as VpsError;

  test("the poll's error gets the wait's `what` in front", async () => {
    const e = await waitFailingWith(new VpsError({ kind: "notFound", host: "h", operation: "GET /vm/1/" }));
    expect(e.kind).toBe("notFound");
    expect(e.message).toMatch(/^waiting for operation 7 \(install\): h: GET \/vm\/1\/ failed/);
  });

  test("an error that already names it is left alone", async () => {
    const e = await waitFailingWith(new VpsError({ kind: "operationFailed", host: "h", operation: "operation 7 (install)" }));
    expect(e.message).toMatch(/^h: operation 7 \(install\) failed/);
  });
});
