import { checkResource, createResource, deleteResource, diffResource, readResource, type ResourceDefinition, updateResource } from "../../provider/core";
import { getSnapshotsFunction, getStatsFunction, restoreSettingsResource, snapshotRestoreResource } from "../../provider/hostkey";
import type { HostkeySimulator } from "../../simulator/hostkey";
import { linkedClock, timePerRequest } from "../support/simClock";
import { actions, context, rejection, startSimulator, vmActions } from "../support/hostkey";

/** hostkey.SnapshotRestore, hostkey.RestoreSettings and the functions against the simulator over real HTTP. */
const restoreDef = snapshotRestoreResource as unknown as ResourceDefinition;
const settingsDef = restoreSettingsResource as unknown as ResourceDefinition;
const OFF = 1001;

/** A simulator of its own for each test. */
let sim: HostkeySimulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(() => sim.stop());

describe("hostkey.SnapshotRestore", () => {
  const inputs = (extra: Record<string, unknown> = {}) => ({
    serverId: OFF,
    name: "before-upgrade.v2",
    confirm: true,
    triggers: ["r1"],
    operationTimeout: 5,
    ...extra,
  });

  it("restores and waits for the task; no diff after; a trigger change runs it again; delete leaves the server alone", async () => {
    sim.addSnapshot(OFF, "before-upgrade.v2");
    const ctx = context('hostkey:SnapshotRestore "rollback"');
    const r = await createResource(restoreDef, inputs(), ctx);
    expect(r.id).toMatch(/^1001\/before-upgrade\.v2@\d{4}-/);
    expect(r.outs).toMatchObject({ restoredAt: expect.any(String), taskKey: expect.stringMatching(/^[0-9a-f]+$/), snapshotId: expect.any(String) });
    expect(sim.restores(OFF).map((x) => x.name)).toEqual(["before-upgrade.v2"]);
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot", "/vm.php restore_snapshot"]);
    expect(sim.server.requestsTo("/vm.php")[1].body).toBe("action=restore_snapshot&token=***&id=1001&name=before-upgrade.v2&type=snapshot");
    expect(actions(sim)).toContain("/eq_callback.php check");
    expect(ctx.logger.text()).toMatch(/restored from "before-upgrade.v2"/);

    const got = await readResource(restoreDef, r.id, {}, context("r")); // SnapshotRestore.get: the id alone
    expect(got?.inputs).toMatchObject({ serverId: OFF, name: "before-upgrade.v2", confirm: true });
    const read = await readResource(restoreDef, r.id, r.outs, context("r"));
    expect((await diffResource(restoreDef, read!.outs, inputs())).changes).toBe(false);
    expect((await diffResource(restoreDef, read!.outs, inputs({ triggers: ["r2"] }))).replaces).toEqual(["triggers"]);

    sim.server.clearLog();
    const del = context("r");
    await deleteResource(restoreDef, r.id, r.outs, del);
    expect(sim.server.requests).toEqual([]);
    expect(del.logger.text()).toMatch(/nothing is done on the server/);
  });

  it("refuses a snapshot that does not exist, naming those that do, without restoring", async () => {
    sim.addSnapshot(OFF, "other");
    const e = await rejection(createResource(restoreDef, inputs(), context("r")));
    expect(e.message).toMatch(/no snapshot named "before-upgrade.v2" \(it has: other\)/);
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot"]);
  });

  it("rejects confirm: false at check, with no API call", async () => {
    const r = await checkResource(restoreDef, undefined, inputs({ confirm: false }), context("r"));
    expect(r.failures[0].reason).toMatch(/confirm: must be true: restoring a snapshot overwrites/);
    expect(sim.server.requests).toEqual([]);
  });

  it("reports a failed restore task with its key and message", async () => {
    sim.addSnapshot(OFF, "before-upgrade.v2");
    sim.failNextTask("restore_snapshot", "restore failed: image corrupted", "context");
    const e = await rejection(createResource(restoreDef, inputs(), context("r")));
    expect(e.message).toMatch(/task [0-9a-f]+ \(restore_snapshot\) failed.*image corrupted/);
  });

  it("a restore whose task outlasts the wait is recorded, and the error says so after the wait's own hint", async () => {
    sim.addSnapshot(OFF, "before-upgrade.v2");
    sim.hangNextTask("restore_snapshot");
    const clock = linkedClock(sim);
    const e = await rejection(createResource(restoreDef, inputs(), { ...context("r"), clock })).finally(() => clock.thaw());
    expect(e.message).toMatch(
      /\. The restore of server 1001 from "before-upgrade\.v2" was accepted but its end was not seen: check the VM; the action is recorded/,
    );
    expect(e.message).not.toMatch(/\.;|: ; /);
    expect(e).toMatchObject({ objectId: expect.stringMatching(/^1001\/before-upgrade\.v2@/) });
  });
});

describe("hostkey.RestoreSettings", () => {
  const inputs = (extra: Record<string, unknown> = {}) => ({
    serverId: OFF,
    enableRotation: true,
    excludeFromRotation: ["golden.v1", "base-image"],
    operationTimeout: 5,
    ...extra,
  });

  it("applies both fields, waits for the task, reads them back; no diff after, nor after a reorder", async () => {
    const r = await createResource(settingsDef, inputs(), context("rs"));
    expect(r.id).toBe("1001");
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: true, excludeRotation: ["golden.v1", "base-image"] });
    const update = sim.server.requestsTo("/vm.php").find((q) => q.body.includes("update_restore_settings"))!;
    expect(update.body).toBe(
      "action=update_restore_settings&token=***&id=1001&type=snapshot&enable_rotation=1&exclude_rotation%5B0%5D=golden.v1&exclude_rotation%5B1%5D=base-image",
    );
    expect(actions(sim)).toContain("/eq_callback.php check");

    sim.setRestoreSettings(OFF, { enableRotation: true, excludeRotation: ["base-image", "golden.v1"] });
    const read = await readResource(settingsDef, r.id, r.outs, context("rs"));
    expect(read?.inputs.excludeFromRotation).toEqual(["golden.v1", "base-image"]);
    expect((await diffResource(settingsDef, read!.outs, inputs({ excludeFromRotation: ["base-image", "golden.v1"] }))).changes).toBe(false);
  });

  it("sees panel changes as drift and puts them back with an update", async () => {
    const r = await createResource(settingsDef, inputs(), context("rs"));
    sim.setRestoreSettings(OFF, { enableRotation: false, excludeRotation: ["golden.v1"] });
    const read = await readResource(settingsDef, r.id, r.outs, context("rs"));
    expect(read?.inputs).toMatchObject({ enableRotation: false, excludeFromRotation: ["golden.v1"] });
    const diff = await diffResource(settingsDef, read!.outs, inputs());
    expect(diff.detailed).toEqual({ enableRotation: "update", excludeFromRotation: "update" });
    await updateResource(settingsDef, r.id, read!.outs, inputs(), context("rs"));
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: true, excludeRotation: ["golden.v1", "base-image"] });
  });

  it("adopts with importFrom and applies the program's settings; delete puts back rotation off and an empty list, and says so", async () => {
    sim.setRestoreSettings(OFF, { enableRotation: true, excludeRotation: ["old"] });
    const ctx = context("rs");
    const r = await createResource(settingsDef, inputs({ importFrom: "1001", enableRotation: false, excludeFromRotation: [] }), ctx);
    expect(ctx.logger.text()).toMatch(/adopting the restore settings of server 1001; the program's settings are applied/);
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: false, excludeRotation: [] });
    const update = sim.server.requestsTo("/vm.php").find((q) => q.body.includes("update_restore_settings"))!;
    expect(update.body).toBe("action=update_restore_settings&token=***&id=1001&type=snapshot&enable_rotation=0&exclude_rotation=");

    await updateResource(settingsDef, r.id, r.outs, inputs(), context("rs"));
    const del = context("rs");
    await deleteResource(settingsDef, r.id, { ...r.outs, ...inputs() }, del);
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: false, excludeRotation: [] });
    expect(del.logger.text()).toMatch(/putting back rotation off and an empty exclusion list on server 1001/);
  });

  it("makes no call when the settings already match, and works with a plain OK answer", async () => {
    sim.setSettingsAnswer("direct");
    await createResource(settingsDef, inputs(), context("rs"));
    expect(actions(sim).filter((a) => a.startsWith("/eq_callback"))).toEqual([]);
    sim.server.clearLog();
    await updateResource(settingsDef, "1001", inputs(), inputs({ excludeFromRotation: ["base-image", "golden.v1"] }), context("rs"));
    expect(vmActions(sim)).toEqual(["/vm.php get_snapshot"]);
  });

  it("sends the settings again when the answer was lost (the call sets everything at once)", async () => {
    sim.setSettingsAnswer("direct");
    sim.server.fail({ path: "/vm.php", param: { action: "update_restore_settings" }, kind: "drop" });
    const ctx = context("rs");
    await createResource(settingsDef, inputs(), ctx);
    expect(vmActions(sim).filter((a) => a === "/vm.php update_restore_settings")).toHaveLength(2);
    expect(sim.restoreSettings(OFF)).toEqual({ enableRotation: true, excludeRotation: ["golden.v1", "base-image"] });
    expect(ctx.logger.text()).toMatch(
      /warn: hostkey: vm\/update_restore_settings of server 1001 had no clear answer .*sending it again leaves the same result, so it is sent again/,
    );
  });

  it("reports a failed settings task; a gone VM reads as gone and deletes as success", async () => {
    sim.failNextTask("update_restore_settings", "settings are locked by support");
    const e = await rejection(createResource(settingsDef, inputs(), context("rs")));
    expect(e.message).toMatch(/task [0-9a-f]+ \(update_restore_settings\) failed.*locked by support/);
    sim.deleteServer(OFF);
    expect(await readResource(settingsDef, "1001", inputs(), context("rs"))).toBeUndefined();
    await deleteResource(settingsDef, "1001", inputs(), context("rs"));
  });
});

describe("hostkey functions", () => {
  it("getSnapshots lists snapshots and settings", async () => {
    const s = sim.addSnapshot(OFF, "a.b-c");
    sim.setRestoreSettings(OFF, { enableRotation: true, excludeRotation: ["a.b-c"] });
    const r = await getSnapshotsFunction.run({ serverId: OFF }, context("f"));
    expect(r).toEqual({
      serverId: OFF,
      type: "snapshot",
      snapshots: [{ name: "a.b-c", snapshotId: s.snapshotId, createdAt: s.date }],
      enableRotation: true,
      excludeFromRotation: ["a.b-c"],
    });
  });

  it("getSnapshots takes operationTimeout for the get_snapshot task it may wait for", async () => {
    sim.setGetSnapshotAnswer("callback");
    sim.hangNextTask("get_snapshot");
    const e = await getSnapshotsFunction.run({ serverId: OFF, operationTimeout: 0.3 }, context("f")).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e?.message).toMatch(/task [0-9a-f]+ \(get_snapshot\) failed: timed out/);
    expect(e?.message).toContain("Raise `operationTimeout`");
  });

  it("getStats waits for the load_stats task and returns its context", async () => {
    // Simulated time counted in requests, 20 ms each: the first check of the 40 ms task finds it not ready.
    timePerRequest(sim, sim.server, 20);
    const ctx = context("f");
    const r = await getStatsFunction.run({ serverId: OFF, operationTimeout: 5 }, ctx);
    expect(r).toEqual({ serverId: OFF, stats: expect.objectContaining({ id: OFF, ram_used_mb: 812 }) });
    expect(vmActions(sim)).toEqual(["/vm.php load_stats"]);
    expect(actions(sim).filter((a) => a === "/eq_callback.php check").length).toBeGreaterThanOrEqual(2);
    expect(ctx.logger.text()).toMatch(/task [0-9a-f]+ \(load_stats\): Not ready/);
  });

  it("getStats names the task when it fails", async () => {
    sim.failNextTask("load_stats", "monitoring unavailable");
    await expect(getStatsFunction.run({ serverId: OFF, operationTimeout: 5 }, context("f"))).rejects.toThrow(
      /task [0-9a-f]+ \(load_stats\) failed.*monitoring unavailable/,
    );
  });
});
