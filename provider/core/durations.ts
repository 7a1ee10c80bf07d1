import { AsyncLocalStorage } from "node:async_hooks";
import { z } from "zod";
import type { PropertyMap, ResourceDefinition } from "./resource";

/**
 * How long operations take, as the waiter's estimate of when the one it waits for will end (see
 * waiter.ts). Sources, best first:
 * 1. the API's own progress (flops `percentage`), read by the waiter poll by poll;
 * 2. finished operations of the same host and kind seen by this provider process;
 * 3. durations recorded in resources' state by earlier runs (`lastOperationSeconds`), so the next
 *    `pulumi up` starts with a prior;
 * 4. what the vendor documents (passed by the host's wait, next to its citation);
 * and without any of them, the waiter's capped backoff.
 */

/** A duration range the vendor documents, with where it says so. */
export interface DocumentedDuration {
  minSeconds: number;
  maxSeconds: number;
  /** Where the vendor says so, and its wording, e.g. `VPS.org snapshots API: "This may take 3-10 minutes"`. */
  source: string;
}

/** Names the operation a wait is for: waits of the same host and kind learn from each other. */
export interface AwaitedOperation {
  /** e.g. `snapshot`, `install`, `tariff change`: never an object id. */
  kind: string;
  /** The API endpoint (or account) it runs on, so operations of one endpoint never set the schedule for another's. */
  scope?: string;
  documented?: DocumentedDuration;
}

export type EstimateSource = "history" | "state" | "vendor";

/** When the awaited operation will likely end, in ms after the wait started. */
export interface EndEstimate {
  earliestMs: number;
  latestMs: number;
  source: EstimateSource;
  /** How many finished operations it rests on (0 for a vendor range). */
  samples: number;
  /** Operations of the kind reported a percentage before (the waiter then looks once before the window to read it). */
  reportsProgress?: boolean;
}

/** A finished operation seen by a wait: not done at `afterMs`, done by `byMs` (ms after the wait started). */
export interface ObservedEnd {
  afterMs: number;
  byMs: number;
}

/** Only the most recent operations of a kind count: servers and load change over a long run. */
const MAX_SAMPLES = 20;

/**
 * Relative margin around the observed durations: wide on one sample (the next operation may be 30 %
 * shorter or longer, e.g. a snapshot of another server), narrowing as the observed range itself
 * shows the spread.
 */
function margin(samples: number, floor: number): number {
  return Math.max(floor, 0.3 / samples);
}

/** Durations recorded in state come from other runs (other load, other servers): never trusted as tightly as this run's. */
const STATE_MARGIN_FLOOR = 0.15;
const HISTORY_MARGIN_FLOOR = 0.05;

/**
 * The window the samples span, widened by the margin. A sample seen only loosely (its end fell between
 * two looks far apart, as with the backoff of a first operation) counts as its midpoint, with its own
 * uncertainty added to the margin (as independent errors add: the root of the sum of squares), so the
 * next operation is less likely to end before the window starts.
 */
function windowOf(samples: ObservedEnd[], floor: number, source: EstimateSource): EndEstimate {
  const seen = samples.map((x) => {
    const mid = (x.afterMs + x.byMs) / 2;
    return { mid, own: (x.byMs - x.afterMs) / 2 / mid };
  });
  // Once two operations were seen closely (inside the window, every 5 %), a loose sighting counts as
  // its midpoint only: it still shows the spread, but no longer widens every later window by its own
  // uncertainty.
  const settled = seen.filter((x) => x.own <= CLOSE_SIGHTING).length >= 2;
  const m = margin(samples.length, floor);
  const widened = seen.map((x) => {
    const w = settled ? m : Math.sqrt(m * m + x.own * x.own);
    return { lo: x.mid * (1 - w), hi: x.mid * (1 + w) };
  });
  return { earliestMs: Math.min(...widened.map((x) => x.lo)), latestMs: Math.max(...widened.map((x) => x.hi)), source, samples: samples.length };
}

/** A sighting whose end is known within ±this share (two looks 10 % apart) is a close one. */
const CLOSE_SIGHTING = 0.05;

const exactly = (ms: number): ObservedEnd => ({ afterMs: ms, byMs: ms });

/** The process-wide memory of operation durations, by host, scope and kind. */
export class OperationDurations {
  private readonly seen = new Map<string, ObservedEnd[]>();
  private sources?: Set<EstimateSource>;
  /** Kinds (host|scope|kind) whose operations reported a percentage. */
  private readonly withProgress = new Set<string>();
  /** host|kind → durations (ms) found in states the provider has been shown. */
  private readonly fromState = new Map<string, Set<number>>();

  private static seenKey(host: string, op: AwaitedOperation): string {
    return `${host}|${op.scope ?? ""}|${op.kind}`;
  }

  /**
   * A finished operation: its end lay between `afterMs` and `byMs`. With nothing bounding it below
   * (done at the first look), `byMs` stands for both.
   */
  record(host: string, op: AwaitedOperation, end: ObservedEnd, sawProgress = false): void {
    const byMs = Math.max(0, end.byMs);
    if (!(byMs > 0)) return;
    const afterMs = end.afterMs > 0 ? Math.min(byMs, end.afterMs) : byMs;
    const key = OperationDurations.seenKey(host, op);
    if (sawProgress) this.withProgress.add(key);
    const list = this.seen.get(key) ?? [];
    list.push({ afterMs, byMs });
    if (list.length > MAX_SAMPLES) list.shift();
    this.seen.set(key, list);
  }

  /** Durations a resource's state holds (`lastOperationSeconds`); a value seen again (the same state at diff and at update) counts once. */
  noteState(host: string, seconds: unknown): void {
    for (const [kind, s] of Object.entries(secondsRecord(seconds) ?? {})) {
      const key = `${host}|${kind}`;
      const values = this.fromState.get(key) ?? new Set<number>();
      values.delete(s * 1000);
      values.add(s * 1000);
      if (values.size > MAX_SAMPLES) values.delete(values.values().next().value as number);
      this.fromState.set(key, values);
    }
  }

  /**
   * The likely end of an operation of this kind, from the best source there is; `ownSeconds` is what
   * the waiting resource's own state recorded, which counts before other resources' states.
   */
  estimate(host: string, op: AwaitedOperation, ownSeconds?: number): EndEstimate | undefined {
    const allowed = (source: EstimateSource) => !this.sources || this.sources.has(source);
    const key = OperationDurations.seenKey(host, op);
    const seen = this.seen.get(key);
    if (seen?.length && allowed("history")) return { ...windowOf(seen, HISTORY_MARGIN_FLOOR, "history"), reportsProgress: this.withProgress.has(key) };
    if (allowed("state")) {
      if (ownSeconds !== undefined && ownSeconds > 0) return windowOf([exactly(ownSeconds * 1000)], STATE_MARGIN_FLOOR, "state");
      const states = [...(this.fromState.get(`${host}|${op.kind}`)?.values() ?? [])];
      if (states.length) return windowOf(states.map(exactly), STATE_MARGIN_FLOOR, "state");
    }
    const d = op.documented;
    if (d && d.maxSeconds >= d.minSeconds && d.minSeconds > 0 && allowed("vendor"))
      return { earliestMs: d.minSeconds * 1000, latestMs: d.maxSeconds * 1000, source: "vendor", samples: 0 };
    return undefined;
  }

  /** Sources estimates may come from; undefined: all. (`npm run bench` measures each alone, and none: the waits as before estimates existed.) */
  useSources(sources: EstimateSource[] | undefined): void {
    this.sources = sources && new Set(sources);
  }

  /** Forgets everything (tests; a benchmark's "first operation of a kind"). */
  clear(): void {
    this.seen.clear();
    this.withProgress.clear();
    this.fromState.clear();
  }
}

export const operationDurations = new OperationDurations();

// ---- the durations of one resource's create / update, for its `lastOperationSeconds` output ----

interface OperationLog {
  host: string;
  /** What the resource's state recorded before this call. */
  own: Record<string, number>;
  /** Seconds of each kind of operation finished during this call. */
  finished: Record<string, number>;
}

const logs = new AsyncLocalStorage<OperationLog>();

/** Runs a handler call, collecting the durations of the waits it makes (see `noteFinished`). */
export async function collectingDurations<T>(host: string, own: unknown, fn: () => Promise<T>): Promise<{ value: T; seconds: Record<string, number> }> {
  const log: OperationLog = { host, own: secondsRecord(own) ?? {}, finished: {} };
  const value = await logs.run(log, fn);
  return { value, seconds: log.finished };
}

/** The seconds the running handler's own state recorded for this kind, if any. */
export function ownStateSeconds(host: string, kind: string): number | undefined {
  const log = logs.getStore();
  return log && log.host === host ? log.own[kind] : undefined;
}

/** Called by the waiter when an operation of this kind finished. */
export function noteFinished(host: string, kind: string, ms: number): void {
  const log = logs.getStore();
  const seconds = Math.round(ms / 100) / 10;
  // Under 0.05 s rounds to 0, which estimates nothing and which a state read back drops (secondsRecord):
  // recorded, it would make the refreshed outputs differ from the created ones.
  if (log && log.host === host && seconds > 0) log.finished[kind] = seconds;
}

/** A `lastOperationSeconds` value as found in a state (anything else is ignored). */
export function secondsRecord(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, s] of Object.entries(v as Record<string, unknown>)) if (typeof s === "number" && s > 0 && Number.isFinite(s)) out[k] = s;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The output every resource that waits declares: what its last operations took, read back as the
 * estimate's third source. An output only: never compared, so it never makes a diff.
 */
export const lastOperationSecondsOutput = {
  lastOperationSeconds: {
    schema: z.record(z.string(), z.number()).optional(),
    description:
      "Seconds the provider's last wait for each kind of operation on this resource took (e.g. {\"snapshot\": 212}); the next run's " +
      "estimate of when such an operation ends. An output only: never a diff.",
  },
};

export const LAST_OPERATION_SECONDS = "lastOperationSeconds";

/** A resource that waits, with the `lastOperationSeconds` output (filled in by provider/core/lifecycle.ts). */
export function recordingOperationSeconds<P extends PropertyMap, Q extends PropertyMap>(
  def: ResourceDefinition<P, Q>,
): ResourceDefinition<P, Q & typeof lastOperationSecondsOutput> {
  return { ...def, outputs: { ...def.outputs, ...lastOperationSecondsOutput } };
}
