/**
 * flops rollbacks after a transient fault: a repeat would throw away what the server did since the
 * first rollback, so it is sent again only when the server shows the rollback did not happen (its
 * currentSnapshot; the snapshots a backup rollback deletes), found done when it shows it did, and not
 * sent again when nothing can show it.
 */
import type { VpsError } from "../../provider/core";
import { backupRollbackResource } from "../../provider/flops/backupRollback";
import { UNKNOWN_OPERATION } from "../../provider/flops/rollback";
import { snapshotRollbackResource } from "../../provider/flops/snapshotRollback";
import type { FlopsSimulator } from "../../simulator/flops";
import { driver, makeVm, mutatingCalls, startFlops } from "../support/flops";

let sim: FlopsSimulator;
const snapRb = driver(snapshotRollbackResource as never);
const backupRb = driver(backupRollbackResource as never);

beforeAll(async () => {
  sim = await startFlops(0);
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.clearInjections();
  sim.server.clearFaults();
  sim.server.clearLog();
});

const reverts = (vmId: number, type: string) => sim.operations().filter((o) => o.operationType === type && o.vmId === vmId);

async function rejection(p: Promise<unknown>): Promise<VpsError> {
  try {
    await p;
  } catch (e) {
    return e as VpsError;
  }
  throw new Error("expected a failure");
}

/** A server with two snapshots, running from the newer one. */
function serverWithSnapshots() {
  const vmId = Number(makeVm(sim));
  const older = sim.addSnapshot(vmId, { name: "older" });
  const newer = sim.addSnapshot(vmId, { name: "newer" });
  return { serverId: String(vmId), vmId, older, newer };
}

describe("flops.SnapshotRollback after a transient fault", () => {
  it("a lost answer, and the server now runs from the snapshot: found done, not rolled back twice, recorded with operation 0", async () => {
    const { serverId, vmId, older } = serverWithSnapshots();
    sim.server.fail({ path: "/snapshot_rollback/", kind: "lostResponse" });
    const { id, outs } = await snapRb.create({ serverId, snapshotId: older.id, confirm: true });
    expect(reverts(vmId, "VM_REVERT_TO_SNAPSHOT")).toHaveLength(1);
    expect(mutatingCalls(sim)).toEqual(["snapshot_rollback"]);
    expect(sim.vm(vmId)!.currentSnapshot).toBe(older.id);
    expect(id).toBe(`${serverId}/${older.id}/${UNKNOWN_OPERATION}`);
    expect(outs.operationId).toBe(UNKNOWN_OPERATION);
  });

  it("a 5xx, and the server still runs from another snapshot: sent again, once", async () => {
    const { serverId, vmId, older } = serverWithSnapshots();
    sim.server.fail({ path: "/snapshot_rollback/", kind: "5xx" });
    const { outs } = await snapRb.create({ serverId, snapshotId: older.id, confirm: true });
    expect(sim.server.requestsTo("/snapshot_rollback/").map((r) => r.outcome)).toEqual(["5xx", "handled"]);
    expect(reverts(vmId, "VM_REVERT_TO_SNAPSHOT").map((o) => o.id)).toEqual([outs.operationId]);
  });

  it("to the snapshot it already runs from: nothing can show it, so a dropped connection is an error saying it was not sent again", async () => {
    const { serverId, vmId, newer } = serverWithSnapshots();
    sim.server.fail({ path: "/snapshot_rollback/", kind: "drop" });
    const e = await rejection(snapRb.create({ serverId, snapshotId: newer.id, confirm: true }));
    expect(e.message).toMatch(/already ran from snapshot \d+, so its info cannot show whether the rollback happened/);
    expect(e.message).toMatch(/not sent again/);
    expect(reverts(vmId, "VM_REVERT_TO_SNAPSHOT")).toHaveLength(0);
  });
});

describe("flops.BackupRollback after a transient fault", () => {
  it("a lost answer on a server with snapshots: they are gone, so it is found done, not rolled back twice", async () => {
    const { serverId, vmId } = serverWithSnapshots();
    const backup = sim.addBackup(vmId);
    sim.server.fail({ path: "/backup_rollback/", kind: "lostResponse" });
    const { outs } = await backupRb.create({ serverId, backup: backup.id, confirm: true });
    expect(reverts(vmId, "VM_REVERT_TO_BACKUP")).toHaveLength(1);
    expect(outs.operationId).toBe(UNKNOWN_OPERATION);
  });

  it("a 5xx with createBackup: no new backup shows, so it is sent again, once", async () => {
    const vmId = Number(makeVm(sim));
    const backup = sim.addBackup(vmId);
    sim.server.fail({ path: "/backup_rollback/", kind: "5xx" });
    await backupRb.create({ serverId: String(vmId), backup: backup.id, createBackup: true, confirm: true });
    expect(sim.server.requestsTo("/backup_rollback/").map((r) => r.outcome)).toEqual(["5xx", "handled"]);
    expect(reverts(vmId, "VM_REVERT_TO_BACKUP")).toHaveLength(1);
  });
});
