import type { VpsError } from "./errors";

/**
 * Retry policy as data (hcloud-go's client_handler_retry.go is the model, with one fix: whether a call
 * may be repeated is declared per endpoint, not guessed from the HTTP verb, because flops mutates with GET).
 */
export type Safety = "read" | "mutate";

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
 * - 5xx and broken connections: only read-only calls, since a mutating one may already have happened
 *   (what happens to a mutating call then is its own declaration: provider/core/reconcile.ts).
 */
export function isRetryable(error: VpsError, safety: Safety): boolean {
  if (error.kind === "rateLimited") return true;
  if (error.kind === "server" || error.kind === "network") return safety === "read";
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
