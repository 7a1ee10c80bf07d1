import type * as http from "node:http";
import { inspect } from "node:util";
import { Agent } from "undici";
import { z } from "zod";
import { VpsError } from "../../provider/core/errors";
import { type ApiCall, HttpClient, type HttpClientOptions } from "../../provider/core/http";
import { globalRedactor } from "../../provider/core/redact";
import type { Logger } from "../../provider/core/log";
import type { RequestBudget } from "../../provider/core/rateLimit";
import { SimulatorServer, type SimRequest, type SimResponse } from "../../simulator/core/server";
import { FakeClock } from "../support/fakeClock";
import { vpsErrorOf } from "../support/failure";
import { simulatorServerPerFile } from "../support/simulatorServer";

/**
 * The HTTP core against a real local server (the simulators' shared shell) with a tiny route table:
 * which failures are retried for read-only and for mutating endpoints, Retry-After, schema errors,
 * timeouts, redaction of every credential style the hosts use, and the keep-alive pool.
 */

const API_KEY = "flk_Zq81xVw3Pm0a";
const BEARER = "vps.tok-5Hc2Jw9Lr4Ks";
const FORM_TOKEN = "hk7Tg2Nd0Yq5Bv";
const BARE_SECRET = "Bare-Secret-4471-xq";
const ALL_SECRETS = [API_KEY, BEARER, FORM_TOKEN, BARE_SECRET];

const okSchema = z.object({ status: z.literal("OK"), id: z.number() });

let applied = 0;
/** The last raw text the echo route sent back, to prove the secret really was in the answer. */
let lastEcho = "";
const routes: Record<string, (req: SimRequest) => SimResponse> = {
  "/api/v1/thing": () => ({ body: { status: "OK", id: 7 } }),
  "/api/v1/apply": () => {
    applied++;
    return { body: { status: "OK", id: applied } };
  },
  "/api/v1/limited": () => ({ status: 429, body: { detail: "slow down" } }),
  "/api/v1/missing": () => ({ status: 404, body: { detail: "no such thing" } }),
  "/api/v1/denied": () => ({ status: 401, body: { detail: "bad credentials" } }),
  "/api/v1/wrongShape": () => ({ body: { status: "OK", id: "seven" } }),
  "/api/v1/nested": () => ({ body: { status: "OK", vm: { memory: "lots" } } }),
  "/api/v1/envelope": () => ({ body: { status: "ERROR", errorCode: "error.object.not.found", errorMessage: "VM not found" } }),
  // A careless vendor that echoes the whole request (URL, Authorization header, form body) in its error text.
  "/api/v1/echo": (req) => ({
    status: 400,
    body: (lastEcho = `rejected ${req.path}?${req.query.toString()} auth=${req.headers.authorization ?? ""} body=${req.text} key ${BARE_SECRET}`),
  }),
  "/api/v1/echo500": (req) => ({ status: 500, body: `oops ${req.path}?${req.query.toString()} auth=${req.headers.authorization ?? ""} body=${req.text}` }),
  // Echoes credentials as JSON in a body that fails its schema.
  "/api/v1/echoJson": (req) => ({
    body: { status: "OK", id: "x", echo: { token: FORM_TOKEN, apiKey: req.query.get("apiKey"), authorization: req.headers.authorization } },
  }),
  "/api/v1/form": (req) => ({ body: { status: "OK", id: Number(req.form.get("n")) } }),
  "/api/v1/json": (req) => ({ body: { status: "OK", id: (req.body as { n: number }).n } }),
  "/api/v1/query": (req) => ({ body: { status: "OK", id: req.query.has("skipped") ? -1 : Number(req.query.get("n")) } }),
};

const sim = new SimulatorServer(
  (req) => {
    const route = routes[req.path];
    return route ? route(req) : { status: 404, body: { detail: "no route" } };
  },
  () => ALL_SECRETS,
);

const agent = simulatorServerPerFile(sim, { keepAliveTimeout: 10_000, connections: 8 });
let connections = 0;

beforeAll(() => {
  (sim as unknown as { server: http.Server }).server.on("connection", () => connections++);
});

afterEach(() => sim.setLatency(0));

/** Records log lines exactly as the client writes them (no redaction of its own). */
class RawLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string) {
    this.lines.push(m);
  }
  warn(m: string) {
    this.lines.push(m);
  }
  progress(m: string) {
    this.lines.push(m);
  }
  debug(m: string) {
    this.lines.push(m);
  }
}

type Auth = "query" | "bearer" | "form";

function makeClient(over: Partial<HttpClientOptions> = {}, auth: Auth = "query") {
  const clock = new FakeClock();
  const logger = new RawLogger();
  const client = new HttpClient({
    host: "test",
    baseUrl: `${sim.url}/api/v1/`,
    clock,
    logger,
    dispatcher: agent,
    random: () => 0.5,
    timeoutMs: 5_000,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 },
    authenticate: ({ query, headers, form }) => {
      if (auth === "query") {
        query.clientId = "42";
        query.apiKey = API_KEY;
      } else if (auth === "bearer") {
        headers.authorization = `Bearer ${BEARER}`;
      } else if (form) {
        form.token = FORM_TOKEN;
      }
    },
    decodeVendor: (res) => {
      const b = res.body as { status?: string; errorCode?: string; errorMessage?: string } | undefined;
      if (b?.status === "ERROR") return { kind: "notFound", code: b.errorCode, message: b.errorMessage };
      return undefined;
    },
    ...over,
  });
  return { client, clock, logger };
}

function read(path: string, extra: Partial<ApiCall<typeof okSchema>> = {}): ApiCall<typeof okSchema> {
  return { operation: `GET ${path}`, method: "GET", path, repeat: "repeatable", priority: "read", schema: okSchema, ...extra };
}

function mutate(path: string, extra: Partial<ApiCall<typeof okSchema>> = {}): ApiCall<typeof okSchema> {
  // flops mutates with GET: repeatability is declared per endpoint, not derived from the verb.
  return { operation: `GET ${path} (mutating)`, method: "GET", path, repeat: "once", priority: "mutate", schema: okSchema, ...extra };
}

/** The error `call` fails with through a new client; its path was asked once (the failure was not retried). */
async function failsAskedOnce(call: ApiCall<typeof okSchema>): Promise<VpsError> {
  const { client } = makeClient();
  const e = await vpsErrorOf(client.call(call));
  expect(sim.requestsTo(call.path)).toHaveLength(1);
  return e;
}

/** Every way a thrown error can be shown or serialized. */
function everyRendering(e: VpsError): string {
  return [e.message, String(e), e.stack ?? "", e.hint ?? "", e.vendorMessage ?? "", e.operation, JSON.stringify(e), inspect(e, { depth: 10 })].join("\n");
}

function expectNoSecret(text: string) {
  for (const s of ALL_SECRETS) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(encodeURIComponent(s));
  }
}

describe("read-only calls are retried", () => {
  test("after 503, with exponential backoff on the injected clock", async () => {
    const { client, clock } = makeClient();
    sim.fail({ path: "/thing", kind: "5xx", count: 2 });
    await expect(client.call(read("/thing"))).resolves.toEqual({ status: "OK", id: 7 });
    expect(sim.requestsTo("/thing").map((r) => r.outcome)).toEqual(["5xx", "5xx", "handled"]);
    expect(client.stats).toEqual({ requests: 3, retries: 2 });
    // random() = 0.5: three quarters of 100 ms, then of 200 ms.
    expect(clock.sleeps).toEqual([75, 150]);
  });

  test("after 429, honouring Retry-After (the clock sees the delay) and pausing the budget", async () => {
    const pause = jest.fn();
    const budget = { acquire: jest.fn(async () => {}), pause } as unknown as RequestBudget;
    const { client, clock } = makeClient({ budget });
    sim.fail({ path: "/thing", kind: "429", retryAfter: 7 });
    await expect(client.call(read("/thing"))).resolves.toEqual({ status: "OK", id: 7 });
    expect(sim.requestsTo("/thing").map((r) => r.outcome)).toEqual(["429", "handled"]);
    expect(clock.sleeps).toEqual([7_000]);
    expect(pause).toHaveBeenCalledWith(7);
    expect(budget.acquire).toHaveBeenCalledTimes(2);
    expect(budget.acquire).toHaveBeenCalledWith("read", undefined);
  });

  test("after a dropped connection", async () => {
    const { client } = makeClient();
    sim.fail({ path: "/thing", kind: "drop" });
    await expect(client.call(read("/thing"))).resolves.toEqual({ status: "OK", id: 7 });
    expect(sim.requestsTo("/thing").map((r) => r.outcome)).toEqual(["drop", "handled"]);
  });

  test("after a lost response", async () => {
    const { client } = makeClient();
    sim.fail({ path: "/thing", kind: "lostResponse" });
    await expect(client.call(read("/thing"))).resolves.toEqual({ status: "OK", id: 7 });
    expect(sim.requestsTo("/thing")).toHaveLength(2);
  });

  test("until maxAttempts, then the 5xx is reported (outcome known: nothing was changed)", async () => {
    const { client, clock } = makeClient();
    sim.fail({ path: "/thing", kind: "5xx", count: 10 });
    const e = await vpsErrorOf(client.call(read("/thing")));
    expect(e.kind).toBe("server");
    expect(e.httpStatus).toBe(503);
    expect(e.outcomeUnknown).toBe(false);
    expect(sim.requestsTo("/thing")).toHaveLength(4);
    expect(clock.sleeps).toEqual([75, 150, 300]);
  });

  test("a 429 without Retry-After backs off exponentially and gives up after maxAttempts", async () => {
    const { client, clock } = makeClient();
    const e = await vpsErrorOf(client.call(read("/limited")));
    expect(e.kind).toBe("rateLimited");
    expect(e.retryAfterSeconds).toBeUndefined();
    expect(sim.requestsTo("/limited")).toHaveLength(4);
    expect(clock.sleeps).toEqual([75, 150, 300]);
  });

  test("a Retry-After longer than the policy allows is not waited out: the call fails at once", async () => {
    const { client, clock } = makeClient();
    sim.fail({ path: "/thing", kind: "429", retryAfter: 600 });
    const e = await vpsErrorOf(client.call(read("/thing")));
    expect(e.kind).toBe("rateLimited");
    expect(e.retryAfterSeconds).toBe(600);
    expect(sim.requestsTo("/thing")).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });
});

describe("mutating calls", () => {
  test.each([
    ["5xx", "server"],
    ["drop", "network"],
  ] as const)("are not retried after %s: the error says the outcome is unknown", async (kind, errorKind) => {
    const { client, clock } = makeClient();
    sim.fail({ path: "/apply", kind });
    const e = await vpsErrorOf(client.call(mutate("/apply")));
    expect(e.kind).toBe(errorKind);
    expect(e.outcomeUnknown).toBe(true);
    expect(e.message).toMatch(/outcome is unknown/);
    expect(e.message).toMatch(/pulumi refresh/);
    expect(sim.requestsTo("/apply")).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  test("are not retried after a lost response, although the change was applied", async () => {
    const { client } = makeClient();
    const before = applied;
    sim.fail({ path: "/apply", kind: "lostResponse" });
    const e = await vpsErrorOf(client.call(mutate("/apply")));
    expect(applied).toBe(before + 1);
    expect(e.kind).toBe("network");
    expect(e.outcomeUnknown).toBe(true);
    expect(e.message).toMatch(/outcome is unknown/);
    expect(sim.requestsTo("/apply")).toHaveLength(1);
  });

  test("are retried after 429 (refused unprocessed), after Retry-After, with mutate priority", async () => {
    const budget = { acquire: jest.fn(async () => {}), pause: jest.fn() } as unknown as RequestBudget;
    const { client, clock } = makeClient({ budget });
    const before = applied;
    sim.fail({ path: "/apply", kind: "429", retryAfter: 2 });
    await expect(client.call(mutate("/apply"))).resolves.toEqual({ status: "OK", id: before + 1 });
    expect(applied).toBe(before + 1);
    expect(sim.requestsTo("/apply").map((r) => r.outcome)).toEqual(["429", "handled"]);
    expect(clock.sleeps).toEqual([2_000]);
    expect(budget.acquire).toHaveBeenCalledWith("mutate", undefined);
  });

  test("report 4xx without retrying and without claiming an unknown outcome", async () => {
    const e = await failsAskedOnce(mutate("/denied"));
    expect(e.kind).toBe("unauthorized");
    expect(e.httpStatus).toBe(401);
    expect(e.outcomeUnknown).toBe(false);
  });
});

describe("answers", () => {
  test("404 is notFound and is not retried", async () => {
    const e = await failsAskedOnce(read("/missing"));
    expect(e.kind).toBe("notFound");
    expect(e.message).toContain("no such thing");
  });

  test("a vendor error envelope in a 200 goes through decodeVendor before the schema", async () => {
    const e = await failsAskedOnce(read("/envelope"));
    expect(e.kind).toBe("notFound");
    expect(e.vendorCode).toBe("error.object.not.found");
    expect(e.message).toContain("VM not found");
  });

  test("a body failing its schema is badResponse naming the field, not retried", async () => {
    const e = await failsAskedOnce(read("/wrongShape"));
    expect(e.kind).toBe("badResponse");
    expect(e.message).toMatch(/\bid: /);
    expect(e.message).toContain("seven");
    expect(e.outcomeUnknown).toBe(false);
  });

  test("a nested field is named by its path", async () => {
    const { client } = makeClient();
    const schema = z.object({ status: z.literal("OK"), vm: z.object({ memory: z.number() }) });
    const e = await vpsErrorOf(client.call({ operation: "GET /nested", method: "GET", path: "/nested", repeat: "repeatable", priority: "read", schema }));
    expect(e.kind).toBe("badResponse");
    expect(e.message).toContain("vm.memory");
  });

  test("a mutating call with an unreadable answer has an unknown outcome", async () => {
    const { client } = makeClient();
    const e = await vpsErrorOf(client.call(mutate("/wrongShape")));
    expect(e.kind).toBe("badResponse");
    expect(e.outcomeUnknown).toBe(true);
  });

  test("form bodies, JSON bodies and query parameters are sent; undefined parameters are left out", async () => {
    const { client } = makeClient();
    await expect(client.call({ ...read("/form"), method: "POST", form: { n: 5, gone: undefined } })).resolves.toEqual({ status: "OK", id: 5 });
    expect(sim.requestsTo("/form")[0].body).toBe("n=5");
    await expect(client.call({ ...read("/json"), method: "POST", json: { n: 6 } })).resolves.toEqual({ status: "OK", id: 6 });
    await expect(client.call({ ...read("/query"), query: { n: 8, skipped: undefined } })).resolves.toEqual({ status: "OK", id: 8 });
  });
});

describe("timeouts and cancellation", () => {
  test("a mutating call that outlives its timeout fails once, as network with an unknown outcome", async () => {
    const { client } = makeClient({ timeoutMs: 150 });
    sim.setLatency(600);
    // Had it waited for the answer, the call would have succeeded.
    const e = await vpsErrorOf(client.call(mutate("/apply")));
    expect(e.kind).toBe("network");
    expect(e.message).toMatch(/timed out/);
    expect(e.outcomeUnknown).toBe(true);
    expect(sim.requestsTo("/apply")).toHaveLength(1);
  });

  test("a read that times out is retried, and the per-call timeout overrides the client's", async () => {
    const { client, clock } = makeClient({ timeoutMs: 30_000, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 1_000 } });
    sim.setLatency(600);
    const e = await vpsErrorOf(client.call(read("/thing", { timeoutMs: 100 })));
    expect(e.kind).toBe("network");
    expect(e.message).toMatch(/timed out/);
    expect(e.outcomeUnknown).toBe(false);
    expect(sim.requestsTo("/thing")).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  test("an already aborted call sends nothing and is reported as cancelled", async () => {
    const { client } = makeClient();
    const ac = new AbortController();
    ac.abort();
    const e = await vpsErrorOf(client.call(read("/thing", { signal: ac.signal })));
    expect(e.message).toMatch(/cancelled/);
    expect(sim.requestsTo("/thing")).toHaveLength(0);
  });

  test("aborting during a retry's backoff stops the retries with a VpsError", async () => {
    const { client, clock } = makeClient();
    const ac = new AbortController();
    clock.onSleep = () => ac.abort();
    sim.fail({ path: "/thing", kind: "5xx", count: 5 });
    const e = await vpsErrorOf(client.call(read("/thing", { signal: ac.signal })));
    expect(e.message).toMatch(/cancelled/);
    expect(sim.requestsTo("/thing")).toHaveLength(1);
  });
});

describe("secrets never leave in errors or logs", () => {
  beforeAll(() => {
    // What config resolution does for a secret it resolves (see core-config.test.ts).
    globalRedactor.add(BARE_SECRET);
  });

  test.each(["query", "bearer", "form"] as const)("%s credentials echoed in a 4xx body", async (auth) => {
    const { client, logger } = makeClient({}, auth);
    const e = await vpsErrorOf(client.call({ ...read("/echo"), method: "POST", form: { action: "show" } }));
    expect(e.kind).toBe("invalid");
    // The credential really was sent (and echoed), so the absence below is redaction, not luck.
    expect(lastEcho).toContain({ query: API_KEY, bearer: BEARER, form: FORM_TOKEN }[auth]);
    expect(e.message).toContain("rejected /api/v1/echo");
    expectNoSecret(everyRendering(e));
    expectNoSecret(logger.lines.join("\n"));
  });

  test.each(["query", "bearer", "form"] as const)("%s credentials echoed in a 5xx body of a mutating call", async (auth) => {
    const { client, logger } = makeClient({}, auth);
    const e = await vpsErrorOf(client.call({ ...mutate("/echo500"), method: "POST", form: { action: "show" } }));
    expect(e.kind).toBe("server");
    expect(e.message).toContain("oops");
    expectNoSecret(everyRendering(e));
    expectNoSecret(logger.lines.join("\n"));
  });

  test.each(["query", "bearer", "form"] as const)("%s credentials echoed as JSON in a body that fails its schema", async (auth) => {
    const { client } = makeClient({}, auth);
    const e = await vpsErrorOf(client.call({ ...read("/echoJson"), method: "POST", form: { action: "show" } }));
    expect(e.kind).toBe("badResponse");
    expect(e.message).toContain("echo");
    expectNoSecret(everyRendering(e));
  });

  test("query credentials in debug log lines and in network errors (retries included)", async () => {
    const { client, logger } = makeClient();
    sim.fail({ path: "/thing", kind: "drop", count: 10 });
    const e = await vpsErrorOf(client.call(read("/thing")));
    expect(e.kind).toBe("network");
    expect(logger.lines.some((l) => l.includes("apiKey=***"))).toBe(true);
    expect(logger.lines.some((l) => l.includes("clientId=42"))).toBe(true);
    expect(logger.lines.some((l) => /retry 1\/3/.test(l))).toBe(true);
    expectNoSecret(logger.lines.join("\n"));
    expectNoSecret(everyRendering(e));
  });

  test("the simulator's own request log is redacted too", async () => {
    const { client } = makeClient({}, "form");
    await client.call({ ...read("/form"), method: "POST", form: { n: 1 } });
    expectNoSecret(JSON.stringify(sim.requests));
  });
});

describe("keep-alive pool", () => {
  test("sequential calls through the process-wide pool share one connection, across clients", async () => {
    const a = makeClient({ dispatcher: undefined }).client;
    const b = makeClient({ dispatcher: undefined }).client;
    const before = connections;
    for (let i = 0; i < 3; i++) {
      await a.call(read("/thing"));
      await b.call(read("/thing"));
    }
    expect(sim.requestsTo("/thing")).toHaveLength(6);
    expect(connections - before).toBe(1);
  });

  test("an injected dispatcher is used and keeps its connection alive too", async () => {
    const own = new Agent({ keepAliveTimeout: 10_000 });
    try {
      const { client } = makeClient({ dispatcher: own });
      const before = connections;
      for (let i = 0; i < 4; i++) await client.call(read("/thing"));
      expect(connections - before).toBe(1);
    } finally {
      await own.close();
    }
  });

  test("a dropped connection is replaced by a new one", async () => {
    const { client } = makeClient();
    await client.call(read("/thing"));
    const before = connections;
    sim.fail({ path: "/thing", kind: "drop" });
    await client.call(read("/thing"));
    await client.call(read("/thing"));
    expect(connections - before).toBe(1);
  });
});
