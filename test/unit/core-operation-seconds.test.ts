import { z } from "zod";
import { CoalescedListing } from "../../provider/core/coalesce";
import { operationDurations, recordingOperationSeconds } from "../../provider/core/durations";
import { createResource, deleteResource, diffResource, readResource, updateResource } from "../../provider/core/lifecycle";
import { silentLogger } from "../../provider/core/log";
import { currentUnblocks, RequestBudget, requestSent, unblockingWaits } from "../../provider/core/rateLimit";
import { defineResource, type HandlerContext } from "../../provider/core/resource";
import { waitFor } from "../../provider/core/waiter";
import { FakeClock } from "../support/fakeClock";
import { ManualClock } from "../support/manualClock";

/**
 * `lastOperationSeconds`: what a resource's waits took, kept in its state as an output (never a
 * diff) and read back as the next run's estimate; and the request budget serving first what ends the
 * most waits.
 */

const HOST = "sim";

/** A resource whose create and update each wait for one operation of `durationMs` on a virtual clock. */
function waitingResource(durationMs: () => number, clock: FakeClock) {
  const firstSleeps: number[] = [];
  const awaitOne = async (kind: string) => {
    const start = clock.now();
    const mark = clock.sleeps.length;
    await waitFor({
      host: HOST,
      what: kind,
      clock,
      timeoutMs: 3_600_000,
      operation: { kind },
      poll: async () => ({ done: clock.now() - start >= durationMs() }),
    });
    firstSleeps.push(clock.sleeps[mark] ?? 0);
  };
  const def = recordingOperationSeconds(
    defineResource({
      host: HOST,
      type: "Disk",
      description: "a disk",
      inputs: { size: { schema: z.number(), description: "GB" } },
      outputs: { serial: { schema: z.string(), description: "serial" } },
      handler: {
        async create(inputs) {
          await awaitOne("format");
          return { id: "d1", outs: { ...inputs, serial: "s-1" } };
        },
        async read(id, state) {
          return { id, inputs: { size: state.size ?? 1 }, outs: { size: state.size ?? 1, serial: "s-1" } };
        },
        async update(_id, olds, news) {
          await awaitOne("resize");
          return { ...olds, ...news };
        },
        async delete() {
          await awaitOne("wipe");
        },
      },
    }),
  );
  return { def, firstSleeps };
}

const ctx = (clock: FakeClock): HandlerContext => ({ logger: silentLogger, clock, label: 'sim:Disk "d"' });

beforeEach(() => operationDurations.clear());

describe("lastOperationSeconds", () => {
  test("create records each kind of wait it made; update adds to it; read keeps it; delete uses it", async () => {
    const clock = new FakeClock();
    let d = 300_000;
    const { def, firstSleeps } = waitingResource(() => d, clock);
    expect(Object.keys(def.outputs)).toContain("lastOperationSeconds");

    const created = await createResource(def, { size: 10 }, ctx(clock));
    const formatted = created.outs.lastOperationSeconds as Record<string, number>;
    expect(Object.keys(formatted)).toEqual(["format"]);
    // Seen done within the backoff's last step of the real 300 s.
    expect(formatted.format).toBeGreaterThanOrEqual(290);
    expect(formatted.format).toBeLessThanOrEqual(310);

    const read = await readResource(def, "d1", created.outs, ctx(clock));
    expect(read!.outs.lastOperationSeconds).toEqual(formatted);

    d = 60_000;
    const updated = await updateResource(def, "d1", created.outs, { size: 20 }, ctx(clock));
    expect(updated.lastOperationSeconds).toEqual({ format: formatted.format, resize: expect.any(Number) });

    // A new process (nothing seen): delete's wait starts from what the state says a wipe took.
    operationDurations.clear();
    await deleteResource(def, "d1", { ...updated, lastOperationSeconds: { ...(updated.lastOperationSeconds as object), wipe: 120 } }, ctx(clock));
    // 120 s ± 30 %: an early look a quarter of the way to 84 s, not a poll at once.
    expect(firstSleeps[firstSleeps.length - 1]).toBe(21_000);
  });

  test("is never a diff: a changed or missing value compares equal", async () => {
    const clock = new FakeClock();
    const { def } = waitingResource(() => 1_000, clock);
    const olds = { size: 10, serial: "s-1", lastOperationSeconds: { format: 312.4 } };
    expect((await diffResource(def, olds, { size: 10 })).changes).toBe(false);
    expect((await diffResource(def, { ...olds, lastOperationSeconds: { format: 1 } }, { size: 10, lastOperationSeconds: { format: 2 } })).changes).toBe(false);
  });

  test("a state seen at diff gives this run's first operation of the kind an estimate", async () => {
    const clock = new FakeClock();
    const { def, firstSleeps } = waitingResource(() => 300_000, clock);
    await diffResource(def, { size: 10, serial: "s-0", lastOperationSeconds: { format: 300 } }, { size: 10 });
    expect(operationDurations.estimate(HOST, { kind: "format" })).toMatchObject({ source: "state", samples: 1 });
    const created = await createResource(def, { size: 10 }, ctx(clock));
    // The first poll waits for the likely window instead of going at once.
    expect(firstSleeps[0]).toBeGreaterThan(30_000);
    expect(created.outs.lastOperationSeconds).toEqual({ format: expect.any(Number) });
  });

  test("a resource that made no wait gets no value", async () => {
    const clock = new FakeClock();
    const { def } = waitingResource(() => 1_000, clock);
    const read = await readResource(def, "d1", { size: 10 }, ctx(clock));
    expect(read!.outs).not.toHaveProperty("lastOperationSeconds");
  });
});

describe("request budget: what unblocks the most waits first", () => {
  test("reads that arrive while a listing waits for its turn in the budget join it; after it leaves, they start another", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    let listings = 0;
    const listing = new CoalescedListing(
      async () => {
        await budget.acquire("read");
        requestSent();
        listings++;
        return new Map([
          [1, "a"],
          [2, "b"],
          [3, "c"],
          [4, "d"],
        ]);
      },
      0,
      0,
    );
    await budget.acquire("read"); // the budget's one slot of this second is taken
    const first = [listing.get(1), listing.get(2)];
    await clock.advance(500); // the listing still waits for the next second
    first.push(listing.get(3));
    await clock.advance(600); // now it has left
    expect(await Promise.all(first)).toEqual(["a", "b", "c"]);
    const late = listing.get(4);
    await clock.advance(1_100);
    expect(await late).toBe("d");
    expect(listings).toBe(2);
  });

  test("within a priority, a request that ends more waits is served first; equal ones in arrival order", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    const order: string[] = [];
    const take = (name: string, unblocks: number) => budget.acquire("poll", undefined, { unblocks }).then(() => void order.push(name));
    const all = Promise.all([take("first", 1), take("early look", 0), take("due poll", 1), take("listing for 5", 5), take("another early look", 0)]);
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    await all;
    expect(order).toEqual(["first", "listing for 5", "due poll", "early look", "another early look"]);
  });

  test("priorities still come first: a mutation before a listing that ends many waits", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(1, clock);
    const order: string[] = [];
    const all = Promise.all([
      budget.acquire("read").then(() => void order.push("first")),
      budget.acquire("poll", undefined, { unblocks: 50 }).then(() => void order.push("listing")),
      budget.acquire("mutate", undefined, { unblocks: 0 }).then(() => void order.push("install")),
    ]);
    for (let i = 0; i < 4; i++) await clock.advance(1_000);
    await all;
    expect(order).toEqual(["first", "install", "listing"]);
  });

  test("a coalesced listing counts the reads it answers; a waiter's early look counts none", async () => {
    let seen: number | undefined;
    const listing = new CoalescedListing(async () => {
      seen = currentUnblocks()();
      return new Map([
        [1, "a"],
        [2, "b"],
        [3, "c"],
      ]);
    });
    await Promise.all([listing.get(1), listing.get(2), listing.get(3)]);
    expect(seen).toBe(3);
    expect(currentUnblocks()()).toBe(1);
    expect(unblockingWaits(0, () => currentUnblocks()())).toBe(0);

    const clock = new FakeClock();
    operationDurations.record(HOST, { kind: "format" }, { afterMs: 600_000, byMs: 610_000 });
    const marks: number[] = [];
    const start = clock.now();
    await waitFor({
      host: HOST,
      what: "format",
      clock,
      timeoutMs: 3_600_000,
      operation: { kind: "format" },
      poll: async () => (marks.push(currentUnblocks()()), { done: clock.now() - start >= 605_000 }),
    });
    // The early look (a quarter of the way) and the look at the window's start end nothing; the rest may.
    expect(marks.slice(0, 2)).toEqual([0, 0]);
    expect(marks.slice(2).every((m) => m === 1)).toBe(true);
  });
});
