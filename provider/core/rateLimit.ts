import { AsyncLocalStorage } from "node:async_hooks";
import type { Clock } from "./clock";
import { systemClock } from "./clock";

/** Mutating calls go first, then reads a user waits on, then background polls. */
export type RequestPriority = "mutate" | "read" | "poll";
const ORDER: RequestPriority[] = ["mutate", "read", "poll"];

interface RequestContext {
  /** How many waits the request may end; read again while it waits for its turn (a listing's readers grow). */
  unblocks: number | (() => number);
  /** Called when the request leaves (its slot was granted). */
  onSent?: () => void;
}

const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` with its requests marked as able to end `waits` waits: within a priority, the budget
 * serves the requests that unblock the most first (a listing that answers ten waits before a poll
 * that answers one, a poll at an operation's likely end before an early look). Requests made outside
 * count as one. `onSent` is told when a request of `fn` leaves (see `requestSent`).
 */
export function unblockingWaits<T>(waits: number | (() => number), fn: () => T, onSent?: () => void): T {
  return requestContext.run({ unblocks: waits, onSent }, fn);
}

/** How many waits the current request may end (see `unblockingWaits`), as a function read at each turn. */
export function currentUnblocks(): () => number {
  const u = requestContext.getStore()?.unblocks ?? 1;
  return typeof u === "function" ? u : () => u;
}

/** Called by the HTTP client when a request has its slot and leaves. */
export function requestSent(): void {
  requestContext.getStore()?.onSent?.();
}

interface Waiter {
  /** Reserved (counts from its release) rather than acquired (counts from the grant). */
  untilReleased: boolean;
  /** How many waits its answer may end: more goes first within a priority. */
  unblocks: () => number;
  resolve: (slot: Slot) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
}

/** A slot of the window: counted from `at`; while `open` (its answer has not arrived) it does not expire. */
interface Slot {
  at: number;
  open: boolean;
}

/**
 * A per-host request budget shared by every resource in the provider process, served in priority
 * order (and within a priority, what unblocks the most waits first: `unblockingWaits`), paused whole
 * when the host answers 429 with Retry-After (everyone waits, not only the caller that was refused).
 *
 * The limit holds over every one-second window, as a host counting "requests per second" sees it: up
 * to `capacity` (= ⌊ratePerSecond⌋, at least 1) requests go at once, the next one when the oldest of
 * them is a second old. (A token bucket refilling at the rate with a burst of one second's worth, as
 * here before, lets nearly twice the rate through in the first second.) Rates below 1/s space single
 * requests `1 / ratePerSecond` seconds apart.
 *
 * A request taken with `reserve` counts from when its answer arrived (the release), not from when it
 * was let through: the host counts a request when it arrives, which we only know lies between the
 * two, and requests sent a second apart can arrive closer together (a slower connection, a busy event
 * loop). Counting from the answer never lets the host see more than the rate in any second, at the
 * cost of one round trip per slot. `acquire` counts from the grant, as before.
 *
 * Hosts that say how many requests are left (`X-RateLimit-Remaining` and `-Reset`, see
 * `hostWindow`) are believed: no more than that many go out until the reset.
 */
export class RequestBudget {
  /** The slots of the current window, in grant order. */
  private granted: Slot[] = [];
  private readonly windowMs: number;
  private pausedUntil = 0;
  /** What the host last said is left of its own window, and when that window resets. */
  private hostRemaining?: number;
  private hostResetAt = 0;
  /** After the host's reset: one request goes to learn the new count (see `hostWindow`). */
  private probing = false;
  /** Wakes the pump early when a slot closes or the host reports its count. */
  private wake?: () => void;
  private readonly queues: Record<RequestPriority, Waiter[]> = { mutate: [], read: [], poll: [] };
  private pumping = false;
  readonly capacity: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.capacity = Math.max(1, Math.floor(ratePerSecond));
    this.windowMs = ratePerSecond >= 1 ? 1_000 : 1_000 / ratePerSecond;
  }

  /**
   * Waits for a slot; the slot counts from now. With `untilReleased`, it counts from when the release
   * handed to that callback is called instead (see `reserve`).
   */
  async acquire(
    priority: RequestPriority,
    signal?: AbortSignal,
    opts: { untilReleased?: (release: () => void) => void; unblocks?: number | (() => number) } = {},
  ): Promise<void> {
    const u = opts.unblocks ?? currentUnblocks();
    const slot = await this.take(priority, opts.untilReleased !== undefined, typeof u === "function" ? u : () => u, signal);
    opts.untilReleased?.(() => {
      if (!slot || !slot.open) return;
      slot.open = false;
      slot.at = this.clock.now();
      this.wake?.();
    });
  }

  /**
   * Waits for a slot and returns its release, to call when the answer has arrived (or the request
   * failed): the slot counts from then. Until released it is held as if sent just now. (Goes through
   * `acquire`, so a subclass that watches `acquire` sees every request.)
   */
  async reserve(priority: RequestPriority, signal?: AbortSignal, unblocks?: number | (() => number)): Promise<() => void> {
    let release = () => {};
    await this.acquire(priority, signal, { untilReleased: (r) => (release = r), unblocks });
    return release;
  }

  /**
   * The host's own count (`X-RateLimit-Remaining` / `-Reset`): `remaining` requests are left until
   * `resetSeconds` from now. Requests still on the wire are counted against it, since the host has not
   * seen them yet when it answered. When the reset comes, how much it freed is unknown (a fixed window
   * refills, a sliding one frees a slot or two), so one request goes first and its answer tells; a host
   * that stops sending the headers is forgotten after one more window.
   */
  hostWindow(remaining: number, resetSeconds: number, opts: { ownSlotOpen?: boolean } = {}): void {
    const now = this.clock.now();
    // Requests on the wire that the host had not seen when it answered (the answering one excluded).
    const inFlight = this.granted.filter((g) => g.open).length - (opts.ownSlotOpen ? 1 : 0);
    const left = Math.max(0, remaining - Math.max(0, inFlight));
    // Within one host window answers only ever lower the count (they may arrive out of order); a new
    // window (after the reset, or while probing) takes the host's word.
    const current = this.hostRemaining !== undefined && !this.probing && now < this.hostResetAt ? this.hostRemaining : undefined;
    this.hostRemaining = current === undefined ? left : Math.min(current, left);
    this.hostResetAt = now + Math.max(0, resetSeconds) * 1000;
    this.probing = false;
    this.wake?.();
  }

  /** Sleeps `ms`, or less when a slot closes or the host reports its count. */
  private async nap(ms: number): Promise<void> {
    await Promise.race([this.clock.sleep(Math.max(0, ms)), new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
  }

  private take(priority: RequestPriority, untilReleased: boolean, unblocks: () => number, signal?: AbortSignal): Promise<Slot | undefined> {
    if (!Number.isFinite(this.ratePerSecond) || this.ratePerSecond <= 0) return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Slot | undefined>((resolve, reject) => {
      const queue = this.queues[priority];
      // A cancelled request leaves the queue at once (not when its turn comes, maybe after a long pause).
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        untilReleased,
        unblocks,
        resolve: (slot) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(slot);
        },
        reject,
        signal,
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(waiter);
      void this.pump();
    });
  }

  /** The host said "not before `seconds`": hold every request until then. */
  pause(seconds: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + seconds * 1000);
  }

  /** The next request: by priority, then the one that unblocks the most waits now, then first come. */
  private next(): Waiter | undefined {
    for (const p of ORDER) {
      const q = this.queues[p];
      for (let i = q.length - 1; i >= 0; i--) {
        if (!q[i].signal?.aborted) continue;
        const [w] = q.splice(i, 1);
        w.reject(w.signal!.reason);
      }
      if (q.length === 0) continue;
      let best = 0;
      let most = q[0].unblocks();
      for (let i = 1; i < q.length; i++) {
        const u = q[i].unblocks();
        if (u > most) [best, most] = [i, u];
      }
      return q.splice(best, 1)[0];
    }
    return undefined;
  }

  private pending(): boolean {
    return ORDER.some((p) => this.queues[p].length > 0);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending()) {
        const now = this.clock.now();
        if (now < this.pausedUntil) {
          await this.clock.sleep(this.pausedUntil - now);
          continue;
        }
        if (this.hostRemaining !== undefined && now >= this.hostResetAt) {
          if (this.probing) this.hostRemaining = undefined;
          else [this.hostRemaining, this.hostResetAt] = [1, now + this.windowMs];
          this.probing = !this.probing;
        }
        if (this.hostRemaining !== undefined && this.hostRemaining <= 0) {
          await this.nap(this.hostResetAt - now);
          continue;
        }
        this.granted = this.granted.filter((g) => g.open || g.at > now - this.windowMs);
        if (this.granted.length >= this.capacity) {
          const closed = this.granted.filter((g) => !g.open).map((g) => g.at);
          // Every slot still open: the first answer to arrive frees one a window later.
          await (closed.length > 0 ? this.clock.sleep(Math.min(...closed) + this.windowMs - now) : this.nap(this.windowMs));
          continue;
        }
        const w = this.next();
        if (!w) break;
        const slot: Slot = { at: now, open: w.untilReleased };
        this.granted.push(slot);
        if (this.hostRemaining !== undefined) this.hostRemaining--;
        w.resolve(slot);
      }
    } finally {
      this.pumping = false;
    }
  }
}
