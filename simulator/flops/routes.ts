import { randomBytes } from "node:crypto";
import type { SimRequest, SimResponse } from "../core/server";
import { DEFAULT_BACKUP_POLICY } from "./catalog";
import { errorEnvelope, FLOPS_ERRORS, FlopsError } from "./errors";
import {
  backupView,
  imageOf,
  OPERATION_TYPES,
  type OperationType,
  publicKeyResultView,
  publicKeyView,
  snapshotView,
  type Tariff,
  VM_STATE,
  type VmRecord,
  vmView,
} from "./model";
import type { OperationEngine, OperationFailure } from "./operations";
import { Params } from "./params";
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
  publicKeyType,
  ratioOk,
  resolveSizes,
} from "./rules";
import type { FlopsState } from "./state";

/**
 * The flops API's routes: the paths and query parameters of the vendor documentation (../shared/seeds/
 * 002_74c82ddb414a514c.txt), all `GET`, under `/api/v1`. Trailing slashes are optional (the vendor documentation
 * writes `/tenant` without one and `/vm/` with one). Every call must carry the account's `clientId`
 * and `apiKey` query parameters, else `error.not.owner`. Mutating calls on a VM take the VM's
 * `tenantId` (required, as the vendor documentation marks it): a tenant that is not the account's, or not the VM's, is
 * `error.not.owner` (a rights problem, never "not found", so a client cannot mistake it for a
 * deletion).
 */

export type GuestIpDelivery = "operation" | "call";

export interface GuestIpFailureSetting {
  remaining: number;
  /**
   * `operation`: the call starts an operation that applies the change and ends in ERROR with the code;
   * `call`: the call applies the change at once and answers the ERROR envelope itself (no operation).
   * The vendor documentation says the error "will be returned" without saying where; issue 4 allows both.
   */
  delivery: GuestIpDelivery;
}

export interface FlopsContext {
  state: FlopsState;
  ops: OperationEngine;
  clientId: string;
  apiKey: string;
  guestIp: { add?: GuestIpFailureSetting; remove?: GuestIpFailureSetting };
  /** Download tokens handed out by backup_download → backup id. */
  downloads: Map<string, string>;
  /** Whether backup_download is also answered under `/v1` (the vendor documentation's path for it); see V1_ONLY. */
  backupDownloadV1: boolean;
  /** The server's base URL (`http://127.0.0.1:port`), for download links. */
  baseUrl(): string;
  /** Ends due operations and takes scheduled backups. */
  tick(): void;
}

type Ids = Record<string, string>;
type Handler = (ctx: FlopsContext, p: Params, ids: Ids) => unknown;

interface Route {
  re: RegExp;
  names: string[];
  handler: Handler;
}

function route(pattern: string, handler: Handler): Route {
  const names: string[] = [];
  const body = pattern.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${body}/?$`), names, handler };
}

function numericId(ids: Ids, name: string, what: string): number {
  const raw = ids[name];
  // A path id that is not a number cannot name an object.
  if (!/^\d+$/.test(raw)) throw FlopsError.of("notFound", `${what} ${raw}`);
  return Number(raw);
}

const ok = (extra: Record<string, unknown> = {}) => ({ status: "OK", ...extra });

// ---- helpers shared by the VM calls ----

/** The VM named in the path, for a call that changes it: the VM must exist and `tenantId` be its tenant. */
function ownedVm(ctx: FlopsContext, p: Params, ids: Ids): VmRecord {
  const vm = ctx.state.vm(numericId(ids, "vmId", "server"));
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  if (vm.tenantId !== tenantId) throw FlopsError.of("notOwner", `server ${vm.id} is not in tenant ${tenantId}`);
  return vm;
}

function startOp(
  ctx: FlopsContext,
  type: OperationType,
  vm: VmRecord,
  effect: (live: VmRecord, at: number) => string | void,
  extra: { locks?: number[]; onFail?: () => void; failure?: OperationFailure } = {},
): { status: string; operationId: number } {
  const vmId = vm.id;
  const op = ctx.ops.start({
    type,
    vmId,
    tenantId: vm.tenantId,
    locks: extra.locks,
    onFail: extra.onFail,
    failure: extra.failure,
    // The VM is looked up again when the operation ends: one deleted meanwhile (out of band) makes
    // the operation end with error.object.not.found instead of being resurrected.
    effect: (at) => effect(ctx.state.vm(vmId), at),
  });
  return { status: "OK", operationId: op.id };
}

function takeGuestFailure(ctx: FlopsContext, kind: "add" | "remove"): GuestIpDelivery | undefined {
  const s = ctx.guestIp[kind];
  if (!s || s.remaining <= 0) return undefined;
  s.remaining--;
  if (s.remaining <= 0) delete ctx.guestIp[kind];
  return s.delivery;
}

function guestError(kind: "add" | "remove"): OperationFailure {
  const e = kind === "add" ? FLOPS_ERRORS.guestIpAdd : FLOPS_ERRORS.guestIpRemove;
  return { code: e.code, message: e.message, applyEffect: true };
}

function vmTariff(ctx: FlopsContext, vm: VmRecord): Tariff | undefined {
  return ctx.state.findTariff(vm.tariffId);
}

// ---- handlers ----

const listVms: Handler = (ctx) => ok({ result: [...ctx.state.vms.values()].sort((a, b) => b.timeAdded - a.timeAdded || b.id - a.id).map((vm) => vmView(vm, ctx.state.keys)) });

const vmInfo: Handler = (ctx, _p, ids) => ok({ result: vmView(ctx.state.vm(numericId(ids, "vmId", "server")), ctx.state.keys) });

const install: Handler = (ctx, p) => {
  const { state } = ctx;
  const tenantId = p.int("tenantId") ?? state.defaultTenant().id;
  state.tenant(tenantId);
  const distribution = state.distribution(p.int("distributionId", true));
  const tariff = state.tariff(p.int("tariffId", true));
  const sizes = resolveSizes(tariff, { memory: p.int("memory"), disk: p.int("disk"), cpu: p.int("cpu"), ipCount: p.int("ipCount") });
  const password = p.str("password");
  if (password !== undefined) checkPassword(password);
  const publicKeys = state.keyRefs(p.ints("publicKeyIds"), false);
  const softwareIds = p.ints("softwareIds");
  for (const id of softwareIds) state.software(id);
  const openSupportAccess = p.bool("openSupportAccess");
  p.bool("sendPassword");
  const ipAddresses = state.takeIps(sizes.ipCount);
  const vm = state.addVm({
    tenantId,
    name: p.str("name") ?? "",
    memory: sizes.memory,
    disk: sizes.disk,
    cpu: sizes.cpu,
    tariffId: tariff.id,
    ipAddresses,
    // Not running until the install finishes (the vendor documentation shows only RUNNING and SHUTOFF).
    state: VM_STATE.shutoff,
    currentSnapshot: null,
    backupPolicy: { ...DEFAULT_BACKUP_POLICY },
    distribution: { ...distribution },
    ownerUser: null,
    accessUsers: [],
    publicKeys,
    password,
    softwareIds,
    openSupportAccess,
    installed: false,
  });
  if (!vm.name) vm.name = vm.internalId;
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
  const vm = state.addVm({
    tenantId,
    name: p.str("name") ?? "",
    memory: image.memory,
    disk: image.disk,
    cpu: image.cpu,
    tariffId: image.tariffId,
    ipAddresses,
    state: VM_STATE.shutoff,
    currentSnapshot: null,
    backupPolicy: { ...DEFAULT_BACKUP_POLICY },
    distribution: { ...image.distribution },
    ownerUser: null,
    accessUsers: [],
    publicKeys: src.publicKeys.map((k) => ({ ...k })),
    password: src.password,
    softwareIds: [...src.softwareIds],
    openSupportAccess: src.openSupportAccess,
    installed: false,
    diskContent: image.diskContent,
  });
  if (!vm.name) vm.name = vm.internalId;
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
  const password = p.str("password");
  if (password !== undefined) checkPassword(password);
  const publicKeys = state.keyRefs(p.ints("publicKeyIds"), true);
  const softwareIds = p.ints("softwareIds");
  for (const id of softwareIds) state.software(id);
  const name = p.str("name");
  const openSupportAccess = p.bool("openSupportAccess");
  p.bool("sendPassword");
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

const ipAdd: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  ctx.ops.assertIdle(vm.id);
  const [ip] = ctx.state.takeIps(1);
  const guest = takeGuestFailure(ctx, "add");
  if (guest === "call") {
    vm.ipAddresses.push(ip);
    const e = guestError("add");
    throw new FlopsError(e.code, e.message);
  }
  return startOp(
    ctx,
    OPERATION_TYPES.ipAdd,
    vm,
    (live) => {
      live.ipAddresses.push(ip);
    },
    { onFail: () => ctx.state.releaseIps([ip]), failure: guest ? guestError("add") : undefined },
  );
};

const ipDelete: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const ip = p.str("ip", true);
  if (!vm.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${vm.id}`);
  ctx.ops.assertIdle(vm.id);
  const remove = (live: VmRecord) => {
    live.ipAddresses = live.ipAddresses.filter((x) => x !== ip);
    ctx.state.releaseIps([ip]);
  };
  const guest = takeGuestFailure(ctx, "remove");
  if (guest === "call") {
    remove(vm);
    const e = guestError("remove");
    throw new FlopsError(e.code, e.message);
  }
  return startOp(ctx, OPERATION_TYPES.ipDelete, vm, remove, { failure: guest ? guestError("remove") : undefined });
};

const ipMove: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const toVmId = p.int("toVmId", true);
  const ip = p.str("ip", true);
  if (toVmId === vm.id) throw FlopsError.of("paramInvalid", "toVmId is the server the address is on");
  const dest = ctx.state.vm(toVmId);
  ctx.state.tenant(dest.tenantId);
  if (!vm.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${vm.id}`);
  ctx.ops.assertIdle(vm.id, dest.id);
  const move = (src: VmRecord) => {
    const to = ctx.state.vm(toVmId);
    if (!src.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${src.id}`);
    src.ipAddresses = src.ipAddresses.filter((x) => x !== ip);
    to.ipAddresses.push(ip);
  };
  // Either guest step may fail: removing it from the source's OS or adding it to the target's.
  const removeFailure = takeGuestFailure(ctx, "remove");
  const addFailure = removeFailure ? undefined : takeGuestFailure(ctx, "add");
  const kind = removeFailure ? "remove" : addFailure ? "add" : undefined;
  const delivery = removeFailure ?? addFailure;
  if (kind && delivery === "call") {
    move(vm);
    const e = guestError(kind);
    throw new FlopsError(e.code, e.message);
  }
  return startOp(ctx, OPERATION_TYPES.ipMove, vm, move, { locks: [vm.id, dest.id], failure: kind ? guestError(kind) : undefined });
};

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
  const vm = ownedVm(ctx, p, ids);
  const snapshotId = p.int("snapshotId", true);
  ctx.state.snapshot(vm.id, snapshotId);
  ctx.ops.assertIdle(vm.id);
  // The vendor documentation: a tariff changed since the snapshot is put back too.
  return startOp(ctx, OPERATION_TYPES.snapshotRollback, vm, (live) => {
    const snap = ctx.state.snapshot(live.id, snapshotId);
    ctx.state.restoreImage(live, snap.image, { state: true });
    live.currentSnapshot = snap.id;
  });
};

const snapshotDelete: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const snapshotId = p.int("snapshotId", true);
  ctx.state.snapshot(vm.id, snapshotId);
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
  const vm = ownedVm(ctx, p, ids);
  const backupId = p.str("backup", true);
  ctx.state.backup(vm.id, backupId);
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

const backupDownload: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const backupId = p.str("backup", true);
  ctx.state.backup(vm.id, backupId);
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

const listKeys: Handler = (ctx) => ok({ result: [...ctx.state.keys.values()].sort((a, b) => a.id - b.id).map(publicKeyView) });

const addKey: Handler = (ctx, p) => {
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  const name = p.str("name", true);
  const text = p.str("publicKey", true);
  const type = publicKeyType(text);
  const key = ctx.state.addKey({ tenantId, name, publicKey: text, type });
  return ok({ result: publicKeyResultView(key) });
};

function ownedKey(ctx: FlopsContext, p: Params, ids: Ids) {
  const key = ctx.state.key(numericId(ids, "keyId", "public key"));
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  if (key.tenantId !== tenantId) throw FlopsError.of("notOwner", `public key ${key.id} is not in tenant ${tenantId}`);
  return key;
}

const editKey: Handler = (ctx, p, ids) => {
  const key = ownedKey(ctx, p, ids);
  const name = p.str("name");
  const text = p.str("publicKey");
  const type = text !== undefined ? publicKeyType(text) : undefined;
  if (name !== undefined) key.name = name;
  if (text !== undefined && type !== undefined) {
    key.publicKey = text;
    key.type = type;
  }
  return ok({ result: publicKeyResultView(key) });
};

const deleteKey: Handler = (ctx, p, ids) => {
  const key = ownedKey(ctx, p, ids);
  // VMs keep the key in their list (it stays in their authorized_keys); see model.ts VmKeyRef.
  ctx.state.keys.delete(key.id);
  return ok();
};

const operation: Handler = (ctx, _p, ids) => {
  const op = ctx.ops.get(numericId(ids, "operationId", "operation"));
  if (!op) throw FlopsError.of("notFound", `operation ${ids.operationId}`);
  return ok({ result: ctx.ops.view(op) });
};

export const ROUTES: Route[] = [
  route("/tenant", (ctx) => ok({ result: ctx.state.catalog.tenants.map((t) => ({ ...t })) })),
  route("/distribution", (ctx) => ok({ result: ctx.state.catalog.distributions.map((d) => ({ ...d })) })),
  route("/software", (ctx) => ok({ result: ctx.state.catalog.software.map((s) => ({ ...s })) })),
  route("/tariffs", (ctx) => ok({ result: ctx.state.catalog.tariffs.map((t) => ({ ...t })) })),
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
  route("/vm/:vmId/ip_add", ipAdd),
  route("/vm/:vmId/ip_delete", ipDelete),
  route("/vm/:vmId/ip_move", ipMove),
  route("/vm/:vmId/snapshots", listSnapshots),
  route("/vm/:vmId/snapshot_create", snapshotCreate),
  route("/vm/:vmId/snapshot_rollback", snapshotRollback),
  route("/vm/:vmId/snapshot_delete", snapshotDelete),
  route("/vm/:vmId/backups", listBackups),
  route("/vm/:vmId/backup_rollback", backupRollback),
  route("/vm/:vmId/backup_download", backupDownload),
  route("/pubkeys", listKeys),
  route("/pubkeys/add", addKey),
  route("/pubkeys/:keyId/edit", editKey),
  route("/pubkeys/:keyId/delete", deleteKey),
  route("/operation/:operationId", operation),
];

/**
 * The vendor documentation writes backup_download's path as `https://api.flops.ru/v1/vm/...` (no `/api`), unlike
 * every other call. Whether that is a typo is unknown, so by default the simulator answers it on both
 * bases (the request log shows which one a client used); with `backupDownloadV1: false` only under
 * `/api/v1`, where `/v1/...` gets a bare 404, to test a client's fallback.
 */
const V1_ONLY = [route("/vm/:vmId/backup_download", backupDownload)];

export const API_BASE = "/api/v1";

function findRoute(path: string, v1: boolean): { handler: Handler; ids: Ids } | undefined {
  let rest: string | undefined;
  let table = ROUTES;
  if (path === API_BASE || path.startsWith(`${API_BASE}/`)) rest = path.slice(API_BASE.length);
  else if (v1 && path.startsWith("/v1/")) {
    rest = path.slice(3);
    table = V1_ONLY;
  }
  if (rest === undefined) return undefined;
  for (const r of table) {
    const m = r.re.exec(rest);
    if (!m) continue;
    const ids: Ids = {};
    r.names.forEach((n, i) => (ids[n] = decodeURIComponent(m[i + 1])));
    return { handler: r.handler, ids };
  }
  return undefined;
}

/** The request handler given to `SimulatorServer`. */
export function handleRequest(ctx: FlopsContext, req: SimRequest): SimResponse {
  if (req.path === "/download" || req.path === "/download/") {
    const backupId = ctx.downloads.get(req.query.get("p") ?? "");
    if (!backupId) return { status: 404, body: "Not Found" };
    return { status: 200, body: `simulated flops backup ${backupId}\n` };
  }
  const found = findRoute(req.path, ctx.backupDownloadV1);
  // A path the API does not have gets what a web server answers: a bare 404, no ERROR envelope.
  if (!found) return { status: 404, body: "Not Found" };
  if (req.method !== "GET") return { status: 405, headers: { allow: "GET" }, body: "Method Not Allowed" };
  const q = req.query;
  if (q.get("clientId") !== ctx.clientId || q.get("apiKey") !== ctx.apiKey) {
    return { status: 200, body: errorEnvelope(FLOPS_ERRORS.notOwner.code, FLOPS_ERRORS.notOwner.message) };
  }
  ctx.tick();
  try {
    return { status: 200, body: found.handler(ctx, new Params(q), found.ids) };
  } catch (e) {
    if (e instanceof FlopsError) return { status: 200, body: errorEnvelope(e.code, e.message) };
    throw e;
  }
}
