import { Agent } from "undici";
import type { RetryPolicy } from "../../provider/core";
import { FlopsClient } from "../../provider/flops/client";
import { NetangelsClient } from "../../provider/netangels/client";
import { type SimRequest, type SimResponse, SimulatorServer } from "../../simulator/core/server";
import { FakeClock } from "../support/fakeClock";

/**
 * A host's 429 and 5xx are classified by the HTTP client alone, so a Retry-After given as an HTTP date
 * is read on the client's injected clock: the virtual clock starts in 2024, so a reading on the wall
 * clock would find the date long past and retry at once.
 */

const TOKEN = "retry-after-token-5c1e";
const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 60_000 };
/** Path → the status of its first answer (429 or 503), each with a Retry-After 7 s after the virtual now. */
const refuseFirst = new Map<string, number>();
let clock: FakeClock;
const received: string[] = [];

function route(req: SimRequest): SimResponse {
  received.push(req.path);
  const status = refuseFirst.get(req.path);
  if (status !== undefined) {
    refuseFirst.delete(req.path);
    return { status, headers: { "retry-after": new Date(clock.now() + 7_000).toUTCString() }, body: { detail: "slow down" } };
  }
  if (req.path === "/api/v1/tenant") return { body: { status: "OK", result: [] } };
  return { body: { count: 0, entities: [] } };
}

const server = new SimulatorServer(route, () => [TOKEN]);
const agent = new Agent({ keepAliveTimeout: 1_000 });
let endpoint: string;
beforeAll(async () => void (endpoint = `${await server.start()}/api/v1`));
afterAll(() => Promise.all([server.stop(), agent.close()]));

beforeEach(() => {
  clock = new FakeClock();
  received.length = 0;
  refuseFirst.clear();
});

describe.each([429, 503])("a Retry-After date on HTTP %d", (status) => {
  test("flops: the retry waits until that date on the injected clock", async () => {
    refuseFirst.set("/api/v1/tenant", status);
    const client = new FlopsClient({ clientId: "1", apiKey: TOKEN, endpoint, clock, retry: policy, dispatcher: agent });
    expect(await client.listTenants()).toEqual([]);
    expect(received).toEqual(["/api/v1/tenant", "/api/v1/tenant"]);
    expect(clock.sleeps).toEqual([7_000]);
  });

  test("netangels: the retry waits until that date on the injected clock", async () => {
    refuseFirst.set("/api/v1/cloud/backups/vms/", status);
    const client = new NetangelsClient({ token: TOKEN, endpoint, clock, retry: policy, dispatcher: agent });
    expect((await client.listVms()).entities).toEqual([]);
    expect(received).toEqual(["/api/v1/cloud/backups/vms/", "/api/v1/cloud/backups/vms/"]);
    expect(clock.sleeps).toEqual([7_000]);
  });
});
