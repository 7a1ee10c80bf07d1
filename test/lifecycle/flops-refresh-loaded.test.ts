/**
 * Refresh at scale on a loaded machine: the dynamic-provider host held up 60 ms of every 80 (without
 * using a core: test/support/stalledHost.js), so the engine's reads reach the provider over a second
 * or more, in clumps between the stalls. They still share a listing: at most 3 calls for 100 servers
 * (provider/core/coalesce.ts: time the process could not run does not close a batch; the flops refresh
 * listing's gap grows with the reads joined).
 */
import * as path from "node:path";
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { type DynamicProviderHost, refresh, type ResourceState, startProviderHost } from "../harness";

let sim: FlopsSimulator;
let host: DynamicProviderHost;
let provider: string;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 20 });
  await sim.start();
  const started = await startProviderHost(() => new flops.Server("s", { distribution: "DEBIAN", tariff: "Облачный 1024" }), {
    config: { "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey },
    env: { NODE_OPTIONS: `--require ${path.join(__dirname, "..", "support", "stalledHost.js")}`, STALL_MS: "60", STALL_PERIOD_MS: "80" },
  });
  host = started.host;
  provider = started.providers["pulumi-nodejs:dynamic/flops:Server"];
}, 30_000);

afterAll(async () => {
  await host?.stop();
  await sim?.stop();
});

function stateOf(id: number, name: string): ResourceState {
  const props = { __provider: provider, name, distribution: "Debian 7.6 x64", tariff: "Облачный 1024", powerState: "running" };
  return { urn: `urn:pulumi:stack::project::pulumi-nodejs:dynamic/flops:Server::${name}`, id: String(id), inputs: props, outputs: props };
}

test("100 servers refresh with at most 3 listings of all servers, with every server's state", async () => {
  const vms = Array.from({ length: 100 }, (_, i) => sim.createVm({ name: `loaded-${i}` }));
  sim.updateVm(vms[7].id, { name: "renamed-7" });
  const states = vms.map((vm, i) => stateOf(vm.id, `loaded-${i}`));
  await refresh(host, states[0]); // the catalogs, read once per process
  await new Promise((r) => setTimeout(r, 100)); // no listing window left open
  sim.server.clearLog();
  const results = await Promise.all(states.map((s) => refresh(host, s)));
  expect(results.filter(Boolean)).toHaveLength(100);
  expect(results[7]?.outputs.name).toBe("renamed-7");
  const paths = sim.server.requests.map((r) => r.path);
  expect(paths.filter((p) => p !== "/api/v1/vm/")).toEqual([]);
  expect(paths.length).toBeLessThanOrEqual(3);
}, 60_000);
