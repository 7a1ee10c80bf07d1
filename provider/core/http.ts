import { Agent, request as undiciRequest, type Dispatcher } from "undici";
import { z } from "zod";
import { type Clock, systemClock } from "./clock";
import { type ErrorKind, issuesText, VpsError } from "./errors";
import { type Logger, silentLogger } from "./log";
import { currentUnblocks, type RequestBudget, requestSent } from "./rateLimit";
import { redact } from "./redact";
import { backoffDelay, type CallKind, defaultRetryPolicy, isRetryable, parseRetryAfter, type RetryPolicy } from "./retry";

/**
 * The one HTTP client every host goes through (hcloud-go's handler chain, flattened into one
 * function per concern): send → map transport failures → classify the answer (the status here, the
 * vendor's body by the host's decoder) → validate with zod → retry when the endpoint's declaration
 * allows it. Requests leave the provider nowhere else.
 */

export type QueryValue = string | number | boolean | undefined;
/** A list is sent as the parameter repeated (`keyIds=1&keyIds=2`), as flops's list parameters are. */
export type ParamValue = QueryValue | ReadonlyArray<string | number | boolean>;

export interface ApiCall<S extends z.ZodType> extends CallKind {
  /** Shown in errors and logs, e.g. `install` or `GET /vm/{id}/`; never carries secrets. */
  operation: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path below the client's base URL (starting with `/`), or an absolute URL. */
  path: string;
  query?: Record<string, ParamValue>;
  json?: unknown;
  form?: Record<string, ParamValue>;
  headers?: Record<string, string>;
  // `repeat` (may it be sent again after a 5xx or a broken connection?) and `priority` (its place in
  // the request budget: "poll" for waiter polls) are declared per endpoint (CallKind).
  schema: S;
  signal?: AbortSignal;
  /** Per-call override of the client timeout. */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
}

export interface HttpClientOptions {
  host: string;
  baseUrl: string;
  /** Adds credentials to a request (query parameters, headers or form fields). */
  authenticate?: (req: { query: Record<string, ParamValue>; headers: Record<string, string>; form?: Record<string, ParamValue> }) => void | Promise<void>;
  /** The host's reading of its vendor's error bodies (see DecodeVendor). */
  decodeVendor: DecodeVendor;
  timeoutMs?: number;
  retry?: RetryPolicy;
  clock?: Clock;
  logger?: Logger;
  dispatcher?: Dispatcher;
  budget?: RequestBudget;
  random?: () => number;
}

/**
 * What a host reads from its vendor's answer (vercel/ai's createJsonErrorResponseHandler shape: the
 * host maps the body, the HTTP client alone decides what the status means: 429 → rateLimited with
 * Retry-After, 5xx → server with the outcome of a write unknown, other statuses by their number).
 */
export interface VendorError {
  code?: string;
  message?: string;
  /** The vendor's verdict where its body gives one (a code it documents); else the status decides. Ignored on 429 and 5xx. */
  kind?: ErrorKind;
  /** What the user can do, where the vendor's answer says more than its kind. */
  hint?: string;
  /** A few words after "failed:", e.g. "not authenticated". */
  summary?: string;
}

/**
 * Reads the vendor's error from an answer: for a 2xx answer, a VendorError means its body is an error
 * envelope (flops and HOSTKEY answer errors with HTTP 200); for any other status, what the body says
 * (undefined: nothing, the start of the raw text is quoted instead). Never reads the status's meaning.
 */
export type DecodeVendor = (res: RawResponse, call: ApiCall<z.ZodType>) => VendorError | undefined;

/** What a host client passes through to its HttpClient: transport and test seams, no host rules. */
export type TransportOptions = Pick<HttpClientOptions, "timeoutMs" | "retry" | "clock" | "logger" | "dispatcher" | "budget" | "random">;

function appendParams(target: URLSearchParams, values: Record<string, ParamValue>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) target.append(k, String(item));
    else target.set(k, String(v));
  }
}

let sharedAgent: Agent | undefined;
/** One keep-alive pool for the whole provider process: every host, every resource. */
export function sharedDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 32, pipelining: 1 });
  return sharedAgent;
}

export interface RequestStats {
  requests: number;
  retries: number;
}

export class HttpClient {
  readonly host: string;
  readonly baseUrl: string;
  readonly stats: RequestStats = { requests: 0, retries: 0 };
  private readonly opts: HttpClientOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.host = opts.host;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.policy = opts.retry ?? defaultRetryPolicy;
  }

  /** Sends the call, retrying where its declaration (`repeat`) allows, and returns the schema-validated body. */
  async call<S extends z.ZodType>(call: ApiCall<S>): Promise<z.infer<S>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.send(call);
        const failed = answerError(this.host, res, call, this.opts.decodeVendor, this.clock.now());
        if (failed) throw failed;
        return this.validate(call, res);
      } catch (e) {
        const err = this.toVpsError(e, call);
        if (err.kind === "rateLimited" && err.retryAfterSeconds !== undefined) this.opts.budget?.pause(err.retryAfterSeconds);
        if (!isRetryable(err, call.repeat) || attempt >= this.policy.maxAttempts || call.signal?.aborted) throw err;
        // A host asking for a longer wait than the policy honours would refuse an earlier retry too.
        if (err.retryAfterSeconds !== undefined && err.retryAfterSeconds * 1000 > this.policy.maxRetryAfterMs) throw err;
        const delay = backoffDelay(this.policy, attempt, err, this.opts.random);
        this.stats.retries++;
        this.logger.debug(`${this.host}: ${call.operation}: ${err.kind}, retry ${attempt}/${this.policy.maxAttempts - 1} in ${delay} ms`);
        try {
          await this.clock.sleep(delay, call.signal);
        } catch (sleepError) {
          // Aborted during the backoff: report it like any other cancellation (a VpsError, not the raw reason).
          throw this.toVpsError(sleepError, call);
        }
      }
    }
  }

  /**
   * `X-RateLimit-Remaining` with `X-RateLimit-Reset` (or the IETF draft's `RateLimit-*`): the host
   * says how many requests it will still take before the reset, so the budget sends no more than
   * that until then instead of collecting 429s. The reset is read as epoch seconds when it is that
   * large (GitHub, Hetzner), else as seconds from now (the draft). None of the four hosts documents
   * such headers; they are honoured if a host sends them.
   */
  private observeRateLimit(headers: RawResponse["headers"], ownSlotOpen: boolean): void {
    const budget = this.opts.budget;
    if (typeof budget?.hostWindow !== "function") return;
    const header = (name: string) => {
      const v = headers[`x-ratelimit-${name}`] ?? headers[`ratelimit-${name}`];
      const n = Number(Array.isArray(v) ? v[0] : v);
      return v === undefined || !Number.isFinite(n) ? undefined : n;
    };
    const remaining = header("remaining");
    const reset = header("reset");
    if (remaining === undefined || reset === undefined) return;
    const seconds = reset > 1e9 ? reset - this.clock.now() / 1000 : reset;
    budget.hostWindow(remaining, Math.min(Math.max(0, seconds), this.policy.maxRetryAfterMs / 1000), { ownSlotOpen });
  }

  /** Base URL for endpoints that live beside the API root (flops's backup download). */
  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.baseUrl}${path}`;
  }

  private async send(call: ApiCall<z.ZodType>): Promise<RawResponse> {
    const query: Record<string, ParamValue> = { ...(call.query ?? {}) };
    const headers: Record<string, string> = { accept: "application/json", ...(call.headers ?? {}) };
    const form = call.form ? { ...call.form } : undefined;
    await this.opts.authenticate?.({ query, headers, form });
    const url = new URL(this.url(call.path));
    appendParams(url.searchParams, query);
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers["content-type"] = "application/json";
    } else if (form) {
      const params = new URLSearchParams();
      appendParams(params, form);
      body = params.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    // The slot counts from when the answer arrives (see RequestBudget.reserve).
    const priority = call.priority;
    const budget = this.opts.budget;
    // A budget-like object without `reserve` (older callers, test doubles) counts from the grant.
    const release =
      typeof budget?.reserve === "function"
        ? await budget.reserve(priority, call.signal, currentUnblocks())
        : void (await budget?.acquire(priority, call.signal));
    requestSent();
    const timeoutMs = call.timeoutMs ?? this.opts.timeoutMs ?? 60_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    this.stats.requests++;
    this.logger.debug(`${this.host}: ${call.method} ${redact(url.toString())}`);
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await undiciRequest(url, {
        method: call.method,
        headers,
        body,
        signal,
        dispatcher: this.opts.dispatcher ?? sharedDispatcher(),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      // Read while this request still holds its slot, so the count it carries is weighed against
      // the requests sent after it, not against ones that have finished meanwhile.
      this.observeRateLimit(res.headers, release !== undefined);
      text = await res.body.text();
    } finally {
      release?.();
    }
    // undici hands the connection back to its pool one event-loop turn after the answer completes
    // (client-h1 resumes in a setImmediate); a request sent sooner would open a second connection.
    await new Promise<void>((resolve) => setImmediate(resolve));
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.statusCode, headers: res.headers, text, body: parsed };
  }

  private validate<S extends z.ZodType>(call: ApiCall<S>, res: RawResponse): z.infer<S> {
    const input = res.body === undefined && res.text.length === 0 ? {} : res.body;
    const parsed = call.schema.safeParse(input);
    if (parsed.success) return parsed.data;
    const issues = issuesText(parsed.error, 5, "(body)");
    throw new VpsError(
      {
        kind: "badResponse",
        host: this.host,
        operation: call.operation,
        httpStatus: res.status,
        outcomeUnknown: call.repeat === "once",
        // Redacted before quoting: JSON.stringify escapes the quotes that the `"token": "..."` rule looks for.
        hint: `the answer did not match the documented shape (${issues}); body starts ${JSON.stringify(redact(res.text).slice(0, 200))}`,
      },
      "unexpected response",
    );
  }

  private toVpsError(e: unknown, call: ApiCall<z.ZodType>): VpsError {
    if (e instanceof VpsError) return e;
    const mutate = call.repeat === "once";
    if (call.signal?.aborted) {
      return new VpsError({ kind: "other", host: this.host, operation: call.operation, outcomeUnknown: mutate, hint: "the operation was cancelled", cause: e });
    }
    const code = (e as { code?: string }).code;
    const timedOut = (e as { name?: string }).name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
    return new VpsError({
      kind: "network",
      host: this.host,
      operation: call.operation,
      outcomeUnknown: mutate,
      vendorMessage: `${timedOut ? "timed out" : "connection failed"}${code ? ` (${code})` : ""}`,
      hint: mutate ? OUTCOME_UNKNOWN_HINT : "check the endpoint and the network, then try again",
      cause: e,
    });
  }
}

export const OUTCOME_UNKNOWN_HINT =
  "the outcome is unknown: the request may or may not have been applied, so it was not repeated; run `pulumi refresh` to see " +
  "the live state, then `pulumi up` again";

/** The kind an error status means when the vendor's body gives none. */
function statusKind(status: number): ErrorKind {
  if (status === 404) return "notFound";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 409) return "conflict";
  return "invalid";
}

/**
 * The error an answer means, or undefined for a success (then validated against the call's schema).
 * The one place statuses are classified:
 * - 429: refused unprocessed, so any call may be repeated after Retry-After (read on `now`, the
 *   client's clock, never the wall clock);
 * - 5xx: a server failure whatever the body says; a write sent once has an unknown outcome (a proxy may
 *   answer 5xx after the change was applied);
 * - a vendor error (the host's decoder), on 2xx or any other status: its kind, else the status's;
 * - another non-2xx: kind from the status, the start of the body quoted.
 */
export function answerError(host: string, res: RawResponse, call: ApiCall<z.ZodType>, decodeVendor: DecodeVendor, now: number): VpsError | undefined {
  const ok = res.status >= 200 && res.status < 300;
  const vendor = decodeVendor(res, call);
  if (ok && !vendor) return undefined;
  // Redacted before truncating, so a secret cut in half by the slice is still recognised.
  const quoted = (length: number) => (ok ? undefined : redact(res.text).slice(0, length) || undefined);
  const base = { host, operation: call.operation, httpStatus: res.status, vendorCode: vendor?.code };
  const retryAfterSeconds = parseRetryAfter(res.headers["retry-after"], now);
  if (res.status === 429) {
    return new VpsError({
      ...base,
      kind: "rateLimited",
      vendorMessage: vendor?.message,
      retryAfterSeconds,
      hint: `the ${host} rate limit was reached; lower ${host}:maxRequestsPerSecond or try again later`,
    });
  }
  if (res.status >= 500) {
    const once = call.repeat === "once";
    return new VpsError({
      ...base,
      kind: "server",
      vendorMessage: vendor?.message ?? quoted(200),
      outcomeUnknown: once,
      retryAfterSeconds,
      hint: once ? OUTCOME_UNKNOWN_HINT : `the ${host} API had a server error; try again later`,
    });
  }
  return new VpsError(
    { ...base, kind: vendor?.kind ?? statusKind(res.status), vendorMessage: vendor?.message ?? quoted(300), hint: vendor?.hint },
    vendor?.summary,
  );
}
