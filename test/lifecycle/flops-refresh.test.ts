/**
 * Refresh at scale: concurrent reads of one host share a listing (issue 9, part 2).
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { captureResources, DynamicProviderHost, findResource, refresh, type ResourceState } from "../harness";

let sim: FlopsSimulator;
let host: DynamicProviderHost;
let provider: string;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 20 });
  await sim.start();
  const captured = await captureResources(() => {
    new flops.Server("s", { distribution: "DEBIAN", tariff: "Облачный 1024" });
  });
  provider = findResource(captured, "s").serializedProvider!;
  host = await DynamicProviderHost.start({ config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey } });
}, 30_000);

afterAll(async () => {
  await host?.stop();
  await sim?.stop();
});

function stateOf(id: number, name: string): ResourceState {
  const props = { __provider: provider, name, distribution: "Debian 7.6 x64", tariff: "Облачный 1024", powerState: "running" };
  return { urn: `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::${name}`, id: String(id), inputs: props, outputs: props };
}

test("refreshing 100 servers in parallel costs at most 3 API calls, with the same results as single reads", async () => {
  const vms = Array.from({ length: 100 }, (_, i) => sim.createVm({ name: `bulk-${i}` }));
  sim.updateVm(vms[7].id, { name: "renamed-7", state: "VIR_DOMAIN_SHUTOFF" });
  sim.deleteVm(vms[9].id);
  const states = vms.map((vm, i) => stateOf(vm.id, `bulk-${i}`));

  // Single reads, one at a time (each its own window): the reference results.
  const single: Array<ResourceState | undefined> = [];
  for (const s of states.slice(0, 12)) single.push(await refresh(host, s));

  sim.server.clearLog();
  const parallel = await Promise.all(states.map((s) => refresh(host, s)));
  const calls = sim.server.requests.length;
  expect(calls).toBeLessThanOrEqual(3);
  expect(sim.server.requestsTo(/^\/api\/v1\/vm\/\d+\/$/)).toHaveLength(0);

  expect(parallel.slice(0, 12)).toEqual(single);
  expect(parallel[7]?.outputs).toMatchObject({ name: "renamed-7", powerState: "stopped" });
  expect(parallel[9]).toBeUndefined();
  expect(parallel.filter(Boolean)).toHaveLength(99);
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
      up(host, `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::par-${i}`, { __provider: provider, name: `par-${i}`, distribution: "DEBIAN", tariff: "Облачный 1024" }),
    ),
  );
  const debian = sim.catalog().distributions.find((d) => d.name === "DEBIAN" && d.bitness === 64)!;
  for (const s of states) expect(sim.vm(Number(s.state.id))!.distribution.id).toBe(debian.id);
  // One lookup at check (cached per process, already warm or one), and the shared fresh one(s) at install.
  expect(sim.server.requestsTo("/distribution/").length).toBeLessThanOrEqual(3);
  expect(sim.server.requestsTo("/vm/install/")).toHaveLength(10);
});
