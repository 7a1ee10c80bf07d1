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
 * later reads still join it. A read is only ever answered by a listing sent after the read was asked
 * for, so it never sees data older than its own request, nor older than this process's writes that
 * finished before it. Listings are not cached beyond that.
 */
export class CoalescedListing<K, V> {
  private open?: { arrivals: { lastArrival: number; readers: number }; promise: Promise<Map<K, V>> };

  constructor(
    private readonly listAll: () => Promise<Map<K, V>>,
    private readonly gapMs = 30,
    private readonly maxWaitMs = 300,
    private readonly clock: Clock = systemClock,
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

  private async collect(batch: { lastArrival: number }, start: number): Promise<void> {
    for (;;) {
      const deadline = Math.min(batch.lastArrival + this.gapMs, start + this.maxWaitMs);
      const wait = deadline - this.clock.now();
      if (wait <= 0) return;
      await this.clock.sleep(wait);
    }
  }
}

const shared = new Map<string, CoalescedListing<unknown, unknown>>();

/**
 * The process-wide coalesced listing for `key` (host, endpoint and what is listed, e.g.
 * `vpsorg|https://…|snapshots|server 12345`), made with `listAll` on first use. Clients are built per
 * call, so the listing is shared by key, not by client; any client of that key lists the same thing.
 */
export function sharedListing<K, V>(key: string, listAll: () => Promise<Map<K, V>>): CoalescedListing<K, V> {
  let listing = shared.get(key) as CoalescedListing<K, V> | undefined;
  if (!listing) {
    listing = new CoalescedListing(listAll);
    shared.set(key, listing as CoalescedListing<unknown, unknown>);
  }
  return listing;
}
