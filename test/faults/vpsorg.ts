/**
 * VPS.org rows of the fault matrix: its four mutating POSTs and two DELETEs. See matrix.ts.
 */
import { vpsorg } from "pulumi-vps";
import type { SimJob } from "../../simulator/core/clock";
import type { LoggedRequest } from "../../simulator/core/server";
import { type JobKind, VpsorgSimulator } from "../../simulator/vpsorg";
import type { ResourceState } from "../harness";
import type { PlainObject } from "../harness/protocol";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";
import { row, startKitHost } from "./rows";

export interface VpsorgKit extends HostKit {
  sim: VpsorgSimulator;
}

/** The simulator's job queue and planned outcomes: private, reached here only to end hung jobs between cells. */
interface SimInternals {
  jobs: SimJob[];
  pendingOutcomes: Record<string, unknown[]>;
}

export async function startVpsorgKit(): Promise<VpsorgKit> {
  const sim = new VpsorgSimulator({ operationDurationMs: 0 });
  await sim.start();
  const program = () => {
    new vpsorg.Snapshot("Snapshot", { serverId: 1, name: "s" });
    new vpsorg.Backup("Backup", { serverId: 1 });
    new vpsorg.SnapshotRestore("SnapshotRestore", { snapshotId: "1", confirm: true });
    new vpsorg.BackupRestore("BackupRestore", { serverId: 1, backupId: "1", confirm: true });
  };
  const config = { "vpsorg:token": sim.token, "vpsorg:endpoint": sim.endpoint, "vpsorg:maxRequestsPerSecond": "1000" };
  const kitHost = await startKitHost(sim, sim.http, program, ["Snapshot", "Backup", "SnapshotRestore", "BackupRestore"], config, "vpsorg:token");
  const internals = sim as unknown as SimInternals;
  return {
    ...kitHost,
    name: "vpsorg",
    sim,
    secrets: () => [sim.token],
    reset() {
      for (const k of Object.keys(internals.pendingOutcomes)) internals.pendingOutcomes[k] = [];
      // A hung job ends now (as the host would, eventually), so the next cell starts from a quiet account.
      for (const j of internals.jobs) j.durationMs = 0;
      sim.settle();
      sim.durations = { snapshot: 0, backup: 0, restore: 0 };
    },
    setOperationDuration: (ms) => {
      sim.durations = { snapshot: ms, backup: ms, restore: ms };
    },
  };
}

const sim = (kit: HostKit) => (kit as VpsorgKit).sim;

interface Ctx {
  cell: Cell;
  serverId: number;
  snapshotId?: number;
  backupId?: number;
}

let nextServer = 30000;
function newServer(kit: HostKit, cell: Cell): Ctx {
  const s = sim(kit).addServer({ id: nextServer++, name: `srv-${cell.name}`, status: "stopped" });
  return { cell, serverId: s.id };
}

const snapshotsOf = (kit: HostKit, ctx: Ctx) => [...sim(kit).snapshots.values()].filter((s) => s.serverId === ctx.serverId && s.name === ctx.cell.name);
const backupsOf = (kit: HostKit, ctx: Ctx) => [...sim(kit).backups.values()].filter((b) => b.serverId === ctx.serverId && b.description === ctx.cell.name);

function verifyListed(kind: string, found: { id: number; status: string } | undefined, state: ResourceState): string[] {
  if (!found) return [`${kind} ${state.id} is not on the simulator`];
  return found.status === state.outputs.status ? [] : [`status: state ${String(state.outputs.status)}, simulator ${found.status}`];
}

/** Restores the simulator accepted (their answers may have been lost): what "performed" means for a restore. */
function restoresTo(kit: HostKit, path: RegExp): string[] {
  return kit.server.requests
    .map((r: LoggedRequest, i) => ({ r, i }))
    .filter(({ r }) => r.method === "POST" && path.test(r.path) && (r.outcome === "handled" || r.outcome === "lostResponse"))
    .map(({ i }) => `request#${i}`);
}

const SYNC = "DELETE answers 204 at once: no operation to fail, hang or wait for";
const RESTORE_LEAVES_NO_TRACE =
  "a finished restore leaves a stopped server stopped (it stops the server first) and the API lists no restores: only a restore still under way (`restoring`), or a server that was running, shows whether it ran";

/** The fields of a row whose call starts a job of `kind`: the next such job fails (reporting `code`) or hangs. */
function jobFaults(kind: JobKind, code: RegExp) {
  return {
    failOperation: (kit: HostKit) => sim(kit).failNext(kind),
    failureCode: code,
    hangOperation: (kit: HostKit) => sim(kit).hangNext(kind),
  };
}

/** The fields of every Snapshot row: the cell's snapshot, by name, on a server made for the cell. */
const SNAPSHOT_ROW = {
  type: "Snapshot",
  kind: "object",
  operation: /snapshot/i,
  setup: (kit, cell) => newServer(kit, cell),
  inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
  live: (kit, ctx) => snapshotsOf(kit, ctx).map((s) => String(s.id)),
  verify: (kit, _ctx, state) => verifyListed("snapshot", sim(kit).snapshots.get(Number(state.id)), state),
} satisfies Partial<Scenario<Ctx>>;

/** The fields of every Backup row: the cell's backup, by description, on a server made for the cell. */
const BACKUP_ROW = {
  type: "Backup",
  kind: "object",
  operation: /backup/i,
  setup: (kit, cell) => newServer(kit, cell),
  inputs: (ctx, cell) => ({ serverId: ctx.serverId, description: cell.name, operationTimeout: T }),
  live: (kit, ctx) => backupsOf(kit, ctx).map((b) => String(b.id)),
  verify: (kit, _ctx, state) => verifyListed("backup", sim(kit).backups.get(Number(state.id)), state),
} satisfies Partial<Scenario<Ctx>>;

/** A restore row: `path` the restore call, `from` what the server is given to restore from. */
function restoreRow(call: string, type: string, path: RegExp, from: (kit: HostKit, ctx: Ctx) => Ctx, inputs: (ctx: Ctx) => PlainObject): Scenario {
  return row<Ctx>({
    ...jobFaults("restore", /error/),
    call,
    via: `${type} create`,
    type,
    step: "create",
    kind: "action",
    match: { path, method: "POST" },
    operation: /restore/i,
    cannotTell: RESTORE_LEAVES_NO_TRACE,
    deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
    repair: (kit, ctx, cell) => Object.assign(ctx, from(kit, newServer(kit, cell))),
    setup: (kit, cell) => from(kit, newServer(kit, cell)),
    inputs,
    live: (kit) => restoresTo(kit, path),
    verify: () => [],
  });
}

export function vpsorgScenarios(): Scenario[] {
  return [
    row<Ctx>({
      ...SNAPSHOT_ROW,
      ...jobFaults("snapshot", /failed/),
      call: "POST /snapshots/",
      via: "Snapshot create",
      step: "create",
      match: { path: /^\/api\/v1\/snapshots\/$/, method: "POST" },
      deleteOutOfBand: (kit, ctx) => snapshotsOf(kit, ctx).forEach((s) => sim(kit).removeSnapshot(s.id)),
      adopt: (ctx, cell, id) => ({ ...SNAPSHOT_ROW.inputs(ctx, cell), importFrom: id }),
    }),
    row<Ctx>({
      ...SNAPSHOT_ROW,
      call: "DELETE /snapshots/{id}/",
      via: "Snapshot delete",
      step: "delete",
      match: { path: /^\/api\/v1\/snapshots\/\d+\/$/, method: "DELETE" },
      na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
    }),
    row<Ctx>({
      ...BACKUP_ROW,
      ...jobFaults("backup", /failed/),
      call: "POST /backups/",
      via: "Backup create",
      step: "create",
      match: { path: /^\/api\/v1\/backups\/$/, method: "POST" },
      deleteOutOfBand: (kit, ctx) => backupsOf(kit, ctx).forEach((b) => sim(kit).removeBackup(b.id)),
      adopt: (ctx, cell, id) => ({ ...BACKUP_ROW.inputs(ctx, cell), importFrom: id }),
    }),
    row<Ctx>({
      ...BACKUP_ROW,
      call: "DELETE /backups/{id}/",
      via: "Backup delete",
      step: "delete",
      match: { path: /^\/api\/v1\/backups\/\d+\/$/, method: "DELETE" },
      na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
    }),
    restoreRow("POST /snapshots/{id}/restore/", "SnapshotRestore", /^\/api\/v1\/snapshots\/\d+\/restore\/$/, withSnapshot, (ctx) => ({
      snapshotId: String(ctx.snapshotId),
      confirm: true,
      operationTimeout: T,
    })),
    restoreRow("POST /servers/{id}/restore/", "BackupRestore", /^\/api\/v1\/servers\/\d+\/restore\/$/, withBackup, (ctx) => ({
      serverId: ctx.serverId,
      backupId: String(ctx.backupId),
      confirm: true,
      operationTimeout: T,
    })),
  ];
}

function withSnapshot(kit: HostKit, ctx: Ctx): Ctx {
  return { ...ctx, snapshotId: sim(kit).addSnapshot({ serverId: ctx.serverId, name: `snap-${ctx.cell.name}` }).id };
}

function withBackup(kit: HostKit, ctx: Ctx): Ctx {
  return { ...ctx, backupId: sim(kit).addBackup({ serverId: ctx.serverId }).id };
}
