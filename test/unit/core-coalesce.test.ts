import { CoalescedListing } from "../../provider/core/coalesce";
import { ManualClock } from "../support/manualClock";

/**
 * Coalesced listings (provider/core/coalesce.ts): how long a batch of reads stays open. A refresh's
 * reads reach the provider in clumps as the host takes them in, further apart on a busy machine.
 */

function counted(ids: number[]) {
  const calls = { n: 0 };
  const listAll = async () => {
    calls.n++;
    return new Map(ids.map((i) => [i, `vm ${i}`]));
  };
  return { calls, listAll };
}

const ids = Array.from({ length: 20 }, (_, i) => i);

describe("CoalescedListing", () => {
  test("reads in clumps 60 ms apart share one listing when the gap grows with the reads joined; with a fixed 30 ms gap each clump has its own", async () => {
    for (const [maxGapMs, listings] of [
      [100, 1],
      [undefined, 4],
    ] as const) {
      const clock = new ManualClock();
      const { calls, listAll } = counted(ids);
      const listing = new CoalescedListing(listAll, 30, 1_000, clock, maxGapMs);
      const reads: Array<Promise<string | undefined>> = [];
      for (let clump = 0; clump < 4; clump++) {
        for (let i = 0; i < 5; i++) reads.push(listing.get(clump * 5 + i));
        await clock.advance(60);
      }
      await clock.advance(1_000);
      expect(await Promise.all(reads)).toEqual(ids.map((i) => `vm ${i}`));
      expect(calls.n).toBe(listings);
    }
  });

  test("a single read waits only the base gap, even where the gap may grow", async () => {
    const clock = new ManualClock();
    const { calls, listAll } = counted([1]);
    const listing = new CoalescedListing(listAll, 30, 1_000, clock, 100);
    const read = listing.get(1);
    await clock.advance(29);
    expect(calls.n).toBe(0);
    await clock.advance(1);
    expect(calls.n).toBe(1);
    expect(await read).toBe("vm 1");
  });

  test("a batch closes at maxWaitMs while reads keep arriving", async () => {
    const clock = new ManualClock();
    const { calls, listAll } = counted(ids);
    const listing = new CoalescedListing(listAll, 30, 200, clock, 100);
    const reads: Array<Promise<string | undefined>> = [];
    for (let clump = 0; clump < 10; clump++) {
      reads.push(listing.get(clump * 2), listing.get(clump * 2 + 1));
      await clock.advance(50);
    }
    await clock.advance(1_000);
    await Promise.all(reads);
    // The clumps at 0–150 ms share the listing sent at 200 ms, those at 200–350 ms the one at 400 ms,
    // the last two a third.
    expect(calls.n).toBe(3);
  });

  test("time the process could not run does not close a batch: a read taken in just after the stall joins it", async () => {
    // The event loop held up for 100 ms (as on a loaded machine) from 5 ms on, while a second read is
    // on its way: it reaches `get` in the next turn of the loop after the batch's timer (due at 30 ms)
    // has fired late, as a read waiting in the socket does. Real timers: the stall is what is tested
    // (it uses no CPU); with the fake clocks a timer is never late.
    const { calls, listAll } = counted([1, 2]);
    const listing = new CoalescedListing(listAll, 30, 300);
    const cell = new Int32Array(new SharedArrayBuffer(4));
    const first = listing.get(1);
    const second = new Promise<string | undefined>((resolve) =>
      setTimeout(
        () =>
          setImmediate(() => {
            Atomics.wait(cell, 0, 0, 100);
            // Runs after the next turn's timers, as I/O does.
            setImmediate(() => resolve(listing.get(2)));
          }),
        5,
      ),
    );
    expect(await Promise.all([first, second])).toEqual(["vm 1", "vm 2"]);
    expect(calls.n).toBe(1);
  });
});
