/**
 * A create the engine may never see the end of (the run is killed during the wait), through both
 * delivery paths over gRPC: Pulumi's dynamic-provider host running the SDK's serialized provider, and
 * the native plugin. The new server's id reaches the engine's output while the install is still
 * awaited: on the host's stderr (which the CLI shows as the plugin's output) for the dynamic path, as
 * an engine Log line against the resource's URN (not ephemeral, so it stays in the output) for the
 * plugin. Needs `npm run build`.
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator, OPERATION_TYPES as OP } from "../../simulator/flops";
import { captureResources, DynamicProviderHost, findResource, makeUrn, type HostLogLine } from "../harness";
import { PluginHost } from "../plugin/pluginHost";
import { pluginConfig } from "../plugin/scenarios";

let sim: FlopsSimulator;
let serializedProvider: string;

beforeAll(async () => {
  sim = new FlopsSimulator({ operationDurationMs: 40 });
  await sim.start();
  const captured = await captureResources(() => {
    new flops.Server("web1", { distribution: "DEBIAN", tariff: "Облачный 1024" });
  });
  serializedProvider = findResource(captured, "web1").serializedProvider!;
}, 30_000);

afterAll(async () => {
  await sim?.stop();
});

const flopsConfig = () => ({ "flops:endpoint": sim.endpoint, "flops:clientId": sim.clientId, "flops:apiKey": sim.apiKey, "flops:maxRequestsPerSecond": "1000" });

const paths = [
  {
    name: "dynamic",
    start: () => DynamicProviderHost.start({ config: flopsConfig(), secretKeys: ["flops:apiKey"] }),
    urn: makeUrn("pulumi-nodejs:dynamic/flops:Server", "web1"),
    inputs: () => ({ __provider: serializedProvider, name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024" }),
    /** The CLI shows a dynamic host's stderr lines as its output. */
    isEngineOutput: (l: HostLogLine) => l.channel === "stderr",
  },
  {
    name: "plugin",
    start: () => PluginHost.startPlugin({ config: pluginConfig(flopsConfig()), secretKeys: ["vps:flopsApiKey"] }),
    urn: makeUrn("vps:flops:Server", "web1"),
    inputs: () => ({ name: "web1", distribution: "DEBIAN", tariff: "Облачный 1024" }),
    isEngineOutput: (l: HostLogLine) => l.channel === "engine",
  },
];

describe.each(paths)("through the $name path", (path) => {
  let host: DynamicProviderHost;
  beforeAll(async () => {
    host = await path.start();
  }, 30_000);
  afterAll(async () => {
    await host?.stop();
  });

  it("names the new VM and its operation while the install is still awaited", async () => {
    sim.hangNextOperation(OP.install);
    const checked = await host.check(path.urn, {}, path.inputs());
    expect(checked.failures).toEqual([]);
    const creating = host.create(path.urn, checked.inputs);
    const line = await host.waitForLog((l) => path.isEngineOutput(l) && /VM \d+ installing/.test(l.message), 10_000);
    const hung = sim.operations().find((o) => o.hung)!;
    expect(hung).toBeDefined();
    expect(line.message).toBe(`flops:Server "web1": VM ${hung.vmId} installing (operation ${hung.id})`);
    if (path.name === "plugin") {
      expect(host.engineLogs.find((l) => l.message === line.message)).toMatchObject({ severity: "info", ephemeral: false, urn: path.urn });
    }
    // Still waiting: the line came before the end of the install, not with the answer.
    expect(sim.operation(hung.id)!.hung).toBe(true);
    sim.finishOperation(hung.id);
    const created = await creating;
    expect(created.id).toBe(String(hung.vmId));
  });
});
