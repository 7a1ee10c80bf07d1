/**
 * flops Server and PublicKey through Pulumi's own dynamic-provider host, in the engine's order
 * (Check, Diff, Create, Diff, Update, Read, Delete), against the flops simulator over HTTP.
 * Needs `npm run build` (the serialized provider loads bin/sdk/adapter.js), which `pretest` runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { captureResources, CheckFailedError, destroy, findResource, HostCallError, plan, refresh, type ResourceState, UNKNOWN, up } from "../harness";
import { expectGoneThroughHost, providerHostPerFile } from "../support/providerHost";
import { flopsHostOptions } from "../support/flops";
import { programFromModule, runProgram, destroyStack } from "../harness/engineless";
import * as path from "node:path";

const PASSWORD = "Sup3r-Secret";
const SERVER = "pulumi-nodejs:dynamic/flops:Server";
const KEY = "pulumi-nodejs:dynamic/flops:PublicKey";
const PUBKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBx0mVq5dTz7YwT0vZb1y3kQ lifecycle@test";

const sim = new FlopsSimulator({ operationDurationMs: 40 });
// The serialized providers, exactly as a program produces them.
const hosted = providerHostPerFile(sim, flopsHostOptions, () => {
  new flops.PublicKey("k", { publicKey: PUBKEY });
  new flops.Server("web", { distribution: "DEBIAN", tariff: "Облачный 1024", password: pulumi.secret(PASSWORD) });
});

const urn = (type: string, name: string) => `urn:pulumi:stack::project::${type}::${name}`;

function server(inputs: Record<string, unknown>) {
  return { __provider: hosted.providers[SERVER], name: "web", ...inputs };
}

beforeEach(() => {
  sim.clearInjections();
});

async function createKey(name: string): Promise<ResourceState> {
  return (await up(hosted.host, urn(KEY, name), { __provider: hosted.providers[KEY], name, publicKey: `${PUBKEY}-${name}` })).state;
}

describe("flops.Server through the dynamic-provider host", () => {
  test("create with keys and a family-name distribution, then no diff, refresh, renumbered catalog, reordered keys", async () => {
    const k1 = await createKey("k1");
    const k2 = await createKey("k2");
    const inputs = server({ name: "web-1", distribution: "DEBIAN", bitness: 64, tariff: "Облачный 1024", password: PASSWORD, publicKeyIds: [k1.id, k2.id] });
    const created = await up(hosted.host, urn(SERVER, "web-1"), inputs);
    expect(created.plan.action).toBe("create");
    const vm = sim.vm(Number(created.state.id))!;
    expect(vm.name).toBe("web-1");
    expect(vm.distribution.name).toBe("DEBIAN");
    expect(vm.publicKeys.map((k) => String(k.id)).sort()).toEqual([k1.id, k2.id].sort());
    expect(created.state.outputs).toMatchObject({
      name: "web-1",
      state: "VIR_DOMAIN_RUNNING",
      distributionName: "DEBIAN",
      tariff: "Облачный 1024",
      powerState: "running",
    });
    expect((created.state.outputs.ipAddresses as string[]).length).toBe(1);

    // The install request carried the documented parameters, resolved fresh from the catalog.
    const install = sim.server.requestsTo("/vm/install/")[0];
    expect(install.url).toContain(`distributionId=${vm.distribution.id}`);
    expect(install.url).toContain("publicKeyIds=");
    expect(install.url).toContain("apiKey=***");
    expect(install.url).not.toContain(sim.apiKey);
    expect(install.url).not.toContain(PASSWORD);

    expect((await plan(hosted.host, created.state.urn, inputs, created.state)).action).toBe("same");

    const refreshed = (await refresh(hosted.host, created.state))!;
    expect((await plan(hosted.host, created.state.urn, inputs, refreshed)).action).toBe("same");

    sim.renumberDistributions();
    const afterRenumber = (await refresh(hosted.host, refreshed))!;
    expect((await plan(hosted.host, created.state.urn, inputs, afterRenumber)).action).toBe("same");

    const reordered = { ...inputs, publicKeyIds: [k2.id, k1.id] };
    expect((await plan(hosted.host, created.state.urn, reordered, afterRenumber)).action).toBe("same");

    await destroy(hosted.host, afterRenumber);
    expect(sim.vm(Number(created.state.id))).toBeUndefined();
    await destroy(hosted.host, k1);
    await destroy(hosted.host, k2);
  });

  test("rename + resize + power off as one update, each change waited for in order", async () => {
    const inputs = server({ name: "od-1", distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный без границ", memory: 1024, disk: 16384, cpu: 1 });
    const { state } = await up(hosted.host, urn(SERVER, "od-1"), inputs);
    sim.server.clearLog();
    const changed = { ...inputs, name: "od-renamed", memory: 2048, disk: 65536, cpu: 2, powerState: "stopped" };
    const r = await up(hosted.host, state.urn, changed, state);
    expect(r.plan.action).toBe("update");
    const vm = sim.vm(Number(state.id))!;
    expect(vm).toMatchObject({ name: "od-renamed", memory: 2048, disk: 65536, cpu: 2, state: "VIR_DOMAIN_SHUTOFF" });
    const calls = sim.server.requests.map((q) => q.path.split("/").filter(Boolean).pop()).filter((p) => /_change|rename|shutdown/.test(p ?? ""));
    // Memory grows first, so the disk never exceeds 64 × memory in between.
    expect(calls).toEqual(["memory_change", "disk_change", "cpu_change", "rename", "shutdown"]);
    expect((await plan(hosted.host, state.urn, changed, r.state)).action).toBe("same");
    await destroy(hosted.host, r.state);
  });

  test("a server created stopped is stopped after create, and a second plan is empty", async () => {
    const inputs = server({ name: "cold-1", distribution: "DEBIAN", tariff: "Облачный 1024", powerState: "stopped" });
    const { state } = await up(hosted.host, urn(SERVER, "cold-1"), inputs);
    expect(sim.vm(Number(state.id))!.state).toBe("VIR_DOMAIN_SHUTOFF");
    expect(state.outputs).toMatchObject({ powerState: "stopped", state: "VIR_DOMAIN_SHUTOFF" });
    expect((await plan(hosted.host, state.urn, inputs, state)).action).toBe("same");
    await destroy(hosted.host, state);
  });

  test("tariff change is in place (tariff_change); to a tariff with a smaller disk it is a replacement", async () => {
    const inputs = server({ name: "tariff-1", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const { state } = await up(hosted.host, urn(SERVER, "tariff-1"), inputs);
    const bigger = { ...inputs, tariff: "Облачный 2048" };
    const grown = await up(hosted.host, state.urn, bigger, state);
    expect(grown.plan.action).toBe("update");
    expect(sim.server.requestsTo(`/vm/${state.id}/tariff_change/`)).toHaveLength(1);
    expect(sim.vm(Number(state.id))).toMatchObject({ memory: 2048, disk: 65536 });
    expect((await plan(hosted.host, state.urn, bigger, grown.state)).action).toBe("same");
    const back = await plan(hosted.host, state.urn, inputs, grown.state);
    expect(back.action).toBe("replace");
    expect(back.diff?.replaces).toEqual(["tariff"]);
    await destroy(hosted.host, grown.state);
  });

  test("reinstallOnChange: a distribution change is an in-place reinstall (same id) instead of a replacement", async () => {
    const inputs = server({ name: "re-1", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const { state } = await up(hosted.host, urn(SERVER, "re-1"), inputs);
    const ip = sim.vm(Number(state.id))!.ipAddresses[0];
    expect((await plan(hosted.host, state.urn, { ...inputs, distribution: "CentOS 6.5 x64" }, state)).action).toBe("replace");
    const changed = { ...inputs, distribution: "CentOS 6.5 x64", reinstallOnChange: true };
    const r = await up(hosted.host, state.urn, changed, state);
    expect(r.plan.action).toBe("update");
    expect(r.state.id).toBe(state.id);
    expect(sim.server.requestsTo(`/vm/${state.id}/reinstall/`)).toHaveLength(1);
    expect(sim.vm(Number(state.id))).toMatchObject({ distribution: expect.objectContaining({ description: "CentOS 6.5 x64" }), ipAddresses: [ip] });
    expect((await plan(hosted.host, state.urn, changed, r.state)).action).toBe("same");
    await destroy(hosted.host, r.state);
  });

  test("a soft shutdown that does not finish falls back to poweroff, with a warning", async () => {
    const inputs = server({ name: "hard-off", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const { state } = await up(hosted.host, urn(SERVER, "hard-off"), inputs);
    // flops marks a soft shutdown failed when the guest has not stopped within 3 minutes.
    sim.failNextOperation("VM_SHUTDOWN", { errorCode: "error.vm.shutdown.timeout", errorMessage: "guest did not stop" });
    const stopped = await up(hosted.host, state.urn, { ...inputs, powerState: "stopped" }, state);
    expect(sim.vm(Number(state.id))!.state).toBe("VIR_DOMAIN_SHUTOFF");
    expect(sim.server.requestsTo(`/vm/${state.id}/poweroff/`)).toHaveLength(1);
    await hosted.host.waitForLog(/shutdown did not finish \(error\.vm\.shutdown\.timeout\); powering off instead/);
    await destroy(hosted.host, stopped.state);
  });

  test("an install that does not finish in operationTimeout names the operation and how to continue", async () => {
    sim.hangNextOperation("VM_INSTALL");
    const err = (await up(
      hosted.host,
      urn(SERVER, "slow"),
      server({ name: "slow", distribution: "DEBIAN", tariff: "Облачный 1024", operationTimeout: 1 }),
    ).catch((e: unknown) => e)) as HostCallError;
    expect(err).toBeInstanceOf(HostCallError);
    expect(err.message).toMatch(/operation \d+/);
    expect(err.message).toMatch(/pulumi refresh/);
    expect(err.message).toMatch(/importFrom/);
    // The VM exists and is named, so the engine keeps it as partially created: no orphan.
    expect(err.initFailed).toBe(true);
    const vm = sim.vms().find((v) => v.name === "slow")!;
    expect(err.id).toBe(String(vm.id));
    for (const op of sim.operations().filter((o) => o.hung)) sim.finishOperation(op.id);
    await destroy(hosted.host, { urn: urn(SERVER, "slow"), id: String(vm.id), inputs: {}, outputs: server({}) });
  });

  test("disk shrink and tenant change are replacements; the diff names the property", async () => {
    const inputs = server({ name: "rp-1", distribution: "Ubuntu 14.04.1 x64", tariff: "Облачный без границ", memory: 1024, disk: 32768 });
    const { state } = await up(hosted.host, urn(SERVER, "rp-1"), inputs);
    const shrink = await plan(hosted.host, state.urn, { ...inputs, disk: 16384 }, state);
    expect(shrink.action).toBe("replace");
    expect(shrink.diff?.replaces).toEqual(["disk"]);
    const otherTenant = sim.catalog().tenants[1].id;
    const tenant = await plan(hosted.host, state.urn, { ...inputs, tenantId: otherTenant }, state);
    expect(tenant.action).toBe("replace");
    expect(tenant.diff?.replaces).toEqual(["tenantId"]);
    expect(tenant.diff?.deleteBeforeReplace).toBe(false);
    await destroy(hosted.host, state);
  });

  test("drift: a rename in the panel shows on refresh and is put back; a VM deleted outside leaves the state", async () => {
    const inputs = server({ name: "drift-1", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const { state } = await up(hosted.host, urn(SERVER, "drift-1"), inputs);
    sim.updateVm(Number(state.id), { name: "renamed-in-panel", state: "VIR_DOMAIN_SHUTOFF" });
    const refreshed = (await refresh(hosted.host, state))!;
    expect(refreshed.outputs).toMatchObject({ name: "renamed-in-panel", powerState: "stopped" });
    const p = await plan(hosted.host, state.urn, inputs, refreshed);
    expect(p.action).toBe("update");
    const fixed = await up(hosted.host, state.urn, inputs, refreshed);
    expect(sim.vm(Number(state.id))).toMatchObject({ name: "drift-1", state: "VIR_DOMAIN_RUNNING" });

    sim.deleteVm(Number(state.id));
    // Deleting an already-deleted server is success.
    await expectGoneThroughHost(hosted.host, fixed.state);
  });

  test("adoption with importFrom: replace-only differences fail naming them, in-place ones are applied", async () => {
    const vm = sim.createVm({ name: "legacy", tariffId: 4 });
    const wrong = server({ name: "legacy", distribution: "CentOS 6.5 x64", tariff: "Облачный 1024", importFrom: String(vm.id) });
    await expect(up(hosted.host, urn(SERVER, "legacy"), wrong)).rejects.toThrow(/distribution: program "CentOS 6.5 x64", server "Debian 7.6 x64"/);

    const inputs = server({ name: "adopted", distribution: "Debian 7.6 x64", tariff: "Облачный 1024", importFrom: String(vm.id) });
    const adopted = await up(hosted.host, urn(SERVER, "adopted"), inputs);
    expect(adopted.state.id).toBe(String(vm.id));
    expect(sim.vm(vm.id)!.name).toBe("adopted");
    expect(sim.server.requestsTo("/vm/install/").filter((r) => r.at > 0 && r.url.includes("adopted"))).toHaveLength(0);
    expect((await plan(hosted.host, adopted.state.urn, inputs, adopted.state)).action).toBe("same");
    // A later change of importFrom is no diff.
    expect((await plan(hosted.host, adopted.state.urn, { ...inputs, importFrom: "1" }, adopted.state)).action).toBe("same");
    await destroy(hosted.host, adopted.state);
  });

  test("Server.get reads an existing server without managing it", async () => {
    const vm = sim.createVm({ name: "existing" });
    const captured = await captureResources(() => {
      flops.Server.get("existing", String(vm.id));
    });
    const got = findResource(captured, "existing");
    expect(got.id).toBe(String(vm.id));
    const read = await hosted.host.read(got.urn, String(vm.id), undefined, got.inputs);
    expect(read.id).toBe(String(vm.id));
    expect(read.properties).toMatchObject({ name: "existing", state: "VIR_DOMAIN_RUNNING" });
  });

  test("a change of the serialized provider text alone is no diff", async () => {
    const inputs = server({ name: "prov-1", distribution: "DEBIAN", tariff: "Облачный 1024" });
    const { state } = await up(hosted.host, urn(SERVER, "prov-1"), inputs);
    const newerProvider = `${hosted.providers[SERVER]}\n// a newer pulumi-vps\n`;
    const p = await plan(hosted.host, state.urn, { ...inputs, __provider: newerProvider }, state);
    expect(p.action).toBe("same");
    expect(p.diff?.changes).toBe("none");
    await destroy(hosted.host, state);
  });

  test("bad inputs are rejected at Check naming the property and allowed values, with no call but cached catalog reads", async () => {
    // Warm the per-process catalog cache, then check that nothing else is called.
    await plan(hosted.host, urn(SERVER, "warm"), server({ distribution: "DEBIAN", tariff: "Облачный 1024" }));
    sim.server.clearLog();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ distribution: "DEBIAN", tariff: "Облачный без границ", memory: 256 }, /memory.*512–16384/],
      [{ distribution: "DEBIAN", tariff: "Облачный без границ", memory: 512, disk: 65536 }, /disk.*more than 64 × memory/],
      [{ distribution: "DEBIAN", tariff: "Облачный без границ", cpu: 13 }, /cpu.*1–12/],
      [{ distribution: "DEBIAN", tariff: "Облачный без границ", ipCount: 3 }, /ipCount.*0–2/],
      [{ distribution: "DEBIAN", tariff: "Облачный 1024", memory: 2048 }, /fixed tariff/],
      [{ distribution: "DEBIAN", tariff: "Облачный 1024", password: "alllowercase1" }, /password.*latin letters of both cases/],
      [{ distribution: "UBUNTU", tariff: "Облачный 1024" }, /matches several catalog entries: "Ubuntu 14.04.1 x64", "Ubuntu 12.04.5 x64"/],
      [{ distribution: "Plan 9", tariff: "Облачный 1024" }, /no distribution "Plan 9"; available:/],
      [{ distribution: "DEBIAN", tariff: "Nope" }, /no tariff "Nope"; available:/],
      [{ distribution: "DEBIAN", distributionId: 233, tariff: "Облачный 1024" }, /distribution or distributionId, not both/],
      [{ distribution: "DEBIAN", tariff: "Облачный 1024", powerState: "paused" }, /powerState.*must be "running" or "stopped"/],
    ];
    for (const [inputs, message] of cases) {
      const err = await plan(hosted.host, urn(SERVER, "bad"), server(inputs)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckFailedError);
      expect((err as Error).message).toMatch(message);
    }
    // Lowering memory without allowRestart fails at check, with the reason.
    const od = { distribution: "DEBIAN", tariff: "Облачный без границ", memory: 2048 };
    const prior: ResourceState = { urn: urn(SERVER, "bad"), id: "1", inputs: server(od), outputs: server({ ...od, state: "VIR_DOMAIN_RUNNING" }) };
    await expect(plan(hosted.host, prior.urn, server({ ...od, memory: 1024 }), prior)).rejects.toThrow(/allowRestart: true/);
    expect(sim.server.requests).toEqual([]);
  });

  test("unknown inputs during preview (a key not created yet) pass Check", async () => {
    const checked = await hosted.host.check(urn(SERVER, "pre"), {}, server({ distribution: "DEBIAN", tariff: "Облачный 1024", publicKeyIds: [UNKNOWN] }));
    expect(checked.failures).toEqual([]);
  });

  test("a failed install operation leaves no VM, and the error names the operation and vendor code", async () => {
    const before = sim.vms().length;
    sim.failNextOperation("VM_INSTALL", { errorCode: "error.vm.install.failed", errorMessage: "image broken" });
    const err = (await up(hosted.host, urn(SERVER, "broken"), server({ name: "broken", distribution: "DEBIAN", tariff: "Облачный 1024" })).catch(
      (e: unknown) => e,
    )) as HostCallError;
    expect(err).toBeInstanceOf(HostCallError);
    expect(err.message).toMatch(/flops:Server "broken"/);
    expect(err.message).toMatch(/install/);
    expect(err.message).toMatch(/error\.vm\.install\.failed/);
    expect(err.message).toMatch(/image broken/);
    expect(sim.vms().length).toBe(before);
    expect(sim.server.requestsTo("/delete/").length).toBe(1);
  });

  test("a failed install whose cleanup fails too: the VM is kept in state and the error carries both vendor codes and what to do", async () => {
    sim.failNextOperation("VM_INSTALL", { errorCode: "error.vm.install.failed", errorMessage: "image broken" });
    sim.failNextOperation("VM_DESTROY", { errorCode: "error.vm.destroy.failed", errorMessage: "storage locked" });
    const err = (await up(hosted.host, urn(SERVER, "stuck"), server({ name: "stuck", distribution: "DEBIAN", tariff: "Облачный 1024" })).catch(
      (e: unknown) => e,
    )) as HostCallError;
    expect(err).toBeInstanceOf(HostCallError);
    const vm = sim.vms().find((v) => v.name === "stuck")!;
    expect(err.initFailed).toBe(true);
    expect(err.id).toBe(String(vm.id));
    expect(err.message).toMatch(/^flops:Server "stuck": flops: install \(operation \d+\): operation \d+ \(VM_INSTALL\) failed/);
    expect(err.message).toMatch(/the host answered error\.vm\.install\.failed: image broken/);
    expect(err.message).toMatch(
      new RegExp(
        `Cleaning up VM ${vm.id} failed too \\(.*error\\.vm\\.destroy\\.failed: storage locked.*\\): delete it in the panel or adopt it with importFrom: "${vm.id}"`,
      ),
    );
  });

  test("an install whose answer was lost is reconciled: one VM, adopted, never a duplicate", async () => {
    const before = sim.vms().length;
    sim.server.fail({ path: "/vm/install/", kind: "lostResponse" });
    const lost = await up(hosted.host, urn(SERVER, "lost-1"), server({ name: "lost-1", distribution: "DEBIAN", tariff: "Облачный 1024" }));
    expect(sim.server.requestsTo("/vm/install/").filter((r) => r.url.includes("lost-1"))).toHaveLength(1);
    expect(sim.vms().filter((v) => v.name === "lost-1")).toHaveLength(1);
    expect(lost.state.outputs.state).toBe("VIR_DOMAIN_RUNNING");
    await hosted.host.waitForLog(/install VM "lost-1" had no clear answer .*its change is there, so it is not sent again/);
    await hosted.host.waitForLog(/adopted VM \d+ \("lost-1"\), made by install VM "lost-1"/);

    // A 503 before anything happened: nothing is found, so the install is sent again, once.
    sim.server.fail({ path: "/vm/install/", kind: "5xx" });
    const retried = await up(hosted.host, urn(SERVER, "lost-2"), server({ name: "lost-2", distribution: "DEBIAN", tariff: "Облачный 1024" }));
    expect(sim.server.requestsTo("/vm/install/").filter((r) => r.url.includes("lost-2"))).toHaveLength(2);
    expect(sim.vms().filter((v) => v.name === "lost-2")).toHaveLength(1);
    await destroy(hosted.host, lost.state);
    await destroy(hosted.host, retried.state);
    expect(sim.vms().length).toBe(before);
  });

  test("neither the API key nor the password reaches __provider, state or any log line", async () => {
    hosted.host.clearOutput();
    const inputs = server({ name: "sec-1", distribution: "DEBIAN", tariff: "Облачный 1024", password: PASSWORD });
    const { state } = await up(hosted.host, urn(SERVER, "sec-1"), inputs);
    await destroy(hosted.host, state);
    expect(hosted.providers[SERVER]).not.toContain(sim.apiKey);
    expect(hosted.providers[SERVER]).not.toContain(PASSWORD);
    expect(JSON.stringify(state.outputs)).not.toContain(sim.apiKey);
    expect(hosted.host.allOutput()).not.toContain(sim.apiKey);
    expect(hosted.host.allOutput()).not.toContain(PASSWORD);
    expect(sim.server.requests.map((r) => r.url + r.body).join("\n")).not.toContain(PASSWORD);
  });

  test("operations on one server never overlap; different servers proceed in parallel", async () => {
    const a = (await up(hosted.host, urn(SERVER, "par-a"), server({ name: "par-a", distribution: "DEBIAN", tariff: "Облачный без границ", memory: 1024 })))
      .state;
    const b = (await up(hosted.host, urn(SERVER, "par-b"), server({ name: "par-b", distribution: "DEBIAN", tariff: "Облачный без границ", memory: 1024 })))
      .state;
    const refusalsBefore = sim.busyRefusals;
    await Promise.all([
      up(hosted.host, a.urn, server({ name: "par-a2", distribution: "DEBIAN", tariff: "Облачный без границ", memory: 1024 }), a),
      up(hosted.host, a.urn, server({ name: "par-a", distribution: "DEBIAN", tariff: "Облачный без границ", memory: 2048 }), a),
      up(hosted.host, b.urn, server({ name: "par-b2", distribution: "DEBIAN", tariff: "Облачный без границ", memory: 1024 }), b),
    ]);
    expect(sim.busyRefusals).toBe(refusalsBefore);
    expect(sim.vm(Number(a.id))!.memory).toBe(2048);
    await destroy(hosted.host, a);
    await destroy(hosted.host, b);
  });
});

describe("flops.PublicKey", () => {
  test("create, trailing newline is no diff, edit in place, drift, delete, delete again", async () => {
    const inputs = { __provider: hosted.providers[KEY], name: "laptop", publicKey: `${PUBKEY}\n` };
    const { state } = await up(hosted.host, urn(KEY, "laptop"), inputs);
    expect(sim.publicKeys().find((k) => String(k.id) === state.id)?.publicKey).toBe(PUBKEY);
    expect((await plan(hosted.host, state.urn, { ...inputs, publicKey: PUBKEY }, state)).action).toBe("same");
    const renamed = await up(hosted.host, state.urn, { ...inputs, name: "laptop-2" }, state);
    expect(renamed.plan.action).toBe("update");
    sim.updatePublicKey(Number(state.id), { name: "changed-in-panel" });
    const refreshed = (await refresh(hosted.host, renamed.state))!;
    expect(refreshed.outputs.name).toBe("changed-in-panel");
    await destroy(hosted.host, refreshed);
    expect(sim.publicKeys().some((k) => String(k.id) === state.id)).toBe(false);
    await destroy(hosted.host, refreshed);
  });
});

describe("examples/quickstart engine-less", () => {
  test("up, a second preview with no changes, destroy", async () => {
    const program = programFromModule(path.join(__dirname, "..", "..", "bin", "examples", "quickstart", "index.js"));
    const config = { "quickstart:serverPassword": PASSWORD };
    const up1 = await runProgram(hosted.host, program, { config, project: "quickstart" });
    expect(up1.steps.map((s) => s.action)).toEqual(["create", "create"]);
    expect(up1.state.outputs.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const again = await runProgram(hosted.host, program, { config, project: "quickstart", preview: true, prior: up1.state });
    expect(again.steps.map((s) => s.action)).toEqual(["same", "same"]);
    await destroyStack(hosted.host, up1.state);
    expect(sim.vm(Number(up1.state.outputs.serverId))).toBeUndefined();
  });
});

describe("flops.Server cloneFrom with a lost answer", () => {
  test("a clone whose answer was lost is found and adopted, never cloned twice", async () => {
    const source = sim.createVm({ name: "clone-src" });
    sim.server.fail({ path: `/vm/${source.id}/clone/`, kind: "lostResponse" });
    const r = await up(hosted.host, urn(SERVER, "clone-dst"), server({ name: "clone-dst", cloneFrom: { serverId: String(source.id) } }));
    expect(sim.server.requestsTo(`/vm/${source.id}/clone/`)).toHaveLength(1);
    expect(sim.vms().filter((v) => v.name === "clone-dst")).toHaveLength(1);
    expect(r.state.outputs.state).toBe("VIR_DOMAIN_RUNNING");
    await destroy(hosted.host, r.state);
  });
});
