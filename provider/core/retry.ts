import type { VpsError } from "./errors";
import type { RequestPriority } from "./rateLimit";

/**
 * Retry policy as data (hcloud-go's client_handler_retry.go is the model, with one fix: whether a call
 * may be repeated is declared per endpoint, not guessed from the HTTP verb, because flops mutates with GET).
 *
 * `Repeatability` says whether the HTTP client may send a request again when its outcome is unknown (a 5xx, a
 * broken connection): "repeatable" for reads and for writes whose repetition is harmless (a delete by
 * id finds the object gone, a login issues another token); "once" for a write that must not run twice,
 * whose failure then leaves the outcome unknown. Where the request queues in the request budget is a
 * separate declaration (RequestPriority): a repeatable delete still goes with the mutations.
 */
export type Repeatability = "repeatable" | "once";

/** How a call is declared: whether it may be repeated, and its place in the request budget. */
export interface CallKind {
  repeat: Repeatability;
  priority: RequestPriority;
}

/** A read: repeatable, queued with the reads. */
export const READ: CallKind = { repeat: "repeatable", priority: "read" };
/** A write that must not run twice: sent once, queued with the mutations. */
export const WRITE_ONCE: CallKind = { repeat: "once", priority: "mutate" };
/** A write whose repetition is harmless (a delete by id): repeatable, queued with the mutations. */
export const REPEATABLE_WRITE: CallKind = { repeat: "repeatable", priority: "mutate" };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we honour before giving up. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 120_000,
};

/**
 * May this failed call be sent again?
 * - 429: the host refused it unprocessed, so any call may be repeated (after Retry-After);
 * - 5xx and broken connections: only repeatable calls, since a write sent once may already have
 *   happened (what happens to it then is its own declaration: provider/core/reconcile.ts).
 */
export function isRetryable(error: VpsError, repeat: Repeatability): boolean {
  if (error.kind === "rateLimited") return true;
  if (error.kind === "server" || error.kind === "network") return repeat === "repeatable";
  return false;
}

/** Exponential backoff with full jitter; `random` is injectable for tests. */
export function backoffDelay(policy: RetryPolicy, attempt: number, error?: VpsError, random: () => number = Math.random): number {
  if (error?.retryAfterSeconds !== undefined) {
    return Math.min(error.retryAfterSeconds * 1000, policy.maxRetryAfterMs);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Parses Retry-After (seconds or an HTTP date) into seconds. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  // An HTTP date names its day and month; without this check V8 reads "-5" as a date in 2001 (→ 0 s).
  const date = /[a-z]/i.test(v) ? Date.parse(v) : NaN;
  if (!Number.isNaN(date)) return Math.max(0, (date - now) / 1000);
  return undefined;
}
