import { VpsError, type ErrorKind } from "../../provider/core/errors";
import { backoffDelay, defaultRetryPolicy, isRetryable, parseRetryAfter, type RetryPolicy } from "../../provider/core/retry";

/** The retry policy as data: which failures may be repeated, how long to wait, and Retry-After parsing. */

const err = (kind: ErrorKind, retryAfterSeconds?: number) => new VpsError({ kind, host: "test", operation: "op", retryAfterSeconds });

describe("isRetryable", () => {
  test("429 may be repeated for every endpoint: the host refused it unprocessed", () => {
    expect(isRetryable(err("rateLimited"), "repeatable")).toBe(true);
    expect(isRetryable(err("rateLimited"), "once")).toBe(true);
  });

  test.each(["server", "network"] as const)("%s: only read-only endpoints are repeated", (kind) => {
    expect(isRetryable(err(kind), "repeatable")).toBe(true);
    expect(isRetryable(err(kind), "once")).toBe(false);
  });

  test.each(["notFound", "unauthorized", "busy", "invalid", "badResponse", "operationFailed", "timeout", "config", "conflict", "other"] as const)(
    "%s is never repeated",
    (kind) => {
      expect(isRetryable(err(kind), "repeatable")).toBe(false);
      expect(isRetryable(err(kind), "once")).toBe(false);
    },
  );
});

describe("backoffDelay", () => {
  const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 30_000 };

  test("doubles per attempt up to maxDelayMs, jittered between half and all of the ceiling", () => {
    const ceilings = [100, 200, 400, 800, 1_000, 1_000];
    ceilings.forEach((ceiling, i) => {
      expect(backoffDelay(policy, i + 1, undefined, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(policy, i + 1, undefined, () => 0.999999)).toBeLessThanOrEqual(ceiling);
      expect(backoffDelay(policy, i + 1, undefined, () => 0.999999)).toBeGreaterThan(ceiling * 0.99);
    });
  });

  test("jitter comes from the injected random source", () => {
    const seen = new Set([0.1, 0.3, 0.5, 0.7, 0.9].map((r) => backoffDelay(policy, 3, undefined, () => r)));
    expect(seen.size).toBe(5);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(200);
  });

  test("Retry-After wins over the exponential schedule, capped by maxRetryAfterMs", () => {
    expect(backoffDelay(policy, 1, err("rateLimited", 7))).toBe(7_000);
    expect(backoffDelay(policy, 1, err("rateLimited", 0))).toBe(0);
    expect(backoffDelay(policy, 1, err("rateLimited", 3_600))).toBe(30_000);
    expect(backoffDelay(policy, 6, err("server", 2))).toBe(2_000);
  });

  test("the default policy is bounded", () => {
    expect(defaultRetryPolicy.maxAttempts).toBeGreaterThan(1);
    for (let a = 1; a < 30; a++) expect(backoffDelay(defaultRetryPolicy, a)).toBeLessThanOrEqual(defaultRetryPolicy.maxDelayMs);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);

  test("delta-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1.5);
  });

  test("an HTTP date, measured from the injected now", () => {
    expect(parseRetryAfter(new Date(now + 45_000).toUTCString(), now)).toBe(45);
    expect(parseRetryAfter(new Date(now - 10_000).toUTCString(), now)).toBe(0);
  });

  test("the first of repeated headers", () => {
    expect(parseRetryAfter(["3", "9"], now)).toBe(3);
  });

  test("absent or unreadable values are ignored", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});
