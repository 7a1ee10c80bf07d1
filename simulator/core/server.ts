import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { redactPatterns } from "../../provider/core/redact";

/**
 * The shared shell of every host simulator: a real HTTP server on 127.0.0.1 (port chosen by the OS),
 * a request log with secrets redacted, and the control interface tests use to inject faults, add
 * latency and change objects out of band. Each host supplies only its routes and rules.
 */

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Raw body text. */
  text: string;
  /** JSON body, or form fields as an object, or undefined. */
  body: unknown;
  form: URLSearchParams;
}

export interface SimResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FaultKind =
  /** HTTP 503 before the request is handled (nothing changes). */
  | "5xx"
  /** HTTP 429 with Retry-After before the request is handled. */
  | "429"
  /** The connection is closed before the request is handled (nothing changes). */
  | "drop"
  /** The request is handled (the change applied) and then the connection is closed without an answer. */
  | "lostResponse";

export interface FaultRule {
  /** Substring or pattern of the path (query excluded). */
  path: string | RegExp;
  method?: string;
  /** Only requests whose query or form has this parameter value, e.g. `{ action: "create_snapshot" }`. */
  param?: Record<string, string>;
  kind: FaultKind;
  /** How many matching requests fail; default 1. */
  count?: number;
  /** Seconds, for 429. */
  retryAfter?: number;
  status?: number;
}

/** Which requests a hook or a fault applies to. */
export interface RequestMatch {
  /** Substring or pattern of the path (query excluded). */
  path: string | RegExp;
  method?: string;
  /** Only requests whose query or form has these parameter values. */
  param?: Record<string, string>;
}

/**
 * A host-side rate limit: at most `perSecond` requests are handled in any one-second window (a
 * sliding window over arrival times, the strictest reading of "N requests per second"); the rest are
 * answered 429 with `Retry-After` (whole seconds until the window has room). With `headers`, every
 * answer also carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds
 * until a slot frees), the convention GitHub, Hetzner and others use. None of the four hosts documents
 * a limit or such headers; this is how the provider's request budget is tested against one.
 */
export interface RateLimit {
  perSecond: number;
  /** Retry-After to send, seconds; default: until the window has room (at least 1). */
  retryAfter?: number;
  headers?: boolean;
}

export interface LoggedRequest {
  method: string;
  /** Path and query, secrets redacted. */
  url: string;
  path: string;
  /** Body with secrets redacted. */
  body: string;
  at: number;
  /** What the simulator did: "handled", a fault kind, "rateLimited", or "unauthorized". */
  outcome: string;
}

/** A callback run after a matching request was handled, before its answer is sent. */
interface HandledHook extends RequestMatch {
  fn: (req: SimRequest) => void | Promise<void>;
  remaining: number;
}

export type RouteHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export class SimulatorServer {
  readonly requests: LoggedRequest[] = [];
  private faults: Array<FaultRule & { remaining: number }> = [];
  private latencyMs = 0;
  private hooks: HandledHook[] = [];
  private everyRequest: Array<(req: SimRequest) => void> = [];
  private rateLimit?: RateLimit;
  /** Arrival times (ms) of the requests the rate limit let through, within the last second. */
  private admitted: number[] = [];
  /** Requests answered 429 by the rate limit (not by an injected fault). */
  rateLimitedCount = 0;
  private server?: http.Server;
  private readonly sockets = new Set<import("node:net").Socket>();
  url = "";

  constructor(
    private readonly handle: RouteHandler,
    private readonly secrets: () => string[],
  ) {}

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 5_000;
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    const addr = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${addr.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Make the next `count` matching requests fail with `kind`. */
  fail(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.count ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /**
   * Runs `fn` after the next `count` matching requests (default 1) have been handled (their change
   * applied) and before their answers are sent: an out-of-band change at an exact moment, e.g. the
   * object deleted while the provider waits for the operation that call started.
   */
  onHandled(match: RequestMatch, fn: (req: SimRequest) => void | Promise<void>, count = 1): void {
    this.hooks.push({ ...match, fn, remaining: count });
  }

  clearHooks(): void {
    this.hooks = [];
  }

  /**
   * Runs `fn` after every request that is handled, before its answer is sent (beside any `onHandled`
   * hook), e.g. to move a frozen simulator clock on by one step per request. Returns its removal.
   */
  onEveryRequest(fn: (req: SimRequest) => void): () => void {
    this.everyRequest.push(fn);
    return () => {
      this.everyRequest = this.everyRequest.filter((f) => f !== fn);
    };
  }

  /** Answers 429 past `limit.perSecond` requests in any one-second window; undefined lifts the limit. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.rateLimit = limit;
    this.admitted = [];
    this.rateLimitedCount = 0;
  }

  /**
   * The most requests that arrived within any window of `windowMs` (default one second), counted from
   * the request log; `filter` narrows it (e.g. to requests the rate limit let through).
   */
  maxRequestsInWindow(windowMs = 1_000, filter: (r: LoggedRequest) => boolean = () => true): number {
    const times = this.requests
      .filter(filter)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    let most = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= windowMs) start++;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  /** Requests per calendar second of arrival, `{ second: count }` with the second as epoch seconds. */
  requestsPerSecond(filter: (r: LoggedRequest) => boolean = () => true): Map<number, number> {
    const counts = new Map<number, number>();
    for (const r of this.requests.filter(filter)) {
      const second = Math.floor(r.at / 1000);
      counts.set(second, (counts.get(second) ?? 0) + 1);
    }
    return counts;
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** Requests whose path matches, optionally with a method. */
  requestsTo(path: string | RegExp, method?: string): LoggedRequest[] {
    return this.requests.filter((r) => (method ? r.method === method : true) && (typeof path === "string" ? r.path.includes(path) : path.test(r.path)));
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets()) if (s) out = out.split(s).join("***").split(encodeURIComponent(s)).join("***");
    return redactPatterns(out);
  }

  private takeFault(req: SimRequest): (FaultRule & { remaining: number }) | undefined {
    const f = this.faults.find((rule) => rule.remaining > 0 && matchesRequest(rule, req));
    if (f) f.remaining--;
    this.faults = this.faults.filter((x) => x.remaining > 0);
    return f;
  }

  /** The rate limit's verdict for a request arriving now: headers to add, and whether it is refused. */
  private checkRateLimit(now: number): { refuse: boolean; headers: Record<string, string>; retryAfter: number } | undefined {
    const limit = this.rateLimit;
    if (!limit) return undefined;
    this.admitted = this.admitted.filter((t) => now - t < 1_000);
    const refuse = this.admitted.length >= limit.perSecond;
    if (!refuse) this.admitted.push(now);
    // When the oldest request of the window leaves it: a slot frees then (the window's "reset").
    const untilRoom = this.admitted.length > 0 ? Math.max(0, this.admitted[0] + 1_000 - now) : 0;
    const headers: Record<string, string> = {};
    if (limit.headers) {
      headers["x-ratelimit-limit"] = String(limit.perSecond);
      headers["x-ratelimit-remaining"] = String(Math.max(0, limit.perSecond - this.admitted.length));
      headers["x-ratelimit-reset"] = String(Math.ceil(untilRoom / 1000));
    }
    // Whole seconds, rounded up, as hosts send them: a client that waits for them never comes early.
    return { refuse, headers, retryAfter: limit.retryAfter ?? Math.max(1, Math.ceil(untilRoom / 1000)) };
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://sim");
    const contentType = String(req.headers["content-type"] ?? "");
    const form = contentType.includes("application/x-www-form-urlencoded") ? new URLSearchParams(text) : new URLSearchParams();
    let body: unknown;
    if (contentType.includes("json") && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    } else if (form.size > 0) body = Object.fromEntries(form);
    const simReq: SimRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, text, body, form };
    const entry: LoggedRequest = {
      method: simReq.method,
      url: this.redact(url.pathname + url.search),
      path: url.pathname,
      body: this.redact(text),
      at: Date.now(),
      outcome: "handled",
    };
    this.requests.push(entry);
    const limited = this.checkRateLimit(entry.at);
    if (limited?.refuse) {
      entry.outcome = "rateLimited";
      this.rateLimitedCount++;
      this.send(res, { status: 429, headers: { ...limited.headers, "retry-after": String(limited.retryAfter) }, body: { detail: "Too many requests" } });
      return;
    }
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const fault = this.takeFault(simReq);
    if (fault?.kind === "drop") {
      entry.outcome = "drop";
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "5xx") {
      entry.outcome = "5xx";
      this.send(res, { status: fault.status ?? 503, body: { detail: "Service temporarily unavailable" } });
      return;
    }
    if (fault?.kind === "429") {
      entry.outcome = "429";
      this.send(res, { status: 429, headers: { "retry-after": String(fault.retryAfter ?? 1) }, body: { detail: "Too many requests" } });
      return;
    }
    let out: SimResponse;
    try {
      out = await this.handle(simReq);
    } catch (e) {
      out = { status: 500, body: { detail: `simulator error: ${(e as Error).message}` } };
    }
    const hook = this.hooks.find((h) => h.remaining > 0 && matchesRequest(h, simReq));
    if (hook) {
      hook.remaining--;
      this.hooks = this.hooks.filter((h) => h.remaining > 0);
      await hook.fn(simReq);
    }
    for (const fn of this.everyRequest) fn(simReq);
    if (limited && Object.keys(limited.headers).length > 0) out = { ...out, headers: { ...limited.headers, ...(out.headers ?? {}) } };
    if (fault?.kind === "lostResponse") {
      entry.outcome = "lostResponse";
      req.socket.destroy();
      return;
    }
    this.send(res, out);
  }

  private send(res: http.ServerResponse, out: SimResponse): void {
    const status = out.status ?? 200;
    const payload = out.body === undefined ? "" : typeof out.body === "string" ? out.body : JSON.stringify(out.body);
    res.writeHead(status, { "content-type": typeof out.body === "string" ? "text/plain" : "application/json", ...(out.headers ?? {}) });
    res.end(payload);
  }
}

function matchesRequest(rule: RequestMatch, req: SimRequest): boolean {
  if (rule.method && rule.method !== req.method) return false;
  const pathOk = typeof rule.path === "string" ? req.path.includes(rule.path) : rule.path.test(req.path);
  if (!pathOk) return false;
  for (const [k, v] of Object.entries(rule.param ?? {})) if ((req.query.get(k) ?? req.form.get(k)) !== v) return false;
  return true;
}
