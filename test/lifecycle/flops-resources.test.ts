/**
 * flops.Snapshot, flops.BackupPolicy, flops.SnapshotRollback and flops.BackupRollback through Pulumi's
 * own dynamic-provider host over gRPC, in the engine's order, against the flops simulator: create, no
 * diff after create, update or replace, drift on refresh, adoption with importFrom, `get`, delete,
 * delete of an already-deleted object, bad input at check with no API call (the request log proves it).
 * Needs `npm run build` (the serialized provider loads the built handlers), which `pretest` runs.
 */
import { flops } from "pulumi-vps";
import { FlopsSimulator } from "../../simulator/flops";
import { flopsHostOptions } from "../support/flops";
import { destroy, HostCallError, lifecycle, makeUrn, plan, PROVIDER_KEY, refresh, up } from "../harness";
import { dynamicToken, expectGoneThroughHost, expectProvidersSmallWithout, providerHostPerFile, withProviderOf } from "../support/providerHost";
import { expectEmptyTriggersSameAsUnset } from "../support/triggers";
import { timePerRequest } from "../support/simClock";
import { failureOf } from "../support/failure";

const T = (type: string) => dynamicToken("flops", type);

const sim = new FlopsSimulator({ operationDurationMs: 30 });
const hosted = providerHostPerFile(sim, flopsHostOptions, () => {
  new flops.Snapshot("s", { serverId: "1", name: "n" });
  new flops.BackupPolicy("p", { serverId: "1", quantity: 1, frequency: 3 });
  new flops.SnapshotRollback("sr", { serverId: "1", snapshotId: 1, confirm: true });
  new flops.BackupRollback("br", { serverId: "1", backup: "b", confirm: true });
});

beforeEach(() => {
  sim.clearInjections();
  sim.server.clearLog();
});

const withProvider = (type: string, inputs: Record<string, unknown>) => withProviderOf(hosted, "flops", type, inputs);
const vmId = () => String(sim.createVm({ name: "web" }).id);

describe("serialized providers", () => {
  it("name their token, stay small, and carry no credential", () => {
    expectProvidersSmallWithout(hosted, "flops", ["Snapshot", "BackupPolicy", "SnapshotRollback", "BackupRollback"], sim.apiKey);
  });
});

describe("flops.Snapshot through the host", () => {
  const urn = makeUrn(T("Snapshot"), "snap");
  const inputs = (extra: Record<string, unknown>) => withProvider("Snapshot", { name: "pre-upgrade", ...extra });

  it("create with wait, no diff, provider text change no diff, replace on change, drift, deleted outside, delete", async () => {
    const serverId = vmId();
    sim.setOperationDuration(300, "VM_CREATE_SNAPSHOT");
    // Simulated time counted in requests, 100 ms each: the first poll finds it running (progress is asserted).
    const steps = timePerRequest(sim, sim.server, 100);
    const r = await lifecycle(hosted.host, urn, inputs({ serverId })).finally(() => steps.stop());
    sim.setOperationDuration(30, "VM_CREATE_SNAPSHOT");
    const [live] = sim.snapshots(Number(serverId));
    expect(r.state.id).toBe(`${serverId}/${live.id}`);
    expect(r.state.outputs).toMatchObject({ serverId, name: "pre-upgrade", snapshotId: live.id, current: true });
    await hosted.host.waitForLog(/flops:Snapshot "pre-upgrade": snapshot "pre-upgrade" of server \d+: \d+%/);

    const otherText = { ...r.state.inputs, [PROVIDER_KEY]: `${hosted.providers[T("Snapshot")]}\n// a newer package version` };
    expect((await plan(hosted.host, urn, otherText, r.state)).action).toBe("same");

    // any input change replaces, create-before-delete: the old snapshot goes once the new one exists
    const replaced = await up(hosted.host, urn, inputs({ serverId, name: "renamed" }), r.state);
    expect(replaced.plan.action).toBe("replace");
    expect(replaced.plan.diff?.replaces).toEqual(["name"]);
    expect(sim.snapshots(Number(serverId)).map((s) => s.name)).toEqual(["renamed"]);

    // drift: renamed in the panel → refresh shows it, the next plan replaces
    const snapshotId = replaced.state.outputs.snapshotId as number;
    sim.updateSnapshot(Number(serverId), snapshotId, { name: "panel-name" });
    const refreshed = (await refresh(hosted.host, replaced.state))!;
    expect(refreshed.inputs).toMatchObject({ name: "panel-name" });
    expect((await plan(hosted.host, urn, inputs({ serverId, name: "renamed" }), refreshed)).action).toBe("replace");

    // deleted outside → refresh drops it; delete of the already-deleted snapshot is success
    sim.deleteSnapshot(Number(serverId), snapshotId);
    sim.server.clearLog();
    await expectGoneThroughHost(hosted.host, refreshed);
    expect(sim.server.requestsTo("/snapshot_delete/")).toHaveLength(0);
  });

  it("refresh right after create is no diff; destroy deletes and waits", async () => {
    const serverId = vmId();
    const r = await lifecycle(hosted.host, urn, inputs({ serverId }));
    const refreshed = (await refresh(hosted.host, r.state))!;
    expect((await plan(hosted.host, urn, inputs({ serverId }), refreshed)).action).toBe("same");
    await destroy(hosted.host, refreshed);
    expect(sim.snapshots(Number(serverId))).toEqual([]);
    expect(
      sim
        .operations()
        .filter((o) => o.operationType === "VM_DELETE_SNAPSHOT")
        .pop(),
    ).toMatchObject({ status: "DONE" });
  });

  it("adopts an existing snapshot with importFrom (no snapshot_create); Snapshot.get reads one by id", async () => {
    const serverId = vmId();
    const existing = sim.addSnapshot(Number(serverId), { name: "manual", description: "by hand" });
    const r = await lifecycle(hosted.host, urn, inputs({ serverId, name: "manual", importFrom: `${serverId}/${existing.id}` }));
    expect(r.state.id).toBe(`${serverId}/${existing.id}`);
    expect(sim.server.requestsTo("/snapshot_create/")).toHaveLength(0);
    const got = await hosted.host.read(urn, r.state.id, undefined, { [PROVIDER_KEY]: hosted.providers[T("Snapshot")] });
    expect(got.properties).toMatchObject({ serverId, name: "manual", description: "by hand", snapshotId: existing.id });
    await destroy(hosted.host, r.state);
    expect(sim.snapshots(Number(serverId))).toEqual([]);
  });

  it("bad input is rejected at Check with no API call", async () => {
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId: "88977", name: "no spaces allowed" })))).toMatch(
      /name: .*may contain only ASCII letters, digits, - and _/,
    );
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId: 88977 })))).toMatch(/serverId/);
    expect(sim.server.requests).toHaveLength(0);
  });

  it("a snapshot operation that ends in ERROR reaches the user with the vendor's code, message and what to do", async () => {
    const serverId = vmId();
    sim.failNextOperation("VM_CREATE_SNAPSHOT", { errorCode: "error.snapshot.storage.full", errorMessage: "no room for the snapshot" });
    const err = (await up(hosted.host, urn, inputs({ serverId })).catch((e: unknown) => e)) as HostCallError;
    expect(err).toBeInstanceOf(HostCallError);
    expect(err.message).toMatch(/^flops:Snapshot "pre-upgrade": /);
    expect(err.message).toMatch(/the host answered error\.snapshot\.storage\.full: no room for the snapshot/);
    expect(err.message).toMatch(/run `pulumi refresh` to see the server's state, then `pulumi up` again/);
    expect(sim.snapshots(Number(serverId))).toEqual([]);
  });
});

describe("flops.BackupPolicy through the host", () => {
  const urn = makeUrn(T("BackupPolicy"), "policy");
  const inputs = (extra: Record<string, unknown>) => withProvider("BackupPolicy", { quantity: 3, frequency: 24, ...extra });

  it("create, no diff, update in place, drift, delete puts the old policy back and says so", async () => {
    const serverId = vmId();
    const original = sim.vm(Number(serverId))!.backupPolicy;
    const r = await lifecycle(hosted.host, urn, inputs({ serverId }));
    expect(r.state.id).toBe(serverId);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 3, frequency: 24 });
    expect(r.state.outputs.previousPolicy).toEqual(original);

    const updated = await up(hosted.host, urn, inputs({ serverId, quantity: 5 }), r.state);
    expect(updated.plan.action).toBe("update");
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 5, frequency: 24 });

    sim.updateVm(Number(serverId), { backupPolicy: { quantity: 1, frequency: 72 } });
    const refreshed = (await refresh(hosted.host, updated.state))!;
    expect(refreshed.inputs).toMatchObject({ quantity: 1, frequency: 72 });
    expect((await plan(hosted.host, urn, inputs({ serverId, quantity: 5 }), refreshed)).action).toBe("update");
    const fixed = await up(hosted.host, urn, inputs({ serverId, quantity: 5 }), refreshed);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual({ quantity: 5, frequency: 24 });

    await destroy(hosted.host, fixed.state);
    expect(sim.vm(Number(serverId))!.backupPolicy).toEqual(original);
    await hosted.host.waitForLog(new RegExp(`put back server ${serverId}'s backup policy from before this resource`));
  });

  it("a second BackupPolicy for the same server fails at create with a clear message and no API change", async () => {
    const serverId = vmId();
    const first = await lifecycle(hosted.host, urn, inputs({ serverId }));
    sim.server.clearLog();
    const msg = await failureOf(up(hosted.host, makeUrn(T("BackupPolicy"), "policy-2"), inputs({ serverId, quantity: 9 })));
    expect(msg).toMatch(new RegExp(`server ${serverId} already has a flops.BackupPolicy in this program`));
    expect(sim.server.requestsTo("/backup_policy_change/")).toHaveLength(0);
    await destroy(hosted.host, first.state);
  });

  it("adoption with importFrom; server deleted outside: refresh drops it, delete is success; bad input at Check", async () => {
    const serverId = vmId();
    sim.updateVm(Number(serverId), { backupPolicy: { quantity: 2, frequency: 6 } });
    const r = await lifecycle(hosted.host, urn, inputs({ serverId, quantity: 2, frequency: 6, importFrom: serverId }));
    expect(r.state.outputs.previousPolicy).toEqual({ quantity: 2, frequency: 6 });
    expect(sim.server.requestsTo("/backup_policy_change/")).toHaveLength(0);

    sim.deleteVm(Number(serverId));
    await expectGoneThroughHost(hosted.host, r.state);

    sim.server.clearLog();
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId, frequency: 5 })))).toMatch(/frequency: must be one of 3, 6, 12, 24, 72/);
    expect(await failureOf(plan(hosted.host, urn, inputs({ serverId, quantity: 11 })))).toMatch(/quantity: must be 1–10 copies/);
    expect(sim.server.requests).toHaveLength(0);
  });
});

describe("flops.SnapshotRollback and flops.BackupRollback through the host", () => {
  const srUrn = makeUrn(T("SnapshotRollback"), "roll");
  const brUrn = makeUrn(T("BackupRollback"), "restore");

  it("SnapshotRollback: confirm at Check, performed and waited for, again on a triggers change, delete leaves the server", async () => {
    const serverId = vmId();
    const vm = Number(serverId);
    const snapshot = sim.addSnapshot(vm, { name: "baseline" });
    const atSnapshot = sim.vm(vm)!.diskContent;
    const inputs = (extra: Record<string, unknown>) => withProvider("SnapshotRollback", { serverId, snapshotId: snapshot.id, confirm: true, ...extra });

    sim.server.clearLog();
    expect(await failureOf(plan(hosted.host, srUrn, inputs({ confirm: false })))).toMatch(
      /confirm: must be true: a rollback replaces the server's current disk/,
    );
    expect(await failureOf(plan(hosted.host, srUrn, { ...inputs({}), confirm: undefined }))).toMatch(/confirm/);
    expect(sim.server.requests).toHaveLength(0);

    sim.updateVm(vm, { diskContent: "written since" });
    const r = await lifecycle(hosted.host, srUrn, inputs({ triggers: ["first"] }));
    expect(sim.vm(vm)!.diskContent).toBe(atSnapshot);
    expect(sim.server.requestsTo("/snapshot_rollback/")).toHaveLength(1);

    // refresh keeps the record, no diff; a new triggers value performs it again
    const refreshed = (await refresh(hosted.host, r.state))!;
    expect((await plan(hosted.host, srUrn, inputs({ triggers: ["first"] }), refreshed)).action).toBe("same");
    sim.updateVm(vm, { diskContent: "written again" });
    const again = await up(hosted.host, srUrn, inputs({ triggers: ["second"] }), refreshed);
    expect(again.plan.action).toBe("replace");
    expect(again.plan.diff?.replaces).toEqual(["triggers"]);
    expect(sim.server.requestsTo("/snapshot_rollback/")).toHaveLength(2);
    expect(sim.vm(vm)!.diskContent).toBe(atSnapshot);

    // adoption of the finished rollback by its id: no third rollback
    const adopted = await lifecycle(hosted.host, makeUrn(T("SnapshotRollback"), "adopted"), inputs({ importFrom: again.state.id }));
    expect(adopted.state.id).toBe(again.state.id);
    expect(sim.server.requestsTo("/snapshot_rollback/")).toHaveLength(2);

    sim.updateVm(vm, { diskContent: "kept" });
    sim.server.clearLog();
    await destroy(hosted.host, again.state);
    await destroy(hosted.host, adopted.state);
    expect(sim.vm(vm)!.diskContent).toBe("kept");
    expect(sim.server.requests.filter((q) => !/\/vm\/\d+\/$/.test(q.path))).toHaveLength(0);

    // the server deleted outside: refresh drops the record; delete of it is still success
    sim.deleteVm(vm);
    await expectGoneThroughHost(hosted.host, again.state);
  });

  it("BackupRollback: confirm at Check, rollback to a scheduled backup, snapshots gone, delete leaves the server", async () => {
    const serverId = vmId();
    const vm = Number(serverId);
    const diskThen = sim.vm(vm)!.diskContent;
    const backup = sim.addBackup(vm);
    sim.addSnapshot(vm, { name: "doomed" });
    sim.updateVm(vm, { diskContent: "lost" });
    const inputs = (extra: Record<string, unknown>) => withProvider("BackupRollback", { serverId, backup: backup.id, confirm: true, ...extra });

    sim.server.clearLog();
    expect(await failureOf(plan(hosted.host, brUrn, { ...inputs({}), confirm: undefined }))).toMatch(
      /confirm: must be true: a backup rollback deletes every snapshot/,
    );
    expect(sim.server.requests).toHaveLength(0);

    const r = await lifecycle(hosted.host, brUrn, inputs({}));
    expect(sim.vm(vm)!.diskContent).toBe(diskThen);
    expect(sim.snapshots(vm)).toEqual([]);
    expect(r.state.id).toBe(`${serverId}/${backup.id}/${r.state.outputs.operationId}`);
    await hosted.host.waitForLog(/every snapshot of the server is deleted/);

    const other = sim.addBackup(vm, { timeAdded: backup.timeAdded + 3_600_000 });
    sim.updateVm(vm, { backupPolicy: { quantity: 5, frequency: 72 } });
    const retarget = await plan(hosted.host, brUrn, inputs({ backup: other.id }), r.state);
    expect(retarget.action).toBe("replace");
    expect(retarget.diff?.replaces).toEqual(["backup"]);

    sim.server.clearLog();
    await destroy(hosted.host, r.state);
    expect(sim.server.requestsTo("/backup_rollback/")).toHaveLength(0);
    sim.deleteVm(vm);
    expect(await refresh(hosted.host, r.state)).toBeUndefined();
  });

  it("no triggers and triggers: [] are the same on both rollbacks: no diff, no API call", async () => {
    const serverId = vmId();
    const vm = Number(serverId);
    const snapshot = sim.addSnapshot(vm, { name: "baseline" });
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("SnapshotRollback"), "roll-empty-triggers"),
      withProvider("SnapshotRollback", { serverId, snapshotId: snapshot.id, confirm: true }),
      () => sim.server.requests.length,
    );
    const backup = sim.addBackup(vm);
    await expectEmptyTriggersSameAsUnset(
      hosted.host,
      makeUrn(T("BackupRollback"), "restore-empty-triggers"),
      withProvider("BackupRollback", { serverId, backup: backup.id, confirm: true }),
      () => sim.server.requests.length,
    );
    expect(sim.server.requestsTo("/snapshot_rollback/")).toHaveLength(1);
    expect(sim.server.requestsTo("/backup_rollback/")).toHaveLength(1);
  });
});
