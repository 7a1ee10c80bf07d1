/**
 * One table of scenarios (scenarios.ts), run through both delivery paths over gRPC in the engine's
 * order: Check → Create, a second preview (Check → Diff: no change), a change (update or replace, the
 * diff naming each property), refresh (Read) and a preview after it, destroy (Delete) and a refresh
 * after it. Path 1 is Pulumi's dynamic-provider host running the SDK's serialized provider; path 2 is
 * the native plugin `pulumi-resource-vps`. Both call the same handlers, so both must behave the same.
 * Needs `npm run build`; `npm test` builds first.
 */
import * as pulumi from "@pulumi/pulumi";
import { functionDefinition, hostNames, resourceDefinition } from "../../provider/hosts";
import type { ResourceDefinition } from "../../provider/core/resource";
import { VpsResource } from "../../sdk/dynamic";
import { invokeFunction } from "../../sdk/function";
import { captureResources, destroy, DynamicProviderHost, findResource, lifecycle, makeUrn, plan, refresh, up, unwrapSecrets } from "../harness";
import type { PlainObject } from "../harness/protocol";
import { isSecretValue } from "../harness/protocol";
import { PluginHost, pluginPerFile } from "./pluginHost";
import { functionScenarios, type HostName, pluginConfig, pluginKey, type Scenario, scenarios, type SimulatedHost, simulators } from "./scenarios";

/** Any described resource as the SDK registers it (what each SDK class does for its own type). */
function describedResource(def: ResourceDefinition, name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions): VpsResource {
  return new (class extends VpsResource {
    protected static override readonly definition = def;
  })(name, args, opts);
}

interface DeliveryPath {
  name: "dynamic" | "plugin";
  host: DynamicProviderHost;
  urn(s: Scenario): string;
  /** The program's inputs as this path's Check receives them. */
  inputs(s: Scenario, extra?: PlainObject): PlainObject;
}

const sims: Partial<Record<HostName, SimulatedHost>> = {};
const config: Record<string, string> = {};
const secretKeys: string[] = [];
/** Per scenario: the dynamic path's registered inputs (with `__provider` and the name default). */
const registered: Record<string, PlainObject> = {};
const key = (s: Scenario) => `${s.host}:${s.type}:${s.name}`;

beforeAll(async () => {
  for (const host of [...new Set(scenarios.map((s) => s.host))]) {
    const sim = await simulators[host]();
    sims[host] = sim;
    Object.assign(config, sim.config);
    secretKeys.push(...sim.secretKeys);
  }
  const captured = await captureResources(() => {
    for (const s of scenarios) describedResource(resourceDefinition(`${s.host}:${s.type}`), s.name, s.inputs);
  });
  for (const s of scenarios) registered[key(s)] = findResource(captured, s.name, `pulumi-nodejs:dynamic/${s.host}:${s.type}`).inputs;
}, 60_000);

afterAll(async () => {
  for (const sim of Object.values(sims)) await sim?.stop();
});

it("covers every host of the token table", () => {
  expect([...new Set(scenarios.map((s) => s.host))].sort()).toEqual([...hostNames()].sort());
  expect([...new Set(functionScenarios.map((s) => s.host))].sort()).toEqual([...hostNames()].sort());
});

const paths: Array<{ name: DeliveryPath["name"]; start(): Promise<DeliveryPath> }> = [
  {
    name: "dynamic",
    start: async () => ({
      name: "dynamic",
      host: await DynamicProviderHost.start({ config, secretKeys }),
      urn: (s) => makeUrn(`pulumi-nodejs:dynamic/${s.host}:${s.type}`, s.name),
      inputs: (s, extra = {}) => ({ ...registered[key(s)], ...extra }),
    }),
  },
  {
    name: "plugin",
    start: async () => ({
      name: "plugin",
      host: await PluginHost.startPlugin({ config: pluginConfig(config), secretKeys: secretKeys.map(pluginKey) }),
      urn: (s) => makeUrn(`vps:${s.host}:${s.type}`, s.name),
      inputs: (s, extra = {}) => ({ ...s.inputs, ...extra }),
    }),
  },
];

describe.each(paths)("through the $name path", ({ start }) => {
  let path: DeliveryPath;
  beforeAll(async () => {
    path = await start();
  }, 30_000);
  afterAll(async () => {
    await path?.host.stop();
  });

  test.each(scenarios.map((s) => [`${s.host}:${s.type}`, s] as const))("%s: create, no diff, change, refresh, delete", async (_label, s) => {
    const { host } = path;
    const urn = path.urn(s);

    // pulumi up (create), then a second preview with the same program: no change.
    const created = await lifecycle(host, urn, path.inputs(s));
    expect(created.created.action).toBe("create");
    expect(created.second.action).toBe("same");
    expect(unwrapSecrets(created.state.outputs)).toMatchObject(s.outputs);
    if (path.name === "plugin") {
      // The plugin returns secrets as secrets; the dynamic host cannot (the SDK marks them instead).
      for (const k of s.secrets ?? []) expect([k, isSecretValue(created.state.outputs[k])]).toEqual([k, true]);
    }
    let state = created.state;

    if (path.name === "plugin" && "importFrom" in resourceDefinition(`${s.host}:${s.type}`).inputs) {
      // pulumi import: Read with only the id; the generated program's inputs check and diff clean.
      const imported = await host.read(urn, state.id, undefined, undefined);
      expect(imported.id).toBe(state.id);
      const checked = await host.check(urn, {}, imported.inputs ?? {});
      expect(checked.failures).toEqual([]);
      const diff = await host.diff(urn, imported.id, imported.properties, checked.inputs);
      expect([diff.changes, diff.detailedDiff]).toEqual(["none", {}]);
    }

    if (s.change) {
      const changed = await up(host, urn, path.inputs(s, s.change.inputs), state);
      expect(changed.plan.action).toBe(s.change.action);
      const diff = changed.plan.diff!;
      expect(diff.replaces.sort()).toEqual(
        Object.keys(s.change.properties)
          .filter((k) => s.change!.properties[k] === "replace")
          .sort(),
      );
      if (path.name === "plugin") {
        // The dynamic host never sends detailedDiff; the plugin names every changed property.
        const kinds = Object.fromEntries(Object.entries(diff.detailedDiff ?? {}).map(([k, d]) => [k, d.kind.endsWith("replace") ? "replace" : "update"]));
        expect(kinds).toEqual(s.change.properties);
        expect(diff.diffs.sort()).toEqual(Object.keys(s.change.properties).sort());
      }
      if (s.change.action === "update") expect(changed.state.id).toBe(state.id);
      else expect(changed.state.id).not.toBe(state.id);
      state = changed.state;
      expect((await plan(host, urn, path.inputs(s, s.change.inputs), state)).action).toBe("same");
    }

    // pulumi refresh, then a preview: no change.
    const refreshed = await refresh(host, state);
    expect(refreshed?.id).toBe(state.id);
    expect((await plan(host, urn, path.inputs(s, s.change?.inputs), refreshed)).action).toBe("same");

    // pulumi destroy.
    await destroy(host, refreshed!);
    if (s.goneAfterDelete ?? true) expect(await refresh(host, refreshed!)).toBeUndefined();
  });
});

describe("functions through both paths", () => {
  const plugin = pluginPerFile(() => ({ config: pluginConfig(config), secretKeys: secretKeys.map(pluginKey) }));
  // The SDK's functions run in the program's process and read the stack config.
  beforeAll(() => pulumi.runtime.setAllConfig(config, secretKeys));

  test.each(functionScenarios.map((f) => [`${f.host}:${f.name}`, f] as const))("%s answers the same through the SDK and through Invoke", async (_label, f) => {
    const viaSdk = await invokeFunction(functionDefinition(`${f.host}:${f.name}`), f.args);
    const viaPlugin = await plugin().invoke(`vps:${f.host}:${f.name}`, f.args);
    expect(viaPlugin.failures).toEqual([]);
    expect(viaPlugin.return).toEqual(JSON.parse(JSON.stringify(viaSdk)));
    expect(Object.keys(viaPlugin.return).length).toBeGreaterThan(0);
  });
});
