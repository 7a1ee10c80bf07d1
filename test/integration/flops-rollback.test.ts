/**
 * flops.SnapshotRollback and flops.BackupRollback handlers against the flops simulator: confirm at
 * check with no API call, the rollback performed and waited for (the VM's disk, tariff, snapshots
 * change as the seed says), a change of triggers or target performs it again, delete leaves the
 * server alone, adoption of a rollback already started, read drops the record of a deleted server.
 */
import { operationDurations } from "../../provider/core/durations";
import { backupRollbackResource } from "../../provider/flops/backupRollback";
import { FLOPS_HOST } from "../../provider/flops/errors";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import { linkedClock } from "../support/simClock";
import { context, driver, failureOf, makeVm, mutatingCalls, flopsSimulatorPerFile } from "../support/flops";

const sim = flopsSimulatorPerFile();
const snapRb = driver(snapshotRollbackResource as never);
const backupRb = driver(backupRollbackResource as never);

describe("flops.SnapshotRollback", () => {
  it("requires confirm: true at check, saying why, with no API call", async () => {
    for (const confirm of [undefined, false]) {
      const r = await snapRb.check({ serverId: "1", snapshotId: 2, confirm });
      expect(r.failures).toEqual([
        { property: "confirm", reason: expect.stringMatching(/confirm: must be true: a rollback replaces the server's current disk.*set confirm: true/) },
      ]);
    }
    expect((await snapRb.check({ serverId: "1", snapshotId: "2", confirm: true })).failures[0].property).toBe("snapshotId");
    expect((await snapRb.check({ serverId: "1", snapshotId: 2, confirm: true, triggers: "x" })).failures[0].reason).toMatch(/must be a list/);
    expect(sim.server.requests).toHaveLength(0);
  });

  it("rolls back and waits: the disk and tariff of the snapshot's time come back; delete leaves the server alone", async () => {
    const serverId = makeVm(sim);
    const vmId = Number(serverId);
    const snapshot = sim.addSnapshot(vmId, { name: "baseline" });
    const diskAtSnapshot = sim.vm(vmId)!.diskContent;
    sim.updateVm(vmId, { diskContent: "user wrote data", tariffId: 5 });
    sim.setOperationDuration(300, "VM_REVERT_TO_SNAPSHOT");
    // The simulator's time moves only when the waiter sleeps: the first poll finds it running (progress is asserted).
    const clock = linkedClock(sim);
    const ctx = context('flops:SnapshotRollback "r"', clock);
    const { id, outs } = await snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true, triggers: ["run-1"] }, ctx).finally(() => clock.thaw());
    const vm = sim.vm(vmId)!;
    expect(vm.diskContent).toBe(diskAtSnapshot);
    expect(vm.tariffId).toBe(4);
    expect(vm.currentSnapshot).toBe(snapshot.id);
    expect(id).toBe(`${serverId}/${snapshot.id}/${outs.operationId}`);
    expect(outs).toMatchObject({ snapshotName: "baseline", operationId: expect.any(Number), rolledBackAt: expect.any(Number) });
    expect(mutatingCalls(sim)).toEqual(["snapshot_rollback"]);
    expect(ctx.logger.lines.find((l) => l.level === "warn")!.message).toMatch(
      /rolling server \d+ back to snapshot \d+ \("baseline"\): its current disk is replaced/,
    );
    expect(ctx.logger.lines.some((l) => l.level === "progress")).toBe(true);
    sim.setOperationDuration(30, "VM_REVERT_TO_SNAPSHOT");

    const same = await snapRb.check({ serverId, snapshotId: snapshot.id, confirm: true, triggers: ["run-1"] }, outs);
    expect((await snapRb.diff(outs, same.inputs)).changes).toBe(false);
    const read = (await snapRb.read(id, outs))!;
    expect((await snapRb.diff(read.outs, same.inputs)).changes).toBe(false);
    // a change of triggers or target performs it again (a replacement: a new action)
    expect((await snapRb.diff(outs, { ...same.inputs, triggers: ["run-2"] })).replaces).toEqual(["triggers"]);
    expect((await snapRb.diff(outs, { ...same.inputs, snapshotId: 9 })).replaces).toEqual(["snapshotId"]);
    expect((await snapRb.diff(outs, { ...same.inputs, serverId: "9" })).replaces).toEqual(["serverId"]);

    sim.updateVm(vmId, { diskContent: "after" });
    sim.server.clearLog();
    const delCtx = context("d");
    await snapRb.remove(id, outs, delCtx);
    expect(sim.server.requests).toHaveLength(0);
    expect(sim.vm(vmId)!.diskContent).toBe("after");
    expect(delCtx.logger.text()).toMatch(/the server is left as it is/);

    // the server deleted outside: refresh drops the record
    sim.deleteVm(vmId);
    expect(await snapRb.read(id, outs)).toBeUndefined();
  });

  it("an unknown snapshot fails naming it; a failed operation names the vendor code", async () => {
    const serverId = makeVm(sim);
    expect(await failureOf(snapRb.create({ serverId, snapshotId: 4711, confirm: true }))).toMatch(/server \d+ has no snapshot 4711/);
    const snapshot = sim.addSnapshot(Number(serverId), { name: "s" });
    sim.failNextOperation("VM_REVERT_TO_SNAPSHOT", { errorCode: "error.snapshot.broken", errorMessage: "broken" });
    expect(await failureOf(snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true }))).toMatch(
      /VM_REVERT_TO_SNAPSHOT.*error\.snapshot\.broken: broken/,
    );
  });

  it("a timed-out rollback names the id to adopt; adopting it waits for the running operation, without a second rollback", async () => {
    const serverId = makeVm(sim);
    const snapshot = sim.addSnapshot(Number(serverId), { name: "s" });
    sim.hangNextOperation("VM_REVERT_TO_SNAPSHOT");
    const msg = await failureOf(snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true, operationTimeout: 0.3 }));
    const m = /importFrom: "(\d+\/\d+\/(\d+))"/.exec(msg);
    expect(m).not.toBeNull();
    const [, importFrom, operationId] = m!;
    sim.server.clearLog();
    // It ends right after the adoption's first look at it, which therefore finds it running.
    sim.server.onHandled({ path: `/operation/${operationId}/` }, () => sim.finishOperation(Number(operationId)));
    const ctx = context("adopt");
    operationDurations.clear();
    const adopted = await snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true, importFrom }, ctx);
    expect(adopted.id).toBe(importFrom);
    // It started before this run looked: how long it took is unknown, so nothing is learned from it.
    expect(operationDurations.estimate(FLOPS_HOST, { kind: "snapshot rollback", scope: `${sim.endpoint}|${sim.clientId}` })).toBeUndefined();
    expect(adopted.outs).not.toHaveProperty("lastOperationSeconds");
    expect(adopted.outs.operationId).toBe(Number(operationId));
    expect(mutatingCalls(sim)).toEqual([]);
    expect(ctx.logger.text()).toMatch(/still running; waiting for it/);

    // adoption of a finished one: no wait, no call; of another server's operation: refused
    expect((await snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true, importFrom })).id).toBe(importFrom);
    const other = makeVm(sim);
    expect(
      await failureOf(snapRb.create({ serverId: other, snapshotId: snapshot.id, confirm: true, importFrom: `${other}/${snapshot.id}/${operationId}` })),
    ).toMatch(/is on server \d+, not on server/);
    expect(await failureOf(snapRb.create({ serverId, snapshotId: 1, confirm: true, importFrom }))).toMatch(/make them agree/);
    expect(mutatingCalls(sim)).toEqual([]);
  });
});

describe("flops.BackupRollback", () => {
  it("requires confirm: true at check with no API call", async () => {
    const r = await backupRb.check({ serverId: "1", backup: "full-backupsnap20240101000000.lz4" });
    expect(r.failures[0].reason).toMatch(/must be true: a backup rollback deletes every snapshot of the server/);
    expect((await backupRb.check({ serverId: "1", backup: "", confirm: true })).failures[0].property).toBe("backup");
    expect(sim.server.requests).toHaveLength(0);
  });

  it("rolls back to a scheduled backup: snapshots deleted, disk and tariff of the backup's time back; createBackup saves the current state first", async () => {
    const serverId = makeVm(sim);
    const vmId = Number(serverId);
    const diskThen = sim.vm(vmId)!.diskContent;
    // the first backup of the server's schedule is due one period after it was made
    sim.advanceClock(sim.vm(vmId)!.backupPolicy.frequency * 3_600_000 + 1_000);
    const [backup] = sim.backups(vmId);
    expect(backup).toBeDefined();
    sim.updateVm(vmId, { backupPolicy: { quantity: 3, frequency: 72 } }); // room for the createBackup copy
    sim.addSnapshot(vmId, { name: "later" });
    sim.updateVm(vmId, { diskContent: "changed since", tariffId: 5 });

    const ctx = context('flops:BackupRollback "b"');
    const { id, outs } = await backupRb.create({ serverId, backup: backup.id, confirm: true, createBackup: true }, ctx);
    const vm = sim.vm(vmId)!;
    expect(vm.diskContent).toBe(diskThen);
    expect(vm.tariffId).toBe(4);
    expect(sim.snapshots(vmId)).toEqual([]);
    expect(sim.backups(vmId).length).toBe(2);
    expect(id).toBe(`${serverId}/${backup.id}/${outs.operationId}`);
    expect(outs.backupTimeAdded).toBe(backup.timeAdded);
    expect(sim.server.requestsTo("/backup_rollback/")[0].url).toContain(`backup=${backup.id}&createBackup=true`);
    // Before the rollback: the backups (to find the one named, and to see the saved copy appear after a
    // lost answer); the snapshots are not listed, as the rollback with createBackup is seen by its copy.
    const before = sim.server.requests.slice(
      0,
      sim.server.requests.findIndex((r) => r.path.endsWith("/backup_rollback/")),
    );
    expect(before.filter((r) => r.path.endsWith(`/vm/${vmId}/backups/`))).toHaveLength(2);
    expect(before.filter((r) => r.path.includes("snapshot"))).toEqual([]);
    expect(ctx.logger.lines.find((l) => l.level === "warn")!.message).toMatch(
      /every snapshot of the server is deleted, its current disk is lost \(a backup of it is taken first\)/,
    );

    expect((await backupRb.diff(outs, { serverId, backup: backup.id, confirm: true, createBackup: false })).changes).toBe(false);
    expect((await backupRb.diff(outs, { serverId, backup: backup.id, confirm: true, triggers: [1] })).replaces).toEqual(["triggers"]);
    expect((await backupRb.diff(outs, { serverId, backup: "other.lz4", confirm: true })).replaces).toEqual(["backup"]);
    const read = (await backupRb.read(id, outs))!;
    expect((await backupRb.diff(read.outs, { serverId, backup: backup.id, confirm: true, createBackup: true })).changes).toBe(false);

    sim.server.clearLog();
    await backupRb.remove(id, outs);
    expect(sim.server.requests).toHaveLength(0);
  });

  it("a timed-out backup rollback names its id to adopt; a finished one's wait is learned as a backup rollback", async () => {
    const serverId = makeVm(sim);
    const b = sim.addBackup(Number(serverId));
    sim.hangNextOperation("VM_REVERT_TO_BACKUP");
    const msg = await failureOf(backupRb.create({ serverId, backup: b.id, confirm: true, operationTimeout: 0.3 }));
    const m = new RegExp(`importFrom: "${serverId}/${b.id.replace(/\./g, "\\.")}/(\\d+)" to adopt it`).exec(msg);
    expect(m).not.toBeNull();
    sim.finishOperation(Number(m![1]));

    operationDurations.clear();
    sim.setOperationDuration(300, "VM_REVERT_TO_BACKUP");
    const clock = linkedClock(sim);
    await backupRb.create({ serverId, backup: b.id, confirm: true }, context("b", clock)).finally(() => clock.thaw());
    const scope = `${sim.endpoint}|${sim.clientId}`;
    expect(operationDurations.estimate(FLOPS_HOST, { kind: "backup rollback", scope })?.source).toBe("history");
    expect(operationDurations.estimate(FLOPS_HOST, { kind: "snapshot rollback", scope })).toBeUndefined();
  });

  it("an unknown backup fails listing the server's backups; adoption checks the operation's type", async () => {
    const serverId = makeVm(sim);
    const vmId = Number(serverId);
    expect(await failureOf(backupRb.create({ serverId, backup: "nope.lz4", confirm: true }))).toMatch(/has no backup nope\.lz4; it has none yet/);
    const b = sim.addBackup(vmId);
    expect(await failureOf(backupRb.create({ serverId, backup: "nope.lz4", confirm: true }))).toContain(b.id);

    const done = await backupRb.create({ serverId, backup: b.id, confirm: true });
    const adopted = await backupRb.create({ serverId, backup: b.id, confirm: true, importFrom: done.id });
    expect(adopted.outs.operationId).toBe(done.outs.operationId);
    // an operation of another type cannot be adopted as a backup rollback
    const snapshot = sim.addSnapshot(vmId, { name: "x" });
    const snapDone = await snapRb.create({ serverId, snapshotId: snapshot.id, confirm: true });
    const msg = await failureOf(backupRb.create({ serverId, backup: b.id, confirm: true, importFrom: `${serverId}/${b.id}/${snapDone.outs.operationId}` }));
    expect(msg).toMatch(/is a VM_REVERT_TO_SNAPSHOT, not a rollback of this kind/);
  });
});
