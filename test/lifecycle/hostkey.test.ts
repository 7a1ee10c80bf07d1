/**
 * hostkey resources through Pulumi's own dynamic-provider host over gRPC: the SDK classes serialized
 * by the real @pulumi/pulumi (under mocks), then Check, Diff, Create, Diff, Update/replace, Read,
 * Delete in the engine's order, against the HOSTKEY simulator; the functions through the SDK's
 * promise form with stack config. Needs `npm run build` (the serialized provider loads the built
 * handlers by package name); `npm test` builds first.
 */
import * as hostkey from "../../sdk/hostkey";
import { HostkeySimulator } from "../../simulator/hostkey";
import { captureResources, destroy, HostCallError, lifecycle, makeUrn, plan, PROVIDER_KEY, refresh, up } from "../harness";
import { dynamicToken, expectGoneThroughHost, expectProvidersSmallWithout, providerHostPerFile, withProviderOf } from "../support/providerHost";
import { expectEmptyTriggersSameAsUnset } from "../support/triggers";
import { failureOf } from "../support/failure";
import { hostkeyConfig, hostkeyHostOptions } from "../support/hostkey";

const T = (type: string) => dynamicToken("hostkey", type);
const OFF = HostkeySimulator.VM_OFF;
const ON = HostkeySimulator.VM_ON;

const sim = new HostkeySimulator({ operationDurationMs: 40, listingDelayMs: 30 });
const hosted = providerHostPerFile(sim, hostkeyHostOptions, () => {
  new hostkey.Snapshot("snap", { serverId: OFF, name: "nightly-2024.05.01" });
  new hostkey.SnapshotRestore("restore", { serverId: OFF, name: "nightly-2024.05.01", confirm: true });
  new hostkey.RestoreSettings("rotation", { serverId: OFF, enableRotation: true, excludeFromRotation: [] });
});

beforeEach(() => sim.server.clearLog());

const withProvider = (type: string, inputs: Record<string, unknown>) => withProviderOf(hosted, "hostkey", type, inputs);
const vmCalls = () => sim.server.requestsTo("/vm.php").map((r) => new URLSearchParams(r.body).get("action"));

describe("serialized provider", () => {
  it("is small, names its token and carries no credential", () => {
    expectProvidersSmallWithout(hosted, "hostkey", ["Snapshot", "SnapshotRestore", "RestoreSettings"], sim.apiKey);
  });
});

describe("hostkey.Snapshot through the host", () => {
  const urn = makeUrn(T("Snapshot"), "snap");
  const inputs = (extra: Record<string, unknown> = {}) =>
    withProvider("Snapshot", { serverId: OFF, name: "nightly-2024.05.01", operationTimeout: 10, ...extra });

  it("create with wait, no diff after, refresh, replace on a name change, drift, delete", async () => {
    const r = await lifecycle(hosted.host, urn, inputs());
    expect(r.state.id).toBe("1001/nightly-2024.05.01");
    expect(r.state.outputs).toMatchObject({ serverId: OFF, name: "nightly-2024.05.01", snapshotId: expect.any(String), createdAt: expect.any(String) });
    expect(sim.snapshots(OFF).map((s) => s.name)).toEqual(["nightly-2024.05.01"]);
    expect(sim.server.requestsTo("/vm.php").find((q) => q.body.includes("create_snapshot"))?.body).toContain("name=nightly-2024.05.01");
    expect(sim.server.requestsTo("/eq_callback.php").length).toBeGreaterThanOrEqual(1);

    const refreshed = (await refresh(hosted.host, r.state))!;
    expect((await plan(hosted.host, urn, inputs(), refreshed)).action).toBe("same");

    // a change of the provider text alone is no diff
    expect((await plan(hosted.host, urn, { ...r.state.inputs, [PROVIDER_KEY]: `${hosted.providers[T("Snapshot")]}\n// newer` }, r.state)).action).toBe("same");

    const replaced = await up(hosted.host, urn, inputs({ name: "nightly-2024.05.02" }), refreshed);
    expect(replaced.plan.action).toBe("replace");
    expect(replaced.plan.diff?.replaces).toEqual(["name"]);
    expect(sim.snapshots(OFF).map((s) => s.name)).toEqual(["nightly-2024.05.02"]);

    sim.deleteSnapshot(OFF, "nightly-2024.05.02");
    await expectGoneThroughHost(hosted.host, replaced.state); // already gone: success
    expect(JSON.stringify(replaced.state)).not.toContain(sim.apiKey);
  });

  it("bad input is rejected at Check with no API call", async () => {
    expect(await failureOf(plan(hosted.host, urn, inputs({ name: "two words" })))).toMatch(/name: .*letters, digits, _, - and \./);
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId: "1001" })))).toMatch(/serverId/);
    expect(await failureOf(plan(hosted.host, urn, inputs({ importFrom: "1002/other" })))).toMatch(/importFrom: importFrom names server 1002/);
    expect(sim.server.requests).toEqual([]);
  });

  it("adopts with importFrom; Snapshot.get reads by id", async () => {
    const made = sim.addSnapshot(OFF, "panel.made-1");
    const r = await lifecycle(hosted.host, urn, inputs({ name: "panel.made-1", importFrom: "1001/panel.made-1" }));
    expect(r.state.id).toBe("1001/panel.made-1");
    expect(r.state.outputs.snapshotId).toBe(made.snapshotId);
    expect(vmCalls()).not.toContain("create_snapshot");
    const got = await hosted.host.read(urn, "1001/panel.made-1", undefined, { [PROVIDER_KEY]: hosted.providers[T("Snapshot")] });
    expect(got.properties).toMatchObject({ serverId: OFF, name: "panel.made-1", snapshotId: made.snapshotId });
    await destroy(hosted.host, r.state);
    expect(sim.snapshots(OFF)).toEqual([]);
  });

  it("a failed task names its key and message; a running VM's snapshot is not removed and the error says why", async () => {
    sim.failNextTask("create_snapshot", "not enough space for the snapshot");
    const msg = await failureOf(up(hosted.host, urn, inputs({ name: "doomed" })));
    expect(msg).toMatch(/hostkey:Snapshot "doomed".*task [0-9a-f]+ \(create_snapshot\) failed.*not enough space for the snapshot/);

    const r = await lifecycle(hosted.host, urn, inputs({ serverId: ON, name: "on-running" }));
    const e = await hosted.host.delete(urn, r.state.id, r.state.outputs, { oldInputs: r.state.inputs }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(HostCallError);
    expect((e as Error).message).toMatch(/powered-off VM.*never powers a server off/);
    expect(sim.snapshots(ON).map((s) => s.name)).toEqual(["on-running"]);
    sim.setPower(ON, "off");
    await destroy(hosted.host, r.state);
    sim.setPower(ON, "on");
    expect(sim.snapshots(ON)).toEqual([]);
  });
});

describe("hostkey.SnapshotRestore through the host", () => {
  const urn = makeUrn(T("SnapshotRestore"), "restore");
  const inputs = (extra: Record<string, unknown> = {}) =>
    withProvider("SnapshotRestore", { serverId: OFF, name: "golden-1.0", confirm: true, triggers: ["1"], operationTimeout: 10, ...extra });

  it("restores with a wait, no diff after, runs again on a trigger change, delete leaves the server alone", async () => {
    sim.addSnapshot(OFF, "golden-1.0");
    const r = await lifecycle(hosted.host, urn, inputs());
    expect(sim.restores(OFF).map((x) => x.name)).toEqual(["golden-1.0"]);
    expect(r.state.outputs).toMatchObject({ restoredAt: expect.any(String), taskKey: expect.any(String) });
    expect((await plan(hosted.host, urn, inputs(), (await refresh(hosted.host, r.state))!)).action).toBe("same");

    const again = await up(hosted.host, urn, inputs({ triggers: ["2"] }), r.state);
    expect(again.plan.action).toBe("replace");
    expect(sim.restores(OFF)).toHaveLength(2);

    sim.server.clearLog();
    await destroy(hosted.host, again.state);
    expect(sim.server.requests).toEqual([]);
    sim.deleteSnapshot(OFF, "golden-1.0");
  });

  it("a failed restore task names its key and message", async () => {
    sim.addSnapshot(OFF, "golden-1.0");
    sim.failNextTask("restore_snapshot", "restore failed: image corrupted");
    expect(await failureOf(up(hosted.host, urn, inputs()))).toMatch(/hostkey:SnapshotRestore.*task [0-9a-f]+ \(restore_snapshot\) failed.*image corrupted/);
    sim.deleteSnapshot(OFF, "golden-1.0");
  });

  it("confirm must be true, at Check, with no API call", async () => {
    expect(await failureOf(plan(hosted.host, urn, inputs({ confirm: false })))).toMatch(/confirm: must be true: restoring a snapshot overwrites/);
    expect(sim.server.requests).toEqual([]);
  });

  it("no triggers and triggers: [] are the same: no diff, no API call", async () => {
    sim.addSnapshot(OFF, "golden-1.0");
    const before = sim.restores(OFF).length;
    await expectEmptyTriggersSameAsUnset(hosted.host, makeUrn(T("SnapshotRestore"), "restore-empty-triggers"), inputs(), () => sim.server.requests.length);
    expect(sim.restores(OFF).length - before).toBe(1);
    sim.deleteSnapshot(OFF, "golden-1.0");
  });
});

describe("hostkey.RestoreSettings through the host", () => {
  const urn = makeUrn(T("RestoreSettings"), "rotation");
  const inputs = (extra: Record<string, unknown> = {}) =>
    withProvider("RestoreSettings", { serverId: OFF, enableRotation: true, excludeFromRotation: ["golden-1.0", "base.img"], operationTimeout: 10, ...extra });

  it("applies, no diff after nor after a reorder, drift from the panel, update in place, delete puts back the defaults", async () => {
    const r = await lifecycle(hosted.host, urn, inputs());
    expect(r.state.id).toBe("1001");
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: true, excludeRotation: ["golden-1.0", "base.img"] });
    expect((await plan(hosted.host, urn, inputs({ excludeFromRotation: ["base.img", "golden-1.0"] }), r.state)).action).toBe("same");

    sim.setRestoreSettings(OFF, { enableRotation: false, excludeRotation: ["base.img"] });
    const refreshed = (await refresh(hosted.host, r.state))!;
    expect(refreshed.outputs).toMatchObject({ enableRotation: false, excludeFromRotation: ["base.img"] });
    const fixed = await up(hosted.host, urn, inputs(), refreshed);
    expect(fixed.plan.action).toBe("update");
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: true, excludeRotation: ["golden-1.0", "base.img"] });

    await destroy(hosted.host, fixed.state);
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: false, excludeRotation: [] });
    await hosted.host.waitForLog(/putting back rotation off and an empty exclusion list/);
  });

  it("a failed settings task names its key and message", async () => {
    sim.failNextTask("update_restore_settings", "settings are locked by support", "context");
    expect(await failureOf(up(hosted.host, urn, inputs()))).toMatch(/task [0-9a-f]+ \(update_restore_settings\) failed.*locked by support/);
  });

  it("adopts with importFrom and applies the program's settings; bad input at Check", async () => {
    sim.setRestoreSettings(OFF, { enableRotation: true, excludeRotation: ["x"] });
    const r = await lifecycle(hosted.host, urn, inputs({ importFrom: "1001", enableRotation: false, excludeFromRotation: [] }));
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: false, excludeRotation: [] });
    await destroy(hosted.host, r.state);
    sim.server.clearLog();
    expect(await failureOf(plan(hosted.host, urn, inputs({ excludeFromRotation: ["a", "a"] })))).toMatch(/must not name a snapshot twice/);
    expect(await failureOf(plan(hosted.host, urn, inputs({ enableRotation: "yes" })))).toMatch(/enableRotation/);
    expect(sim.server.requests).toEqual([]);
  });
});

describe("hostkey functions through the SDK", () => {
  it("getSnapshots and getStats read the stack's config and wait for the stats task", async () => {
    sim.addSnapshot(OFF, "fn-1.0");
    let result: { names: string[]; stats: Record<string, unknown> } | undefined;
    await captureResources(
      async () => {
        const listed = await hostkey.getSnapshots({ serverId: OFF });
        const stats = await hostkey.getStats({ serverId: OFF, operationTimeout: 10 });
        result = { names: listed.snapshots.map((s) => s.name), stats: stats.stats };
      },
      { config: hostkeyConfig(sim), secretKeys: ["hostkey:apiKey"] },
    );
    expect(result?.names).toEqual(["fn-1.0"]);
    expect(result?.stats).toMatchObject({ id: OFF, ram_used_mb: 812 });
    expect(vmCalls()).toEqual(["get_snapshot", "load_stats"]);
    sim.deleteSnapshot(OFF, "fn-1.0");
  });

  it("no secret in anything the host printed", () => {
    expect(hosted.host.allOutput()).not.toContain(sim.apiKey);
    for (const t of sim.state.tokens.keys()) expect(hosted.host.allOutput()).not.toContain(t);
  });
});
