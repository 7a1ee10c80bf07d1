/**
 * Staying under a host's rate limit (issue 9 §3), through Pulumi's dynamic-provider host: many flops
 * servers created in parallel in one provider process against a simulator that answers 429 past a set
 * rate. None of the four hosts documents a rate limit, `Retry-After` or `X-RateLimit-*` headers; the
 * provider honours them if a host sends them, which is what the simulator does here.
 *
 * Counting is by arrival at the simulator (`SimulatorServer.maxRequestsInWindow`), as a host counts.
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { captureResources, destroy, DynamicProviderHost, findResource, type ResourceState, up } from "../harness";

const SERVER = "pulumi-nodejs:dynamic/flops:Server";
let provider: string;

beforeAll(async () => {
  const captured = await captureResources(() => {
    new flops.Server("s", { distribution: "DEBIAN", tariff: "Облачный 1024" });
  });
  provider = findResource(captured, "s").serializedProvider!;
}, 30_000);

interface Run {
  sim: FlopsSimulator;
  host: DynamicProviderHost;
}

async function start(opts: { budget: number; hostLimit: number; headers?: boolean; operationMs: number }): Promise<Run> {
  const sim = new FlopsSimulator({ operationDurationMs: opts.operationMs });
  await sim.start();
  sim.server.setRateLimit({ perSecond: opts.hostLimit, headers: opts.headers });
  const host = await DynamicProviderHost.start({
    config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey, "flops:maxRequestsPerSecond": String(opts.budget) },
    secretKeys: ["flops:apiKey"],
  });
  return { sim, host };
}

async function stop(r: Run | undefined): Promise<void> {
  await r?.host.stop();
  await r?.sim.stop();
}

const inputs = (name: string) => ({ __provider: provider, name, distribution: "Debian 7.6 x64", tariff: "Облачный 1024" });
const urn = (name: string) => `urn:pulumi:stack::project::${SERVER}::${name}`;

async function createAll(host: DynamicProviderHost, names: string[]): Promise<ResourceState[]> {
  return (await Promise.all(names.map((n) => up(host, urn(n), inputs(n))))).map((r) => r.state);
}

/** Operations that overlapped on one VM (the simulator refuses a second one as busy; both counted). */
function overlaps(sim: FlopsSimulator): string[] {
  const found: string[] = [];
  const ops = sim.operations();
  for (const a of ops) {
    for (const b of ops) {
      if (a.id >= b.id || !a.locks.some((v) => b.locks.includes(v))) continue;
      const aEnd = a.endedAt ?? Infinity;
      const bEnd = b.endedAt ?? Infinity;
      if (a.startedAt < bEnd && b.startedAt < aEnd) found.push(`${a.id}/${b.id}`);
    }
  }
  return found;
}

describe("50 parallel creates through one provider process, under a host limit equal to the budget", () => {
  let run: Run | undefined;
  afterAll(() => stop(run));

  test("none fails, no second of arrivals exceeds the budget, no 429, polls yield to installs, no overlapping operations on a VM", async () => {
    const BUDGET = 40;
    run = await start({ budget: BUDGET, hostLimit: BUDGET, operationMs: 1_000 });
    const { sim, host } = run;
    const names = Array.from({ length: 50 }, (_, i) => `rl-${i}`);
    const states = await createAll(host, names);
    expect(states.map((s) => sim.vm(Number(s.id))?.name)).toEqual(names);
    expect(new Set(states.map((s) => s.id)).size).toBe(50);

    expect(sim.server.rateLimitedCount).toBe(0);
    expect(sim.server.maxRequestsInWindow(1_000)).toBeLessThanOrEqual(BUDGET);
    expect(sim.busyRefusals).toBe(0);
    expect(overlaps(sim)).toEqual([]);

    // Priorities: every install (a mutating call) went out before the polls of the operations they
    // started could crowd them out. Polls sent before the last install are those the budget let
    // through while no install was waiting (installs start as their catalog reads come back).
    const log = sim.server.requests;
    const lastInstall = log.map((r) => r.path).lastIndexOf("/api/v1/vm/install/");
    const pollsBefore = log.slice(0, lastInstall).filter((r) => /\/operation\/\d+\/$/.test(r.path)).length;
    const pollsAll = log.filter((r) => /\/operation\/\d+\/$/.test(r.path)).length;
    // First come, first served would let dozens through (each install's polls queue up while later
    // installs still wait for their catalog reads); measured here: 0–8.
    expect(pollsBefore).toBeLessThanOrEqual(10);
    expect(pollsAll).toBeGreaterThan(0);

    await Promise.all(states.map((s) => destroy(host, s)));
    expect(sim.vms()).toEqual([]);
    expect(sim.server.rateLimitedCount).toBe(0);
    expect(sim.server.maxRequestsInWindow(1_000)).toBeLessThanOrEqual(BUDGET);
    expect(overlaps(sim)).toEqual([]);
  }, 90_000);
});

describe("a host limit below the budget", () => {
  let run: Run | undefined;
  let refusedWithoutHeaders = Infinity;
  afterEach(() => stop(run));

  test("429s are refusals: retried after Retry-After (the whole budget waits), and nothing fails", async () => {
    run = await start({ budget: 1000, hostLimit: 8, operationMs: 200 });
    const { sim, host } = run;
    const names = Array.from({ length: 10 }, (_, i) => `ra-${i}`);
    const states = await createAll(host, names);
    expect(states).toHaveLength(10);
    expect(sim.vms()).toHaveLength(10);
    expect(sim.server.rateLimitedCount).toBeGreaterThan(0);
    refusedWithoutHeaders = sim.server.rateLimitedCount;
    // After a 429 with Retry-After: 1, the provider sends nothing new for a second; requests already
    // on the wire when the 429 arrived (within a few ms of it) are the only ones seen sooner.
    const log = sim.server.requests;
    for (const refused of log.filter((r) => r.outcome === "rateLimited")) {
      const early = log.filter((r) => r.at > refused.at + 100 && r.at < refused.at + 950);
      expect(early.map((r) => `${r.method} ${r.path} ${r.at - refused.at} ms after a 429`)).toEqual([]);
    }
    await Promise.all(states.map((s) => destroy(host, s)));
    expect(sim.vms()).toEqual([]);
  }, 90_000);

  test("X-RateLimit-Remaining: 0 with X-RateLimit-Reset: the budget waits for the reset instead of collecting 429s", async () => {
    run = await start({ budget: 1000, hostLimit: 8, headers: true, operationMs: 200 });
    const { sim, host } = run;
    const names = Array.from({ length: 10 }, (_, i) => `rh-${i}`);
    const states = await createAll(host, names);
    expect(sim.vms()).toHaveLength(10);
    // Only the first burst, sent before any answer told the count, can be refused.
    const refusedWithHeaders = sim.server.rateLimitedCount;
    expect(refusedWithHeaders).toBeLessThan(refusedWithoutHeaders);
    expect(refusedWithHeaders).toBeLessThanOrEqual(3);
    await Promise.all(states.map((s) => destroy(host, s)));
    expect(sim.vms()).toEqual([]);
  }, 90_000);
});
