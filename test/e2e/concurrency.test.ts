/**
 * 20 servers in one `pulumi up` against a flops simulator that refuses overlapping operations
 * (error.operation.already.started) and takes 3 s per install: no refusal, exactly one server each.
 * Prints wall(20 creates) / wall(1 create), each the whole `up` (the engine's start-up included).
 * The CLI's default --parallel is 4 × cores (8 here); --parallel 64 measures the provider instead.
 */
import { OPERATION_TYPES } from "../../simulator/flops";
import { requireEngine, resourcesOf, Workspace } from "./support/engine";
import { dynamicConfig, SERVER_PASSWORD, startSimulators, type Simulators } from "./support/simulators";

const SERVERS = 20;
const INSTALL_MS = 3_000;

let sims: Simulators;
let ws: Workspace;

beforeAll(async () => {
  requireEngine();
  sims = await startSimulators({ operationMs: 100 });
  sims.flops.setOperationDuration(INSTALL_MS, OPERATION_TYPES.install);
  ws = new Workspace({ project: "concurrency" });
  ws.write(
    "index.js",
    `const pulumi = require("@pulumi/pulumi");
const { flops } = require("pulumi-vps");
const count = new pulumi.Config().requireNumber("servers");
const servers = [];
for (let i = 1; i <= count; i++) {
  servers.push(new flops.Server("web" + i, { distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный 1024", password: ${JSON.stringify(SERVER_PASSWORD)} }));
}
exports.ids = servers.map((s) => s.id);
`,
  );
  const { config, secretKeys } = dynamicConfig(sims);
  await ws.initStack({ ...config, "concurrency:servers": "1" }, secretKeys);
});

afterAll(async () => {
  await ws?.dispose();
  await sims?.stop();
});

async function timedUp(): Promise<number> {
  const started = Date.now();
  await ws.inline("up", { parallel: 64 });
  return Date.now() - started;
}

it(`${SERVERS} creates in one up: no refused operation, one server each; wall(${SERVERS}) / wall(1)`, async () => {
  const one = await timedUp();
  expect(sims.flops.vms()).toHaveLength(1);
  await ws.inline("destroy", { parallel: 64 });
  expect(sims.flops.vms()).toEqual([]);

  await ws.pulumi(["config", "set", "servers", String(SERVERS)]);
  const installsBefore = sims.flops.server.requests.filter((r) => r.path.endsWith("/vm/install/")).length;
  const many = await timedUp();
  const vms = sims.flops.vms();
  expect(vms.map((vm) => vm.name).sort()).toEqual(Array.from({ length: SERVERS }, (_, i) => `web${i + 1}`).sort());
  expect(sims.flops.server.requests.filter((r) => r.path.endsWith("/vm/install/")).length - installsBefore).toBe(SERVERS);
  expect(sims.flops.busyRefusals).toBe(0);
  const state = (await ws.exportStack()).deployment;
  expect(
    resourcesOf(state, "flops:Server")
      .map((r) => Number(r.id))
      .sort(),
  ).toEqual(vms.map((vm) => vm.id).sort());

  const ratio = many / one;
  console.log(
    `concurrency: wall(1 create) ${(one / 1000).toFixed(1)} s, wall(${SERVERS} creates) ${(many / 1000).toFixed(1)} s, ratio ${ratio.toFixed(2)} (installs ${INSTALL_MS / 1000} s, --parallel 64)`,
  );
  // Serial creates would take 20 × 3 s more than one; in parallel the ratio stays small.
  expect(ratio).toBeLessThan(4);

  await ws.inline("destroy", { parallel: 64 });
  expect(sims.flops.vms()).toEqual([]);
  expect(sims.flops.busyRefusals).toBe(0);
});
