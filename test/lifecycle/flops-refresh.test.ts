/**
 * Refresh at scale: concurrent reads of one host share a listing, so a refresh of many servers costs
 * one listing call, not one call per server.
 *
 * Through the dynamic-provider host the reads reach the provider spread over its event loop, so how
 * many share one listing depends on the machine's load: that figure is a benchmark (BENCHMARKS.md §3,
 * "API calls to refresh 100 flops servers"). Here the host's reads are checked for their results and
 * for using the listing only; the same reads sent at once inside this process reach it within one turn
 * of the event loop, so there the count is exact.
 */
import { flops } from "pulumi-vps";
import { resourceDefinition } from "../../provider/hosts";
import { FlopsSimulator } from "../../simulator/flops";
import { type DynamicProviderHost, PROVIDER_KEY, refresh, type ResourceState, startProviderHost } from "../harness";
import { configureFor, driver } from "../support/flops";

let sim: FlopsSimulator;
let host: DynamicProviderHost;
let provider: string;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 20 });
  await sim.start();
  const started = await startProviderHost(() => new flops.Server("s", { distribution: "DEBIAN", tariff: "Облачный 1024" }), {
    config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey },
  });
  host = started.host;
  provider = started.providers["pulumi-nodejs:dynamic/flops:Server"];
}, 30_000);

afterAll(async () => {
  await host?.stop();
  await sim?.stop();
});

/** The Server handlers in this process, configured for the same simulator (with a budget that never waits). */
function serverHere() {
  configureFor(sim);
  return driver(resourceDefinition("flops:Server"));
}

const withoutProvider = ({ [PROVIDER_KEY]: _provider, ...props }: Record<string, unknown>) => props;

function stateOf(id: number, name: string): ResourceState {
  const props = { __provider: provider, name, distribution: "Debian 7.6 x64", tariff: "Облачный 1024", powerState: "running" };
  return { urn: `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::${name}`, id: String(id), inputs: props, outputs: props };
}

test("refreshing 100 servers in parallel shares the listing of all servers, with the same results as single reads", async () => {
  const vms = Array.from({ length: 100 }, (_, i) => sim.createVm({ name: `bulk-${i}` }));
  sim.updateVm(vms[7].id, { name: "renamed-7", state: "VIR_DOMAIN_SHUTOFF" });
  sim.deleteVm(vms[9].id);
  const states = vms.map((vm, i) => stateOf(vm.id, `bulk-${i}`));

  // Single reads, one at a time (each its own window): the reference results.
  const single: Array<ResourceState | undefined> = [];
  for (const s of states.slice(0, 12)) single.push(await refresh(host, s));

  sim.server.clearLog();
  const parallel = await Promise.all(states.map((s) => refresh(host, s)));
  // Only the listing of all servers, never one server at a time.
  expect(sim.server.requests.map((r) => r.path).filter((p) => p !== "/api/v1/vm/")).toEqual([]);
  expect(sim.server.requestsTo(/^\/api\/v1\/vm\/\d+\/$/)).toHaveLength(0);

  expect(parallel.slice(0, 12)).toEqual(single);
  expect(parallel[7]?.outputs).toMatchObject({ name: "renamed-7", powerState: "stopped" });
  expect(parallel[9]).toBeUndefined();
  expect(parallel.filter(Boolean)).toHaveLength(99);

  // The same 100 reads at once in this process: exactly one listing (the catalogs read once before).
  const server = serverHere();
  await server.read(states[0].id, withoutProvider(states[0].outputs));
  sim.server.clearLog();
  const here = await Promise.all(states.map((s) => server.read(s.id, withoutProvider(s.outputs))));
  expect(sim.server.requests.map((r) => r.path)).toEqual(["/api/v1/vm/"]);
  expect(here[7]?.outs).toMatchObject({ name: "renamed-7", powerState: "stopped" });
  expect(here[9]).toBeUndefined();
  expect(here.filter(Boolean)).toHaveLength(99);
});

test("a read after this process's own write sees the write (no stale listing)", async () => {
  const vm = sim.createVm({ name: "fresh" });
  const s = stateOf(vm.id, "fresh");
  const first = await refresh(host, s);
  expect(first?.outputs.name).toBe("fresh");
  sim.updateVm(vm.id, { name: "changed" });
  const second = await refresh(host, s);
  expect(second?.outputs.name).toBe("changed");
});

test("parallel creates share one fresh distribution lookup; each install still gets the current id", async () => {
  const { up } = await import("../harness");
  sim.renumberDistributions();
  sim.server.clearLog();
  const states = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      up(host, `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::par-${i}`, {
        __provider: provider,
        name: `par-${i}`,
        distribution: "DEBIAN",
        tariff: "Облачный 1024",
      }),
    ),
  );
  const debian = sim.catalog().distributions.find((d) => d.name === "DEBIAN" && d.bitness === 64)!;
  for (const s of states) expect(sim.vm(Number(s.state.id))!.distribution.id).toBe(debian.id);
  // A fresh lookup at install (check's is cached per process); how many the creates share depends on
  // when each reaches it in the host (a benchmark figure, "requests per create").
  expect(sim.server.requestsTo("/distribution/").length).toBeGreaterThanOrEqual(1);
  expect(sim.server.requestsTo("/vm/install/")).toHaveLength(10);

  // The same 10 creates at once in this process, the catalogs read once before: exactly one fresh
  // lookup, shared by all, and each install has the current id.
  const server = serverHere();
  const warm = await server.create({ name: "here-warm", distribution: "DEBIAN", tariff: "Облачный 1024" });
  sim.renumberDistributions();
  sim.server.clearLog();
  const here = await Promise.all(Array.from({ length: 10 }, (_, i) => server.create({ name: `here-${i}`, distribution: "DEBIAN", tariff: "Облачный 1024" })));
  expect(sim.server.requestsTo("/distribution/")).toHaveLength(1);
  expect(sim.server.requestsTo("/vm/install/")).toHaveLength(10);
  const current = sim.catalog().distributions.find((d) => d.name === "DEBIAN" && d.bitness === 64)!;
  for (const s of here) expect(sim.vm(Number(s.id))!.distribution.id).toBe(current.id);
  expect(current.id).not.toBe(debian.id);
  expect(sim.vm(Number(warm.id))!.distribution.id).toBe(debian.id);
});
