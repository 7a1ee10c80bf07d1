/**
 * Partial state reaches the engine on both delivery paths (Pulumi's dynamic-provider host with the
 * SDK adapter, and the native plugin): a flops.Server update whose 3rd of 5 calls fails answers
 * ErrorResourceInitFailed with the server as far as the update got, so the next `pulumi up` sends
 * only what is left; a create whose wait ran out answers it with the object's id, its inputs and the
 * `__provider` (dynamic path), so the next plan updates the kept server instead of replacing it.
 * Needs `npm run build`.
 */
import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";
import { FlopsSimulator, OPERATION_TYPES as OP } from "../../simulator/flops";
import { hostCallErrorOf, plan, type ResourceState, up } from "../harness";
import { providerHostPerFile } from "../support/providerHost";
import { isSecretValue, makeUrn, type PlainObject } from "../harness/protocol";
import { pluginPerFile } from "../plugin/pluginHost";
import { pluginConfig } from "../plugin/scenarios";
import { fiveChangeServer, flopsConfig, flopsHostOptions, mutatingCalls, NEW_PASSWORD, OLD_PASSWORD } from "../support/flops";

const sim = new FlopsSimulator({ operationDurationMs: 30 });
const dynamic = providerHostPerFile(sim, flopsHostOptions, () => {
  new flops.Server("web", { distribution: "DEBIAN", tariff: "Облачный 1024", password: pulumi.secret(OLD_PASSWORD) });
});
const serverProvider = () => dynamic.providers["pulumi-nodejs:dynamic/flops:Server"];
const plugin = pluginPerFile(() => ({ config: pluginConfig(flopsConfig(sim)), secretKeys: ["vps:flopsApiKey"] }));

beforeEach(() => {
  sim.clearInjections();
  sim.server.clearLog();
});

const paths = [
  {
    name: "dynamic-provider host",
    host: () => dynamic.host,
    type: "pulumi-nodejs:dynamic/flops:Server",
    withProvider: (p: PlainObject): PlainObject => ({ __provider: serverProvider(), ...p }),
  },
  { name: "native plugin", host: () => plugin(), type: "vps:flops:Server", withProvider: (p: PlainObject): PlainObject => p },
];

describe.each(paths)("partial state through the $name", ({ name, host, type, withProvider }) => {
  const tag = name.startsWith("dynamic") ? "dyn" : "plg";
  const program = (n: string): PlainObject => fiveChangeServer.before(n);
  const changed = (n: string): PlainObject => fiveChangeServer.after(n);

  test("an update whose 3rd of 5 calls fails records what was applied; `pulumi up` again sends only the rest", async () => {
    const n = `${tag}-partial`;
    const urn = makeUrn(type, n);
    const created = (await up(host(), urn, withProvider(program(n)))).state;
    const vmId = Number(created.id);
    sim.failNextOperation(OP.cpuChange, { errorCode: "unexpected.exception", errorMessage: "hypervisor busy" });
    sim.server.clearLog();

    const p = await plan(host(), urn, withProvider(changed(n)), created);
    expect(p.action).toBe("update");
    const e = await hostCallErrorOf(host().update(urn, created.id, created.outputs, p.inputs, { oldInputs: created.inputs }));
    expect(mutatingCalls(sim)).toEqual(["memory_change", "disk_change", "cpu_change"]);
    expect(e.message).toMatch(/unexpected\.exception/);
    // ErrorResourceInitFailed: the engine records the new inputs and these outputs.
    expect(e.initFailed).toBe(true);
    expect(e.id).toBe(created.id);
    expect(e.properties).toMatchObject({ memory: 2048, disk: 32768, cpu: 1, name: n });
    if (name.startsWith("dynamic")) {
      expect(e.properties?.__provider).toBe(serverProvider());
      expect(e.properties?.password).toBe(OLD_PASSWORD);
    } else {
      expect(isSecretValue(e.properties?.password)).toBe(true);
    }

    const recorded: ResourceState = { urn, id: created.id, inputs: p.inputs, outputs: e.properties! };
    sim.server.clearLog();
    const again = await up(host(), urn, withProvider(changed(n)), recorded);
    expect(again.plan.action).toBe("update");
    expect(mutatingCalls(sim)).toEqual(["cpu_change", "password_change", "rename"]);
    expect(sim.vm(vmId)).toMatchObject({ memory: 2048, disk: 32768, cpu: 2, name: `${n}-renamed`, password: NEW_PASSWORD });
    expect((await plan(host(), urn, withProvider(changed(n)), again.state)).action).toBe("same");
    await host().delete(urn, again.state.id, again.state.outputs);
  });

  test("a create whose wait ran out keeps the server with its inputs: the next plan updates it, never replaces it", async () => {
    const n = `${tag}-kept`;
    const urn = makeUrn(type, n);
    sim.hangNextOperation(OP.install);
    const p = await plan(host(), urn, withProvider({ ...program(n), operationTimeout: 0.3 }));
    const e = await hostCallErrorOf(host().create(urn, p.inputs));
    expect(e.initFailed).toBe(true);
    expect(e.id).toMatch(/^\d+$/);
    expect(e.properties).toMatchObject({ name: n, distribution: "Debian 7.6 x64", tariff: "Облачный без границ", memory: 1024 });
    if (name.startsWith("dynamic")) expect(e.properties?.__provider).toBe(serverProvider());

    sim.finishOperation(sim.operations().find((o) => o.hung && o.vmId === Number(e.id))!.id);
    const kept: ResourceState = { urn, id: e.id!, inputs: p.inputs, outputs: e.properties! };
    const next = await plan(host(), urn, withProvider({ ...program(n), operationTimeout: 0.3, cpu: 2 }), kept);
    expect(next.action).toBe("update");
    await host().delete(urn, kept.id, kept.outputs);
    expect(sim.vm(Number(e.id))).toBeUndefined();
  });
});
