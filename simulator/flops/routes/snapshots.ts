import { randomBytes } from "node:crypto";
import { backupView, OPERATION_TYPES, snapshotView, type VmRecord } from "../model";
import type { Params } from "../params";
import { type FlopsContext, type Handler, type Ids, numericId, ok, ownedVm, route, type Route, startOp } from "./common";

/** The snapshot and backup calls of one VM. */

/** The caller's VM and the snapshot the call names, which must be one of the VM's. */
function vmAndSnapshot(ctx: FlopsContext, p: Params, ids: Ids): { vm: VmRecord; snapshotId: number } {
  const vm = ownedVm(ctx, p, ids);
  const snapshotId = p.int("snapshotId", true);
  ctx.state.snapshot(vm.id, snapshotId);
  return { vm, snapshotId };
}

/** The caller's VM and the backup the call names, which must be one of the VM's. */
function vmAndBackup(ctx: FlopsContext, p: Params, ids: Ids): { vm: VmRecord; backupId: string } {
  const vm = ownedVm(ctx, p, ids);
  const backupId = p.str("backup", true);
  ctx.state.backup(vm.id, backupId);
  return { vm, backupId };
}

const listSnapshots: Handler = (ctx, _p, ids) => {
  const vm = ctx.state.vm(numericId(ids, "vmId", "server"));
  return ok({ result: [...ctx.state.snapshotsOf(vm.id)].sort((a, b) => a.timeAdded - b.timeAdded || a.id - b.id).map(snapshotView) });
};

const snapshotCreate: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const name = p.str("name", true);
  const description = p.str("description") ?? null;
  ctx.ops.assertIdle(vm.id);
  // The snapshot (and its id) exists once the operation is done; the create answer carries no id.
  return startOp(ctx, OPERATION_TYPES.snapshotCreate, vm, (live, at) => {
    ctx.state.createSnapshot(live, name, description, at);
  });
};

const snapshotRollback: Handler = (ctx, p, ids) => {
  const { vm, snapshotId } = vmAndSnapshot(ctx, p, ids);
  ctx.ops.assertIdle(vm.id);
  // The vendor documentation: a tariff changed since the snapshot is put back too.
  return startOp(ctx, OPERATION_TYPES.snapshotRollback, vm, (live) => {
    const snap = ctx.state.snapshot(live.id, snapshotId);
    ctx.state.restoreImage(live, snap.image, { state: true });
    live.currentSnapshot = snap.id;
  });
};

const snapshotDelete: Handler = (ctx, p, ids) => {
  const { vm, snapshotId } = vmAndSnapshot(ctx, p, ids);
  const deleteChildren = p.bool("deleteChildren");
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.snapshotDelete, vm, (live) => {
    ctx.state.deleteSnapshot(live, snapshotId, deleteChildren);
  });
};

const listBackups: Handler = (ctx, _p, ids) => {
  const vm = ctx.state.vm(numericId(ids, "vmId", "server"));
  return ok({ result: [...ctx.state.backupsOf(vm.id)].sort((a, b) => a.timeAdded - b.timeAdded).map(backupView) });
};

const backupRollback: Handler = (ctx, p, ids) => {
  const { vm, backupId } = vmAndBackup(ctx, p, ids);
  const createBackup = p.bool("createBackup");
  ctx.ops.assertIdle(vm.id);
  // The vendor documentation: all snapshots are deleted, the disk is lost, and the tariff of the backup's time is
  // put back. createBackup saves the current state first (kept even if that rotates out an older copy,
  // never the one being restored).
  return startOp(ctx, OPERATION_TYPES.backupRollback, vm, (live, at) => {
    const backup = ctx.state.backup(live.id, backupId);
    if (createBackup) ctx.state.addBackup(live, at, { keep: backupId });
    ctx.state.snapshots.delete(live.id);
    live.currentSnapshot = null;
    ctx.state.restoreImage(live, backup.image);
  });
};

export const backupDownload: Handler = (ctx, p, ids) => {
  const { vm, backupId } = vmAndBackup(ctx, p, ids);
  ctx.ops.assertIdle(vm.id);
  // The finished operation carries the link in `operationResult`, as in the vendor documentation's example (there on
  // download2.flops.ru; here on the simulator itself, so a test can fetch it).
  return startOp(ctx, OPERATION_TYPES.backupDownload, vm, (live) => {
    ctx.state.backup(live.id, backupId);
    const token = randomBytes(16).toString("hex");
    ctx.downloads.set(token, backupId);
    return `${ctx.baseUrl()}/download/?p=${token}&b=${encodeURIComponent(backupId)}`;
  });
};

export const SNAPSHOT_AND_BACKUP_ROUTES: Route[] = [
  route("/vm/:vmId/snapshots", listSnapshots),
  route("/vm/:vmId/snapshot_create", snapshotCreate),
  route("/vm/:vmId/snapshot_rollback", snapshotRollback),
  route("/vm/:vmId/snapshot_delete", snapshotDelete),
  route("/vm/:vmId/backups", listBackups),
  route("/vm/:vmId/backup_rollback", backupRollback),
  route("/vm/:vmId/backup_download", backupDownload),
];
