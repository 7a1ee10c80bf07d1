/**
 * NetAngels rows of the fault matrix: the backup, the two rollbacks and the files-archive request.
 * The API has no delete at all (backups expire by retention). See matrix.ts.
 */
import { netangels } from "pulumi-vps";
import { configFromRecord, type HandlerContext, MemoryLogger, setConfigSource, systemClock } from "../../provider/core";
import { requestBackupFilesArchiveFunction } from "../../provider/netangels/functions";
import type { SimJob } from "../../simulator/core/clock";
import { NetangelsSimulator } from "../../simulator/netangels";
import type { ResourceState } from "../harness";
import type { PlainObject } from "../harness/protocol";
import { netangelsConfig, netangelsHostOptions } from "../support/netangels";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";
import { actionCreate, row, startKitHost } from "./rows";

export interface NetangelsKit extends HostKit {
  sim: NetangelsSimulator;
}

/** Private parts of the simulator, reached here only to end hung operations and drop injections between cells. */
interface SimInternals {
  operations: Array<{ job: SimJob }>;
  failNext: unknown[];
  hangNext: unknown[];
}

const functionLog = new MemoryLogger();

export async function startNetangelsKit(): Promise<NetangelsKit> {
  const sim = new NetangelsSimulator({ operationDurationMs: 0, seed: false });
  const program = () => {
    new netangels.Backup("Backup", { vmId: 1 });
    new netangels.VmRollback("VmRollback", { vmId: 1, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, confirm: true });
    new netangels.VolumeRollback("VolumeRollback", { vmId: 1, volumeId: 1, backupDate: NetangelsSimulator.SEED_BACKUP_DATE, confirm: true });
  };
  const kitHost = await startKitHost("netangels", sim, sim.server, netangelsHostOptions, program);
  // The function row runs its handler in this process, configured the same way.
  setConfigSource(configFromRecord(netangelsConfig(sim)));
  const internals = sim as unknown as SimInternals;
  return {
    ...kitHost,
    secrets: () => [sim.token],
    reset() {
      internals.failNext.length = 0;
      internals.hangNext.length = 0;
      for (const op of internals.operations) op.job.durationMs = 0;
      sim.tick();
      // A VM an injected failure left in Error is put right, as support would.
      for (const vm of sim.allVms()) if (vm.state === "Error") sim.updateVm(vm.id, { state: "Active", transitions: [] });
      sim.setOperationDuration(0);
    },
    setOperationDuration: (ms) => sim.setOperationDuration(ms),
    extraOutput: () => functionLog.text(),
  };
}

const sim = (kit: HostKit) => (kit as NetangelsKit).sim;

interface Ctx {
  cell: Cell;
  vmId: number;
  volumeId?: number;
  backupDate?: string;
}

function newVm(kit: HostKit, cell: Cell, withBackup: Prepared): Ctx {
  const vm = sim(kit).addVm({ name: `vm-${cell.name}`, volumes: withBackup === "volume" ? ["data"] : [] });
  const ctx: Ctx = { cell, vmId: vm.id };
  if (withBackup === "vm") ctx.backupDate = sim(kit).addBackup(vm.id);
  if (withBackup === "volume") {
    ctx.volumeId = vm.volumes[0].id;
    ctx.backupDate = sim(kit).addBackup(vm.id, { volumeId: ctx.volumeId });
  }
  return ctx;
}

const vmBackups = (kit: HostKit, ctx: Ctx) =>
  sim(kit)
    .vm(ctx.vmId)
    ?.backups.filter((b) => b.resourceType === "VM")
    .map((b) => b.date) ?? [];

function verifyBackup(kit: HostKit, ctx: Ctx, state: ResourceState): string[] {
  const date = state.id.slice(state.id.indexOf("/") + 1);
  if (!vmBackups(kit, ctx).includes(date)) return [`backup ${state.id} is not on the simulator`];
  return state.outputs.backupDate === date ? [] : [`backupDate: state ${String(state.outputs.backupDate)}, simulator ${date}`];
}

const rollbacksOf = (kit: HostKit, ctx: Ctx) =>
  sim(kit)
    .rollbacks.map((r, i) => ({ r, i }))
    .filter(({ r }) => r.vmId === ctx.vmId)
    .map(({ i }) => `rollback#${i}`);

const NO_WAIT = "the answer is the VM and nothing is waited for: no operation to fail, hang or lose mid-wait";
const ARCHIVE_LEAVES_NO_TRACE =
  "an archive request leaves no trace in the API (NetAngels delivers the archive outside it), and a repeat would request a second archive";

type Prepared = "none" | "vm" | "volume";

/** The fields of a row whose call starts an operation on the cell's VM (made with `prepared`): it fails, hangs or loses the VM. */
function onVm(prepared: Prepared) {
  return {
    failOperation: (kit: HostKit, ctx: Ctx) => sim(kit).failNextOperation({ vmId: ctx.vmId }),
    failureCode: /Error/,
    hangOperation: (kit: HostKit, ctx: Ctx) => sim(kit).hangNextOperation(ctx.vmId),
    deleteOutOfBand: (kit: HostKit, ctx: Ctx) => void sim(kit).deleteVm(ctx.vmId),
    repair: (kit: HostKit, ctx: Ctx, cell: Cell) => void Object.assign(ctx, newVm(kit, cell, prepared)),
    setup: (kit: HostKit, cell: Cell) => newVm(kit, cell, prepared),
  };
}

/** A rollback row: of the VM's own backup (`vm`) or of its volume's (`volume`). */
function rollbackRow(prepared: "vm" | "volume", call: string, type: string, path: RegExp, inputs: (ctx: Ctx) => PlainObject): Scenario {
  return row<Ctx>({
    ...onVm(prepared),
    ...actionCreate(type, call),
    match: { path, method: "POST" },
    operation: /rollback/i,
    inputs,
    live: (kit, ctx) => rollbacksOf(kit, ctx),
    verify: () => [],
  });
}

/** A files-archive row (the function's handler run directly): of the VM's backup or of its volume's. */
function archiveRow(prepared: "vm" | "volume", call: string, via: string, path: RegExp, files: string[]): Scenario {
  return row<Ctx>({
    call,
    via,
    type: "",
    step: "function",
    kind: "action",
    match: { path, method: "POST" },
    operation: /files/i,
    cannotTell: ARCHIVE_LEAVES_NO_TRACE,
    na: { opError: NO_WAIT, timeout: NO_WAIT, deletedMidWait: NO_WAIT },
    setup: (kit, cell) => newVm(kit, cell, prepared),
    inputs: () => ({}),
    invoke: (_kit, ctx) =>
      requestBackupFilesArchiveFunction.run(
        { vmId: ctx.vmId, ...(prepared === "volume" ? { volumeId: ctx.volumeId } : {}), backupDate: ctx.backupDate!, files },
        functionContext(),
      ),
    live: (kit, ctx) =>
      sim(kit)
        .archiveRequests.map((r, i) => ({ r, i }))
        .filter(({ r }) => r.vmId === ctx.vmId)
        .map(({ i }) => `archive#${i}`),
    verify: () => [],
  });
}

export function netangelsScenarios(): Scenario[] {
  return [
    row<Ctx>({
      ...onVm("none"),
      call: "POST /cloud/vms/{id}/backup/",
      via: "Backup create",
      type: "Backup",
      step: "create",
      kind: "object",
      survivesDelete: "the API cannot delete backups: destroy forgets the backup, which expires by the host's retention",
      match: { path: /^\/api\/v1\/cloud\/vms\/\d+\/backup\/$/, method: "POST" },
      operation: /backup/i,
      inputs: (ctx) => ({ vmId: ctx.vmId, operationTimeout: T }),
      adopt: (ctx, _cell, id) => ({ vmId: ctx.vmId, operationTimeout: T, importFrom: `${ctx.vmId}/${id}` }),
      live: (kit, ctx) => vmBackups(kit, ctx),
      verify: (kit, ctx, state) => verifyBackup(kit, ctx, state),
    }),
    rollbackRow("vm", "POST /cloud/vms/{id}/backups/{date}/", "VmRollback", /^\/api\/v1\/cloud\/vms\/\d+\/backups\/[^/]+\/$/, (ctx) => ({
      vmId: ctx.vmId,
      backupDate: ctx.backupDate,
      confirm: true,
      operationTimeout: T,
    })),
    rollbackRow(
      "volume",
      "POST /cloud/vms/{id}/volumes/{vid}/backups/{date}/",
      "VolumeRollback",
      /^\/api\/v1\/cloud\/vms\/\d+\/volumes\/\d+\/backups\/[^/]+\/$/,
      (ctx) => ({ vmId: ctx.vmId, volumeId: ctx.volumeId, backupDate: ctx.backupDate, confirm: true, operationTimeout: T }),
    ),
    archiveRow(
      "vm",
      "POST /cloud/vms/{id}/backups/{date}/files/",
      "requestBackupFilesArchive (function, handler run directly)",
      /^\/api\/v1\/cloud\/vms\/\d+\/backups\/[^/]+\/files\/$/,
      ["/etc/hostname"],
    ),
    archiveRow(
      "volume",
      "POST /cloud/vms/{id}/volumes/{vid}/backups/{date}/files/",
      "requestBackupFilesArchive with volumeId (function, handler run directly)",
      /^\/api\/v1\/cloud\/vms\/\d+\/volumes\/\d+\/backups\/[^/]+\/files\/$/,
      ["/mnt/data"],
    ),
  ];
}

function functionContext(): HandlerContext {
  return { logger: functionLog, clock: systemClock, label: "netangels:requestBackupFilesArchive" };
}
