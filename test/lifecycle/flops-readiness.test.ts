/**
 * flops.Server `readiness` through both delivery paths, in the engine's order: Pulumi's
 * dynamic-provider host (the SDK's serialized provider, `pulumi-nodejs:dynamic/flops:Server`) and the
 * native plugin (`vps:flops:Server`, an object input in schema.json). The flops simulator's guests
 * listen on loopback addresses `BOOT_MS` after a VM comes up. These run on wall time (the hosts are
 * other processes), so the boot is short. Needs `npm run build`.
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { CheckFailedError, destroy, HostCallError, makeUrn, plan, up } from "../harness";
import { providerHostPerFile } from "../support/providerHost";
import { pluginPerFile } from "../plugin/pluginHost";
import { pluginConfig } from "../plugin/scenarios";
import { flopsConfig, flopsHostOptions } from "../support/flops";

// Long enough that the first probe after the install finds the port closed (the "waiting for" line
// asserted below) even when a loaded machine delays the provider's look by a second or more.
const BOOT_MS = 2_500;
const sim = new FlopsSimulator({ operationDurationMs: 40, guestListeners: { bootMs: BOOT_MS } });
const dynamic = providerHostPerFile(sim, flopsHostOptions, () => {
  new flops.Server("web", { distribution: "DEBIAN", tariff: "Облачный 1024", readiness: { port: 22 } });
});
const pluginHost = pluginPerFile(() => ({ config: pluginConfig(flopsConfig(sim)), secretKeys: ["vps:flopsApiKey"] }));

beforeEach(() => {
  sim.setGuestBootTime(BOOT_MS);
  sim.server.clearLog();
  dynamic.host.clearOutput();
  pluginHost().clearOutput();
});

const paths = [
  {
    path: "dynamic",
    type: "pulumi-nodejs:dynamic/flops:Server",
    host: () => dynamic.host,
    extra: (): Record<string, unknown> => ({ __provider: dynamic.providers["pulumi-nodejs:dynamic/flops:Server"] }),
  },
  { path: "plugin", type: "vps:flops:Server", host: () => pluginHost(), extra: (): Record<string, unknown> => ({}) },
] as const;

describe.each(paths)("readiness through the $path path", ({ path, type, host, extra }) => {
  const inputs = (name: string, more: Record<string, unknown> = {}) => ({ ...extra(), name, distribution: "DEBIAN", tariff: "Облачный 1024", ...more });

  test("create returns after the port accepted a connection; changing or removing readiness is no diff", async () => {
    const name = `ready-${path}`;
    const urn = makeUrn(type, name);
    const program = inputs(name, { readiness: { port: sim.guestPort, banner: "SSH-2.0-" } });
    const { state } = await up(host(), urn, program);
    const vmId = Number(state.id);
    const install = sim.operations().find((o) => o.vmId === vmId && o.operationType === "VM_INSTALL")!;
    const accepted = sim.guestConnections(vmId);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].at).toBeGreaterThanOrEqual(install.endedAt! + BOOT_MS);
    // Every API call of the create came before the accept; the create returned right after it.
    const installPolls = sim.server.requests.map((r, i) => (r.path.endsWith(`/operation/${install.id}/`) ? i : -1)).filter((i) => i >= 0);
    expect(Math.max(...installPolls)).toBeLessThan(accepted[0].afterRequests);
    expect(sim.server.requests.slice(accepted[0].afterRequests)).toEqual([]);
    expect(host().allOutput()).toMatch(
      new RegExp(`flops:Server "${name}": connection to ${(state.outputs.ipAddresses as string[])[0].replace(/\./g, "\\.")}:${sim.guestPort}: .+, \\d+ s`),
    );

    for (const readiness of [{ port: 2222, timeout: 10 }, undefined]) {
      const next = { ...program, readiness };
      if (readiness === undefined) delete next.readiness;
      expect((await plan(host(), urn, next, state)).action).toBe("same");
    }
    await destroy(host(), state);
  });

  test("a time-out keeps the server in the stack (partial state) with what was tried and how to raise the limit", async () => {
    sim.setGuestBootTime(10 * 60_000);
    const name = `late-${path}`;
    const urn = makeUrn(type, name);
    const err = (await up(host(), urn, inputs(name, { readiness: { port: sim.guestPort, timeout: 1 } })).catch((e: unknown) => e)) as HostCallError;
    expect(err).toBeInstanceOf(HostCallError);
    const vm = sim.vms().find((v) => v.name === name)!;
    expect(err.initFailed).toBe(true);
    expect(err.id).toBe(String(vm.id));
    expect(err.message).toContain(`waiting for ${vm.ipAddresses[0]}:${sim.guestPort} failed: timed out`);
    expect(err.message).toContain("(last seen: connection refused)");
    expect(err.message).toContain("raise readiness.timeout (seconds)");
    expect(sim.vm(vm.id)).toBeDefined();
    await destroy(host(), { urn, id: err.id!, inputs: {}, outputs: { ...extra(), ...(err.properties ?? {}) } });
    expect(sim.vm(vm.id)).toBeUndefined();
  });

  test("check names readiness.address for an address no connection can reach", async () => {
    const urn = makeUrn(type, `bad-${path}`);
    const err = (await plan(host(), urn, inputs(`bad-${path}`, { readiness: { address: "224.0.0.1" } })).catch((e: unknown) => e)) as CheckFailedError;
    expect(err).toBeInstanceOf(CheckFailedError);
    expect(err.failures).toEqual([{ property: "readiness.address", reason: expect.stringMatching(/readiness\.address: 224\.0\.0\.1 is a multicast address/) }]);
    expect(sim.server.requests).toEqual([]);
  });
});
