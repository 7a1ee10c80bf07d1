import type { Clock } from "./clock";
import { systemClock } from "./clock";
import { unblockingWaits } from "./rateLimit";

/**
 * Coalesced reads for `pulumi refresh` of many objects, and for waits that read one object each (the
 * VM a create just made, the state of VMs being waited on): reads that arrive close together share
 * one listing call (flops `GET /vm/`, ...) instead of one GET each. The engine sends a refresh's reads
 * over a spread of milliseconds, so a batch stays open while reads keep arriving (each extends it by
 * `gapMs`, up to `maxWaitMs` in all), and then until the listing's request leaves: while it waits
 * for its turn in the request budget (which serves it before single reads, for the reads it answers),
 * later reads still join it. On a loaded machine the engine's reads reach the provider over seconds,
 * between stretches in which the process does not run: those stretches do not close a batch. A read
 * is only ever answered by a listing sent after the read was asked for, so it never sees data older
 * than its own request, nor older than this process's writes that finished before it. Listings are not cached beyond that.
 */
export class CoalescedListing<K, V> {
  private open?: { arrivals: { lastArrival: number; readers: number }; promise: Promise<Map<K, V>> };

  constructor(
    private readonly listAll: () => Promise<Map<K, V>>,
    private readonly gapMs = 30,
    private readonly maxWaitMs = 300,
    private readonly clock: Clock = systemClock,
    /**
     * The gap grows by `gapMs` per read joined, up to this: a refresh's reads reach the provider in
     * clumps as the host takes them in (tens of ms apart on a busy machine), and a batch that several
     * joined is likely part of one. Default: no growth.
     */
    private readonly maxGapMs = gapMs,
  ) {}

  /** The object, or undefined when the listing does not contain it (gone). */
  async get(key: K): Promise<V | undefined> {
    const now = this.clock.now();
    if (this.open) {
      this.open.arrivals.lastArrival = now;
      this.open.arrivals.readers++;
    } else {
      const arrivals = { lastArrival: now, readers: 1 };
      const close = () => {
        if (this.open === batch) this.open = undefined;
      };
      const batch = {
        arrivals,
        promise: this.collect(arrivals, now)
          .then(() =>
            unblockingWaits(
              () => arrivals.readers,
              () => this.listAll(),
              close,
            ),
          )
          .finally(close),
      };
      this.open = batch;
    }
    return (await this.open.promise).get(key);
  }

  /**
   * Until no read arrived for `gapMs` (longer once several joined, up to `maxGapMs`), or `maxWaitMs`
   * after the first. Time in which this process could not run (its timer fired late: the event loop
   * was busy, or the process waited for a core on a loaded machine) counts towards neither: reads sent
   * meanwhile are still in the socket, so after a late wake-up the process reads it (one turn of the
   * event loop) before it closes the batch. Past `maxWaitMs × STALLED_LIMIT` in all, it closes anyway.
   */
  private async collect(batch: { lastArrival: number; readers: number }, start: number): Promise<void> {
    let stalledSinceArrival = 0;
    let stalled = 0;
    let arrival = batch.lastArrival;
    let wokeLate = false;
    for (;;) {
      if (batch.lastArrival !== arrival) [arrival, stalledSinceArrival] = [batch.lastArrival, 0];
      const gap = Math.max(this.gapMs, Math.min(this.maxGapMs, this.gapMs * batch.readers));
      const deadline = Math.min(arrival + gap + stalledSinceArrival, start + this.maxWaitMs + stalled, start + this.maxWaitMs * STALLED_LIMIT);
      const before = this.clock.now();
      const wait = deadline - before;
      if (wait <= 0 && !wokeLate) return;
      await this.clock.sleep(Math.max(0, wait));
      const late = wait > 0 ? Math.max(0, this.clock.now() - before - wait) : 0;
      wokeLate = late > 0;
      stalledSinceArrival += late;
      stalled += late;
    }
  }
}

/** A batch waits at most this many times `maxWaitMs`, however long the process was held up. */
const STALLED_LIMIT = 10;

const shared = new Map<string, CoalescedListing<unknown, unknown>>();

/**
 * The process-wide coalesced listing for `key` (host, endpoint and what is listed, e.g.
 * `vpsorg|https://…|snapshots|server 12345`), made with `listAll` (and `timing`) on first use. The
 * key, not the client, decides what is shared: every client of one account and endpoint lists the
 * same thing. `timing` widens a batch where reads are known to arrive spread out (a refresh).
 */
export function sharedListing<K, V>(
  key: string,
  listAll: () => Promise<Map<K, V>>,
  timing: { maxWaitMs?: number; maxGapMs?: number } = {},
): CoalescedListing<K, V> {
  let listing = shared.get(key) as CoalescedListing<K, V> | undefined;
  if (!listing) {
    listing = new CoalescedListing(listAll, undefined, timing.maxWaitMs, undefined, timing.maxGapMs);
    shared.set(key, listing as CoalescedListing<unknown, unknown>);
  }
  return listing;
}
