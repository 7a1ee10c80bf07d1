/**
 * flops rows of the fault matrix: every mutating call of the flops API, the resource step that sends
 * it, and how the simulator fails, hangs or loses what it works on. See matrix.ts for what a cell runs.
 */
import { flops } from "pulumi-vps";
import { type HandlerContext, MemoryLogger, systemClock } from "../../provider/core";
import { getBackupDownloadUrl } from "../../provider/flops/functions";
import { FlopsSimulator, type OperationType, type VmRecord } from "../../simulator/flops";
import type { ResourceState } from "../harness";
import type { PlainObject } from "../harness/protocol";
import { configureFor, flopsHostOptions } from "../support/flops";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";
import { actionCreate, row, startKitHost } from "./rows";

export const PASSWORD = "Sup3r-Secret9";
export const OTHER_PASSWORD = "Other-Secret7";
const KEY_TEXT = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFaultMatrixKey";

export interface FlopsKit extends HostKit {
  sim: FlopsSimulator;
}

export async function startFlopsKit(): Promise<FlopsKit> {
  const sim = new FlopsSimulator({ operationDurationMs: 0 });
  const program = () => {
    new flops.Server("Server", { distribution: "DEBIAN", tariff: "Облачный 1024" });
    new flops.PublicKey("PublicKey", { publicKey: KEY_TEXT });
    new flops.Snapshot("Snapshot", { serverId: "1", name: "s" });
    new flops.IpAddress("IpAddress", { serverId: "1" });
    new flops.BackupPolicy("BackupPolicy", { serverId: "1", quantity: 1, frequency: 24 });
    new flops.SnapshotRollback("SnapshotRollback", { serverId: "1", snapshotId: 1, confirm: true });
    new flops.BackupRollback("BackupRollback", { serverId: "1", backup: "b", confirm: true });
    new flops.ServerRestart("ServerRestart", { serverId: "1" });
  };
  const kitHost = await startKitHost("flops", sim, sim.server, flopsHostOptions, program);
  // The function row runs its handler in this process, configured the same way.
  configureFor(sim);
  return {
    ...kitHost,
    secrets: () => [sim.apiKey, PASSWORD, OTHER_PASSWORD],
    reset() {
      sim.clearInjections();
      sim.setOperationDuration(0);
      for (const op of sim.operations()) if (op.status === "PENDING") sim.finishOperation(op.id);
    },
    setOperationDuration: (ms) => sim.setOperationDuration(ms),
    extraOutput: () => functionLog.text(),
  };
}

const sim = (kit: HostKit) => (kit as FlopsKit).sim;
const ours = (cell: Cell) => (name: string) => name === cell.name || name.startsWith(`${cell.name}-`);
const vmsOf = (kit: HostKit, cell: Cell) =>
  sim(kit)
    .vms()
    .filter((v) => ours(cell)(v.name));

// ---- flops.Server ----

function verifyServer(kit: HostKit, state: ResourceState): string[] {
  const vm = sim(kit).vm(Number(state.id));
  if (!vm) return [`VM ${state.id} is not on the simulator`];
  const o = state.outputs;
  const d: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) d.push(`${what}: state ${JSON.stringify(a)}, simulator ${JSON.stringify(b)}`);
  };
  same("name", o.name, vm.name);
  same("state", o.state, vm.state);
  same("memory", o.memory, vm.memory);
  same("disk", o.disk, vm.disk);
  same("cpu", o.cpu, vm.cpu);
  same("tariffId", o.tariffId, vm.tariffId);
  same("distributionId", o.distributionId, vm.distribution.id);
  same("ipAddresses", [...((o.ipAddresses as string[]) ?? [])].sort(), [...vm.ipAddresses].sort());
  same("publicKeyIds", [...((o.publicKeyIds as string[]) ?? [])].sort(), vm.publicKeys.map((k) => String(k.id)).sort());
  return d;
}

const baseServer = (cell: Cell): PlainObject => ({
  name: cell.name,
  distribution: "Debian 7.6 x64",
  tariff: "Облачный 1024",
  password: PASSWORD,
  operationTimeout: T,
});
const onDemand = (cell: Cell): PlainObject => ({ ...baseServer(cell), tariff: "Облачный без границ", memory: 1024, disk: 16384, cpu: 1 });

interface ServerCtx {
  cell: Cell;
  keyId?: number;
  sourceId?: number;
}

function deleteOwnVm(kit: HostKit, cell: Cell): void {
  for (const vm of vmsOf(kit, cell)) sim(kit).deleteVm(vm.id);
}

/** The fields of a row whose call starts a flops operation of `type`: the next such operation fails or hangs. */
function operationFaults(type: OperationType) {
  return {
    failOperation: (kit: HostKit) => sim(kit).failNextOperation(type),
    failureCode: /unexpected\.exception/,
    hangOperation: (kit: HostKit) => sim(kit).hangNextOperation(type),
  };
}

/** The fields of every Server row: the cell's own VMs, found by name. */
const SERVER_ROW = {
  type: "Server",
  kind: "object",
  deleteOutOfBand: (kit, ctx) => deleteOwnVm(kit, ctx.cell),
  setup: (_kit, cell) => ({ cell }),
  live: (kit, _ctx, cell) => vmsOf(kit, cell).map((v) => String(v.id)),
  verify: (kit, _ctx, state) => verifyServer(kit, state),
} satisfies Partial<Scenario<ServerCtx>>;

/** A Server update row: created from `inputs`, changed to `changed`, `type` the operation the change starts. */
function serverUpdate(
  call: string,
  type: OperationType,
  operation: RegExp,
  inputs: (cell: Cell, ctx: ServerCtx) => PlainObject,
  changed: (cell: Cell, ctx: ServerCtx) => PlainObject,
  extra: Partial<Scenario<ServerCtx>> = {},
): Scenario {
  return row<ServerCtx>({
    ...SERVER_ROW,
    ...operationFaults(type),
    call,
    via: "Server update",
    step: "update",
    match: { path: new RegExp(`^/api/v1/vm/\\d+/${call}/$`) },
    operation,
    inputs: (ctx, cell) => inputs(cell, ctx),
    changed: (ctx, cell) => changed(cell, ctx),
    ...extra,
  });
}

// ---- helpers for the resources that live on a server ----

interface OnServer {
  cell: Cell;
  vmId: number;
  otherVmId?: number;
  base: string[];
  otherBase?: string[];
  snapshotId?: number;
  backup?: string;
}

function serverFor(kit: HostKit, cell: Cell, tag = "srv"): VmRecord {
  return sim(kit).createVm({ name: `${tag}-${cell.name}` });
}

function newServer(kit: HostKit, cell: Cell): OnServer {
  const vm = serverFor(kit, cell);
  return { cell, vmId: vm.id, base: [...vm.ipAddresses] };
}

function addressesOf(kit: HostKit, vmId: number | undefined, base: string[] = []): string[] {
  if (vmId === undefined) return [];
  return (sim(kit).vm(vmId)?.ipAddresses ?? []).filter((a) => !base.includes(a));
}

function verifySnapshot(kit: HostKit, state: ResourceState): string[] {
  const [vmId, snapId] = state.id.split("/").map(Number);
  const snap = sim(kit)
    .snapshots(vmId)
    .find((s) => s.id === snapId);
  if (!snap) return [`snapshot ${state.id} is not on the simulator`];
  return snap.name === state.outputs.name ? [] : [`name: state ${String(state.outputs.name)}, simulator ${snap.name}`];
}

function verifyAddress(kit: HostKit, state: ResourceState): string[] {
  const holder = sim(kit)
    .vms()
    .find((v) => v.ipAddresses.includes(state.id));
  if (!holder) return [`address ${state.id} is on no server`];
  return String(holder.id) === state.outputs.serverId ? [] : [`serverId: state ${String(state.outputs.serverId)}, simulator ${holder.id}`];
}

function verifyPolicy(kit: HostKit, state: ResourceState): string[] {
  const vm = sim(kit).vm(Number(state.id));
  if (!vm) return [`server ${state.id} is not on the simulator`];
  const o = state.outputs;
  return vm.backupPolicy.quantity === o.quantity && vm.backupPolicy.frequency === o.frequency
    ? []
    : [`policy: state ${String(o.quantity)}×${String(o.frequency)} h, simulator ${vm.backupPolicy.quantity}×${vm.backupPolicy.frequency} h`];
}

function verifyKey(kit: HostKit, state: ResourceState): string[] {
  const key = sim(kit)
    .publicKeys()
    .find((k) => String(k.id) === state.id);
  if (!key) return [`key ${state.id} is not on the simulator`];
  return key.name === state.outputs.name ? [] : [`name: state ${String(state.outputs.name)}, simulator ${key.name}`];
}

const opsOf = (kit: HostKit, type: OperationType, vmId: number) =>
  sim(kit)
    .operations()
    .filter((o) => o.operationType === type && o.vmId === vmId)
    .map((o) => String(o.id));

/** The fields of a row on a server made for the cell, which a deleted-mid-wait cell deletes. */
const ON_SERVER = {
  deleteOutOfBand: (kit, ctx) => void sim(kit).deleteVm(ctx.vmId),
  setup: (kit, cell) => newServer(kit, cell),
} satisfies Partial<Scenario<OnServer>>;

/** After the server was deleted mid-wait, a new one, as a user would make before `pulumi up`. */
const repairServer = (kit: HostKit, ctx: OnServer, cell: Cell) => void Object.assign(ctx, newServer(kit, cell));

/** The fields of a row on a server with a backup, which a deleted-mid-wait cell deletes. */
const ON_BACKUP = {
  deleteOutOfBand: (kit, ctx) => sim(kit).deleteBackup(ctx.vmId, ctx.backup!),
  repair: (kit, ctx) => void Object.assign(ctx, { backup: sim(kit).addBackup(ctx.vmId).id }),
  setup: (kit, cell) => {
    const s = newServer(kit, cell);
    return { ...s, backup: sim(kit).addBackup(s.vmId).id };
  },
} satisfies Partial<Scenario<OnServer>>;

/** A ServerRestart row: `hard` picks reset over reboot. */
function restart(call: "reboot" | "reset", type: OperationType, hard: boolean): Scenario {
  return row<OnServer>({
    ...ON_SERVER,
    ...operationFaults(type),
    call,
    via: `ServerRestart create${hard ? " (hard)" : ""}`,
    type: "ServerRestart",
    step: "create",
    kind: "action",
    match: { path: new RegExp(`^/api/v1/vm/\\d+/${call}/$`) },
    operation: new RegExp(call, "i"),
    cannotTell:
      "a restarted server looks as it did before (running), and flops lists no operations: whether a restart whose answer never came took place cannot be seen",
    repair: repairServer,
    inputs: (ctx) => ({ serverId: String(ctx.vmId), hard, operationTimeout: T }),
    live: (kit, ctx) => opsOf(kit, type, ctx.vmId),
    verify: () => [],
  });
}

const SYNC = "synchronous call: it starts no operation, so nothing can fail, hang or be deleted while it is waited for";

/** The fields of every PublicKey row: synchronous calls on the cell's own key. */
const KEY_ROW = {
  type: "PublicKey",
  kind: "object",
  operation: /public key/i,
  na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
  setup: () => ({}),
  inputs: (_ctx, cell) => ({ name: cell.name, publicKey: `${KEY_TEXT}${cell.name}` }),
  live: (kit, _ctx, cell) =>
    sim(kit)
      .publicKeys()
      .filter((k) => ours(cell)(k.name))
      .map((k) => String(k.id)),
  verify: (kit, _ctx, state) => verifyKey(kit, state),
} satisfies Partial<Scenario<object>>;

/** The cell's snapshots on its server, while the server exists. */
const cellSnapshots = (kit: HostKit, ctx: OnServer, cell: Cell) =>
  sim(kit).vm(ctx.vmId)
    ? sim(kit)
        .snapshots(ctx.vmId)
        .filter((s) => s.name === cell.name)
        .map((s) => String(s.id))
    : [];

export function flopsScenarios(): Scenario[] {
  return [
    row<ServerCtx>({
      ...SERVER_ROW,
      ...operationFaults("VM_INSTALL"),
      call: "install",
      via: "Server create",
      step: "create",
      match: { path: "/vm/install/" },
      operation: /install/i,
      inputs: (_ctx, cell) => baseServer(cell),
      adopt: (_ctx, cell, id) => ({ ...baseServer(cell), importFrom: id }),
    }),
    row<ServerCtx>({
      ...SERVER_ROW,
      ...operationFaults("VM_CLONE"),
      call: "clone",
      via: "Server create (cloneFrom)",
      step: "create",
      match: { path: /^\/api\/v1\/vm\/\d+\/clone\/$/ },
      operation: /clone/i,
      setup: (kit, cell) => ({ cell, sourceId: serverFor(kit, cell, "src").id }),
      inputs: (ctx, cell) => ({ name: cell.name, cloneFrom: { serverId: String(ctx.sourceId) }, operationTimeout: T }),
      adopt: (ctx, cell, id) => ({ name: cell.name, cloneFrom: { serverId: String(ctx.sourceId) }, operationTimeout: T, importFrom: id }),
    }),
    serverUpdate(
      "reinstall",
      "VM_REINSTALL",
      /reinstall/i,
      (c) => ({ ...baseServer(c), reinstallOnChange: true }),
      (c) => ({ ...baseServer(c), reinstallOnChange: true, distribution: "Ubuntu 14.04.1 x64" }),
    ),
    serverUpdate("rename", "VM_RENAME", /rename/i, baseServer, (c) => ({ ...baseServer(c), name: `${c.name}-renamed` })),
    serverUpdate(
      "start",
      "VM_START",
      /start/i,
      (c) => ({ ...baseServer(c), powerState: "stopped" }),
      (c) => ({ ...baseServer(c), powerState: "running" }),
    ),
    serverUpdate("shutdown", "VM_SHUTDOWN", /shut ?down|power ?off/i, baseServer, (c) => ({ ...baseServer(c), powerState: "stopped" })),
    serverUpdate("poweroff", "VM_POWEROFF", /power ?off/i, baseServer, (c) => ({ ...baseServer(c), powerState: "stopped" }), {
      via: "Server update (after a failed shutdown)",
      // The soft shutdown fails first, so the provider falls back to poweroff.
      arm: (kit) => sim(kit).failNextOperation("VM_SHUTDOWN"),
    }),
    serverUpdate("password_change", "VM_CHANGE_PASSWORD", /password/i, baseServer, (c) => ({ ...baseServer(c), password: OTHER_PASSWORD })),
    serverUpdate(
      "pubkey_change",
      "VM_CHANGE_PUBKEYS",
      /public key/i,
      (c) => ({ ...baseServer(c), publicKeyIds: [] }),
      (c, ctx) => ({ ...baseServer(c), publicKeyIds: [String(ctx.keyId)] }),
      {
        setup: (kit, cell) => ({ cell, keyId: sim(kit).addPublicKey({ name: `key-${cell.name}`, publicKey: `${KEY_TEXT}${cell.name}` }).id }),
      },
    ),
    serverUpdate("memory_change", "VM_CHANGE_MEMORY", /memory/i, onDemand, (c) => ({ ...onDemand(c), memory: 2048 })),
    serverUpdate("disk_change", "VM_CHANGE_DISK", /disk/i, onDemand, (c) => ({ ...onDemand(c), disk: 32768 })),
    serverUpdate("cpu_change", "VM_CHANGE_CPU", /cpu/i, onDemand, (c) => ({ ...onDemand(c), cpu: 2 })),
    serverUpdate("tariff_change", "VM_CHANGE_TARIFF", /tariff/i, baseServer, (c) => ({ ...baseServer(c), tariff: "Облачный 2048" })),
    row<ServerCtx>({
      ...SERVER_ROW,
      ...operationFaults("VM_DESTROY"),
      call: "delete",
      via: "Server delete",
      step: "delete",
      match: { path: /^\/api\/v1\/vm\/\d+\/delete\/$/ },
      operation: /delete/i,
      inputs: (_ctx, cell) => baseServer(cell),
    }),
    restart("reboot", "VM_REBOOT", false),
    restart("reset", "VM_RESET", true),

    // ---- BackupPolicy: create sets it, delete puts the old policy back ----
    ...(["create", "delete"] as const).map((step) =>
      row<OnServer>({
        ...ON_SERVER,
        ...operationFaults("VM_CHANGE_BACKUP_POLICY"),
        call: "backup_policy_change",
        via: step === "create" ? "BackupPolicy create" : "BackupPolicy delete (puts the old policy back)",
        type: "BackupPolicy",
        step,
        kind: "setting",
        match: { path: "/backup_policy_change/" },
        operation: /backup policy/i,
        ...(step === "create" ? { repair: repairServer } : {}),
        inputs: (ctx) => ({ serverId: String(ctx.vmId), quantity: 5, frequency: 12, operationTimeout: T }),
        live: () => [],
        verify: (kit, _ctx, state) => verifyPolicy(kit, state),
      }),
    ),

    // ---- IpAddress ----
    row<OnServer>({
      ...ON_SERVER,
      ...operationFaults("VM_ADD_IP"),
      call: "ip_add",
      via: "IpAddress create",
      type: "IpAddress",
      step: "create",
      kind: "object",
      match: { path: "/ip_add/" },
      operation: /address|ip_add/i,
      repair: repairServer,
      inputs: (ctx) => ({ serverId: String(ctx.vmId), operationTimeout: T }),
      adopt: (ctx, _cell, id) => ({ serverId: String(ctx.vmId), importFrom: id, operationTimeout: T }),
      live: (kit, ctx) => addressesOf(kit, ctx.vmId, ctx.base),
      verify: (kit, _ctx, state) => verifyAddress(kit, state),
    }),
    row<OnServer>({
      ...operationFaults("VM_MOVE_IP"),
      call: "ip_move",
      via: "IpAddress update (serverId)",
      type: "IpAddress",
      step: "update",
      kind: "object",
      match: { path: "/ip_move/" },
      operation: /move/i,
      deleteOutOfBand: (kit, ctx) => void sim(kit).deleteVm(ctx.otherVmId!),
      repair: (kit, ctx, cell) => {
        const vm = serverFor(kit, cell, "dst");
        Object.assign(ctx, { otherVmId: vm.id, otherBase: [...vm.ipAddresses] });
      },
      setup: (kit, cell) => {
        const other = serverFor(kit, cell, "dst");
        return { ...newServer(kit, cell), otherVmId: other.id, otherBase: [...other.ipAddresses] };
      },
      inputs: (ctx) => ({ serverId: String(ctx.vmId), operationTimeout: T }),
      changed: (ctx) => ({ serverId: String(ctx.otherVmId), operationTimeout: T }),
      live: (kit, ctx) => [...addressesOf(kit, ctx.vmId, ctx.base), ...addressesOf(kit, ctx.otherVmId, ctx.otherBase)],
      verify: (kit, _ctx, state) => verifyAddress(kit, state),
    }),
    row<OnServer>({
      ...ON_SERVER,
      ...operationFaults("VM_DELETE_IP"),
      call: "ip_delete",
      via: "IpAddress delete",
      type: "IpAddress",
      step: "delete",
      kind: "object",
      match: { path: "/ip_delete/" },
      operation: /delete address|ip_delete|delete IP/i,
      inputs: (ctx) => ({ serverId: String(ctx.vmId), operationTimeout: T }),
      live: (kit, ctx) => addressesOf(kit, ctx.vmId, ctx.base),
      verify: (kit, _ctx, state) => verifyAddress(kit, state),
    }),

    // ---- Snapshot ----
    row<OnServer>({
      ...ON_SERVER,
      ...operationFaults("VM_CREATE_SNAPSHOT"),
      call: "snapshot_create",
      via: "Snapshot create",
      type: "Snapshot",
      step: "create",
      kind: "object",
      match: { path: "/snapshot_create/" },
      operation: /snapshot/i,
      repair: repairServer,
      inputs: (ctx, cell) => ({ serverId: String(ctx.vmId), name: cell.name, operationTimeout: T }),
      adopt: (ctx, cell, id) => ({ serverId: String(ctx.vmId), name: cell.name, operationTimeout: T, importFrom: `${ctx.vmId}/${id}` }),
      live: cellSnapshots,
      verify: (kit, _ctx, state) => verifySnapshot(kit, state),
    }),
    row<OnServer>({
      ...ON_SERVER,
      ...operationFaults("VM_DELETE_SNAPSHOT"),
      call: "snapshot_delete",
      via: "Snapshot delete",
      type: "Snapshot",
      step: "delete",
      kind: "object",
      match: { path: "/snapshot_delete/" },
      operation: /snapshot/i,
      deleteOutOfBand: (kit, ctx) => {
        for (const s of sim(kit)
          .snapshots(ctx.vmId)
          .filter((x) => x.name === ctx.cell.name))
          sim(kit).deleteSnapshot(ctx.vmId, s.id);
      },
      inputs: (ctx, cell) => ({ serverId: String(ctx.vmId), name: cell.name, operationTimeout: T }),
      live: cellSnapshots,
      verify: (kit, _ctx, state) => verifySnapshot(kit, state),
    }),
    row<OnServer>({
      ...operationFaults("VM_REVERT_TO_SNAPSHOT"),
      ...actionCreate("SnapshotRollback", "snapshot_rollback"),
      match: { path: "/snapshot_rollback/" },
      operation: /roll/i,
      cannotTell:
        "the server already runs from the snapshot it is rolled back to (a new snapshot becomes the current one), so its currentSnapshot cannot show the rollback, and flops lists no operations",
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteSnapshot(ctx.vmId, ctx.snapshotId!),
      repair: (kit, ctx, cell) => Object.assign(ctx, { snapshotId: sim(kit).addSnapshot(ctx.vmId, { name: `s2-${cell.name}` }).id }),
      setup: (kit, cell) => {
        const s = newServer(kit, cell);
        return { ...s, snapshotId: sim(kit).addSnapshot(s.vmId, { name: `s-${cell.name}` }).id };
      },
      inputs: (ctx) => ({ serverId: String(ctx.vmId), snapshotId: ctx.snapshotId, confirm: true, operationTimeout: T }),
      live: (kit, ctx) => opsOf(kit, "VM_REVERT_TO_SNAPSHOT", ctx.vmId),
      verify: () => [],
    }),
    row<OnServer>({
      ...ON_BACKUP,
      ...operationFaults("VM_REVERT_TO_BACKUP"),
      ...actionCreate("BackupRollback", "backup_rollback"),
      match: { path: "/backup_rollback/" },
      operation: /roll/i,
      cannotTell:
        "the server has no snapshots for the rollback to delete and createBackup is off, so nothing the API shows changes, and flops lists no operations",
      inputs: (ctx) => ({ serverId: String(ctx.vmId), backup: ctx.backup, confirm: true, operationTimeout: T }),
      live: (kit, ctx) => opsOf(kit, "VM_REVERT_TO_BACKUP", ctx.vmId),
      verify: () => [],
    }),
    row<OnServer>({
      ...ON_BACKUP,
      ...operationFaults("DOWNLOAD_BACKUP"),
      call: "backup_download",
      via: "getBackupDownloadUrl (function, handler run directly)",
      type: "",
      step: "function",
      kind: "action",
      match: { path: "/backup_download/" },
      operation: /download/i,
      cannotTell: "every call prepares another export of the backup (billed as traffic), and flops lists no operations to find one whose answer never came",
      inputs: () => ({}),
      invoke: (_kit, ctx) => getBackupDownloadUrl.run({ serverId: String(ctx.vmId), backup: ctx.backup!, operationTimeout: T }, functionContext()),
      live: (kit, ctx) => opsOf(kit, "DOWNLOAD_BACKUP", ctx.vmId),
      verify: () => [],
    }),

    // ---- PublicKey (synchronous calls) ----
    row<object>({
      ...KEY_ROW,
      call: "pubkeys/add",
      via: "PublicKey create",
      step: "create",
      match: { path: "/pubkeys/add/" },
      adopt: (ctx, cell, id) => ({ ...KEY_ROW.inputs(ctx, cell), importFrom: id }),
    }),
    row<object>({
      ...KEY_ROW,
      call: "pubkeys/edit",
      via: "PublicKey update",
      step: "update",
      match: { path: /\/pubkeys\/\d+\/edit\/$/ },
      changed: (_ctx, cell) => ({ name: `${cell.name}-b`, publicKey: `${KEY_TEXT}${cell.name}` }),
    }),
    row<object>({ ...KEY_ROW, call: "pubkeys/delete", via: "PublicKey delete", step: "delete", match: { path: /\/pubkeys\/\d+\/delete\/$/ } }),
  ];
}

/** The function row's log lines, scanned for secrets like the host's output. */
const functionLog = new MemoryLogger();
function functionContext(): HandlerContext {
  return { logger: functionLog, clock: systemClock, label: "flops:getBackupDownloadUrl" };
}
