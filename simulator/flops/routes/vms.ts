import { DEFAULT_BACKUP_POLICY } from "../catalog";
import { FlopsError } from "../errors";
import { imageOf, OPERATION_TYPES, type OperationType, VM_STATE, type VmRecord, vmView } from "../model";
import {
  checkBackupPolicy,
  checkCpu,
  checkDisk,
  checkMemory,
  checkOnDemand,
  checkPassword,
  checkRatio,
  checkTariffChange,
  memoryForDisk,
  ratioOk,
  resolveSizes,
} from "../rules";
import type { Params } from "../params";
import { type FlopsContext, type Handler, numericId, ok, ownedVm, route, type Route, startOp, vmTariff } from "./common";

/** The VM calls: list and read, install, clone and reinstall, power, delete, and the changes to one VM. */

const listVms: Handler = (ctx) =>
  ok({ result: [...ctx.state.vms.values()].sort((a, b) => b.timeAdded - a.timeAdded || b.id - a.id).map((vm) => vmView(vm, ctx.state.keys)) });

const vmInfo: Handler = (ctx, _p, ids) => ok({ result: vmView(ctx.state.vm(numericId(ids, "vmId", "server")), ctx.state.keys) });

/** What install and reinstall set up in the guest (password, keys, software), checked in this order. */
function guestSetup(ctx: FlopsContext, p: Params, keysInstalled: boolean) {
  const password = p.str("password");
  if (password !== undefined) checkPassword(password);
  const publicKeys = ctx.state.keyRefs(p.ints("publicKeyIds"), keysInstalled);
  const softwareIds = p.ints("softwareIds");
  for (const id of softwareIds) ctx.state.software(id);
  const openSupportAccess = p.bool("openSupportAccess");
  p.bool("sendPassword");
  return { password, publicKeys, softwareIds, openSupportAccess };
}

type NewVm = Pick<
  VmRecord,
  "tenantId" | "memory" | "disk" | "cpu" | "tariffId" | "ipAddresses" | "distribution" | "publicKeys" | "password" | "softwareIds" | "openSupportAccess"
> &
  Partial<Pick<VmRecord, "diskContent">>;

/**
 * The VM an install or a clone makes: listed from now on, not running until its operation finishes
 * (the vendor documentation shows only RUNNING and SHUTOFF), named after its internal id unless a
 * name is given.
 */
function addNewVm(ctx: FlopsContext, p: Params, f: NewVm): VmRecord {
  const vm = ctx.state.addVm({
    tenantId: f.tenantId,
    name: p.str("name") ?? "",
    memory: f.memory,
    disk: f.disk,
    cpu: f.cpu,
    tariffId: f.tariffId,
    ipAddresses: f.ipAddresses,
    state: VM_STATE.shutoff,
    currentSnapshot: null,
    backupPolicy: { ...DEFAULT_BACKUP_POLICY },
    distribution: { ...f.distribution },
    ownerUser: null,
    accessUsers: [],
    publicKeys: f.publicKeys,
    password: f.password,
    softwareIds: f.softwareIds,
    openSupportAccess: f.openSupportAccess,
    installed: false,
    ...(f.diskContent !== undefined ? { diskContent: f.diskContent } : {}),
  });
  if (!vm.name) vm.name = vm.internalId;
  return vm;
}

const install: Handler = (ctx, p) => {
  const { state } = ctx;
  const tenantId = p.int("tenantId") ?? state.defaultTenant().id;
  state.tenant(tenantId);
  const distribution = state.distribution(p.int("distributionId", true));
  const tariff = state.tariff(p.int("tariffId", true));
  const sizes = resolveSizes(tariff, { memory: p.int("memory"), disk: p.int("disk"), cpu: p.int("cpu"), ipCount: p.int("ipCount") });
  const guest = guestSetup(ctx, p, false);
  const ipAddresses = state.takeIps(sizes.ipCount);
  const vm = addNewVm(ctx, p, { tenantId, memory: sizes.memory, disk: sizes.disk, cpu: sizes.cpu, tariffId: tariff.id, ipAddresses, distribution, ...guest });
  // The VM exists (and is listed) from now on; if the operation fails, it stays, not installed.
  const started = startOp(ctx, OPERATION_TYPES.install, vm, (live) => {
    live.installed = true;
    live.state = VM_STATE.running;
    for (const k of live.publicKeys) k.installed = true;
  });
  return { status: "OK", result: vm.id, operationId: started.operationId };
};

const clone: Handler = (ctx, p, ids) => {
  const { state } = ctx;
  const src = state.vm(numericId(ids, "vmId", "server"));
  // Not marked required in the vendor documentation: defaults to the source's tenant.
  const tenantId = p.int("tenantId") ?? src.tenantId;
  state.tenant(tenantId);
  const snapshotId = p.int("snapshotId");
  const image = snapshotId !== undefined ? state.snapshot(src.id, snapshotId).image : imageOf(src);
  // The source must not be in the middle of another operation (it is read for the copy); the
  // operation itself keeps only the new VM busy, so several clones of one source may run at once.
  ctx.ops.assertIdle(src.id);
  const ipAddresses = state.takeIps(src.ipAddresses.length);
  const { memory, disk, cpu, tariffId, distribution, diskContent } = image;
  const guest = {
    publicKeys: src.publicKeys.map((k) => ({ ...k })),
    password: src.password,
    softwareIds: [...src.softwareIds],
    openSupportAccess: src.openSupportAccess,
  };
  const vm = addNewVm(ctx, p, { tenantId, memory, disk, cpu, tariffId, ipAddresses, distribution, diskContent, ...guest });
  const started = startOp(ctx, OPERATION_TYPES.clone, vm, (live) => {
    live.installed = true;
    live.state = VM_STATE.running;
  });
  return { status: "OK", result: vm.id, operationId: started.operationId };
};

const reinstall: Handler = (ctx, p, ids) => {
  const { state } = ctx;
  const vm = ownedVm(ctx, p, ids);
  const distributionId = p.int("distributionId");
  const distribution = distributionId !== undefined ? state.distribution(distributionId) : vm.distribution;
  const tariffId = p.int("tariffId");
  const tariff = tariffId !== undefined ? state.tariff(tariffId) : vmTariff(ctx, vm);
  const requested = { memory: p.int("memory"), disk: p.int("disk"), cpu: p.int("cpu") };
  // A VM on a tariff the catalog lacks, reinstalled without a new tariff, keeps its sizes.
  const sizes = tariff ? resolveSizes(tariff, requested, { memory: vm.memory, disk: vm.disk, cpu: vm.cpu }) : { memory: vm.memory, disk: vm.disk, cpu: vm.cpu };
  const { password, publicKeys, softwareIds, openSupportAccess } = guestSetup(ctx, p, true);
  const name = p.str("name");
  ctx.ops.assertIdle(vm.id);
  // The vendor documentation: reinstall keeps the IP addresses and the id, and may change any other parameter. The
  // disk is wiped, so its snapshots go, and authorized_keys holds exactly the keys given now.
  return startOp(ctx, OPERATION_TYPES.reinstall, vm, (live) => {
    if (name !== undefined) live.name = name;
    live.distribution = { ...distribution };
    if (tariff) live.tariffId = tariff.id;
    live.memory = sizes.memory;
    live.disk = sizes.disk;
    live.cpu = sizes.cpu;
    if (password !== undefined) live.password = password;
    live.publicKeys = publicKeys.map((k) => ({ ...k }));
    live.softwareIds = softwareIds;
    live.openSupportAccess = openSupportAccess;
    live.installed = true;
    live.state = VM_STATE.running;
    live.currentSnapshot = null;
    state.snapshots.delete(live.id);
    live.diskContent = state.newDiskContent(live.id, "reinstall");
  });
};

const rename: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const name = p.str("name", true);
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.rename, vm, (live) => {
    live.name = name;
  });
};

function powerHandler(type: OperationType, state: string): Handler {
  return (ctx, p, ids) => {
    const vm = ownedVm(ctx, p, ids);
    ctx.ops.assertIdle(vm.id);
    return startOp(ctx, type, vm, (live) => {
      live.state = state;
    });
  };
}

const deleteVm: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  ctx.ops.assertIdle(vm.id);
  const vmId = vm.id;
  const op = ctx.ops.start({
    type: OPERATION_TYPES.delete,
    vmId,
    tenantId: vm.tenantId,
    // Already gone (deleted out of band meanwhile) is the same result.
    effect: () => {
      ctx.state.removeVm(vmId);
    },
  });
  return ok({ operationId: op.id });
};

const passwordChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const password = p.str("password", true);
  checkPassword(password);
  p.bool("sendPassword");
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.passwordChange, vm, (live) => {
    live.password = password;
  });
};

const pubkeyChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  // "Публичные ключи будут переписаны! В случае, если ни один ключ не указан, файл будет очищен."
  const refs = ctx.state.keyRefs(p.ints("keyIds"), true);
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.pubkeyChange, vm, (live) => {
    live.publicKeys = refs.map((k) => ({ ...k }));
  });
};

const memoryChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  checkOnDemand(vmTariff(ctx, vm), "memory_change");
  const memory = p.int("memory", true);
  checkMemory(memory);
  const allowRestart = p.bool("allowRestart");
  if (memory < vm.memory && !allowRestart) throw FlopsError.of("memoryRestart", `memory ${vm.memory} → ${memory}`);
  checkRatio(vm.disk, memory);
  ctx.ops.assertIdle(vm.id);
  // Lowering memory restarts the VM (allowRestart): a running VM is running again afterwards.
  return startOp(ctx, OPERATION_TYPES.memoryChange, vm, (live) => {
    live.memory = memory;
  });
};

const diskChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  checkOnDemand(vmTariff(ctx, vm), "disk_change");
  const disk = p.int("disk", true);
  checkDisk(disk);
  if (disk < vm.disk) throw FlopsError.of("diskDecrease", `disk ${vm.disk} → ${disk}`);
  const allowMemoryChange = p.bool("allowMemoryChange");
  let memory = vm.memory;
  if (!ratioOk(disk, vm.memory)) {
    if (!allowMemoryChange) checkRatio(disk, vm.memory);
    // allowMemoryChange raises memory to the smallest size the 1:64 proportion allows.
    memory = memoryForDisk(disk);
    checkMemory(memory);
  }
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.diskChange, vm, (live) => {
    live.disk = disk;
    live.memory = Math.max(live.memory, memory);
  });
};

const cpuChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  checkOnDemand(vmTariff(ctx, vm), "cpu_change");
  const cpu = p.int("cpu", true);
  checkCpu(cpu);
  // The vendor documentation calls this a "hot increase" but states no rule against lowering; lowering is allowed.
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.cpuChange, vm, (live) => {
    live.cpu = cpu;
  });
};

const tariffChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const tariff = ctx.state.tariff(p.int("tariffId", true));
  checkTariffChange(tariff, vm.disk);
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.tariffChange, vm, (live) => {
    live.tariffId = tariff.id;
    // A fixed tariff brings its sizes; an on-demand one keeps the VM's.
    if (!tariff.onDemand) {
      live.memory = tariff.memory;
      live.disk = tariff.disk;
      live.cpu = tariff.cpu;
    }
  });
};

const backupPolicyChange: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const quantity = p.int("quantity", true);
  const frequency = p.int("frequency", true);
  checkBackupPolicy(quantity, frequency);
  ctx.ops.assertIdle(vm.id);
  return startOp(ctx, OPERATION_TYPES.backupPolicyChange, vm, (live, at) => {
    live.backupPolicy = { quantity, frequency };
    ctx.state.pruneBackups(live);
    live.nextBackupAt = at + frequency * 3_600_000;
  });
};

export const VM_ROUTES: Route[] = [
  route("/vm", listVms),
  route("/vm/install", install),
  route("/vm/:vmId", vmInfo),
  route("/vm/:vmId/clone", clone),
  route("/vm/:vmId/reinstall", reinstall),
  route("/vm/:vmId/rename", rename),
  route("/vm/:vmId/start", powerHandler(OPERATION_TYPES.start, VM_STATE.running)),
  route("/vm/:vmId/reset", powerHandler(OPERATION_TYPES.reset, VM_STATE.running)),
  route("/vm/:vmId/reboot", powerHandler(OPERATION_TYPES.reboot, VM_STATE.running)),
  route("/vm/:vmId/poweroff", powerHandler(OPERATION_TYPES.poweroff, VM_STATE.shutoff)),
  route("/vm/:vmId/shutdown", powerHandler(OPERATION_TYPES.shutdown, VM_STATE.shutoff)),
  route("/vm/:vmId/delete", deleteVm),
  route("/vm/:vmId/password_change", passwordChange),
  route("/vm/:vmId/pubkey_change", pubkeyChange),
  route("/vm/:vmId/memory_change", memoryChange),
  route("/vm/:vmId/disk_change", diskChange),
  route("/vm/:vmId/cpu_change", cpuChange),
  route("/vm/:vmId/tariff_change", tariffChange),
  route("/vm/:vmId/backup_policy_change", backupPolicyChange),
];
