/**
 * VPS.org rows of the fault matrix: its four mutating POSTs and two DELETEs. See matrix.ts.
 */
import { vpsorg } from "pulumi-vps";
import type { SimJob } from "../../simulator/core/clock";
import type { LoggedRequest } from "../../simulator/core/server";
import { type JobKind, VpsorgSimulator } from "../../simulator/vpsorg";
import type { ResourceState } from "../harness";
import type { PlainObject } from "../harness/protocol";
import { vpsorgBusyHostOptions } from "../support/vpsorg";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";
import { actionCreate, row, startKitHost } from "./rows";

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
  const program = () => {
    new vpsorg.Snapshot("Snapshot", { serverId: 1, name: "s" });
    new vpsorg.Backup("Backup", { serverId: 1 });
    new vpsorg.SnapshotRestore("SnapshotRestore", { snapshotId: "1", confirm: true });
    new vpsorg.BackupRestore("BackupRestore", { serverId: 1, backupId: "1", confirm: true });
  };
  const kitHost = await startKitHost("vpsorg", sim, sim.http, vpsorgBusyHostOptions, program);
  const internals = sim as unknown as SimInternals;
  return {
    ...kitHost,
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

/** A restore row: `path` the restore call, `from` what the server is given to restore from. */
function restoreRow(call: string, type: string, path: RegExp, from: (kit: HostKit, ctx: Ctx) => Ctx, inputs: (ctx: Ctx) => PlainObject): Scenario {
  return row<Ctx>({
    ...jobFaults("restore", /error/),
    ...actionCreate(type, call),
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

/**
 * The two objects a job makes and the API lists: the input that carries the cell's name (by which
 * `ofCell` finds the cell's objects on a server made for the cell), and the panel's delete.
 */
const LISTED_OBJECTS = {
  snapshot: { type: "Snapshot", nameInput: "name", ofCell: snapshotsOf, removeOutOfBand: (kit: HostKit, id: number) => sim(kit).removeSnapshot(id) },
  backup: { type: "Backup", nameInput: "description", ofCell: backupsOf, removeOutOfBand: (kit: HostKit, id: number) => sim(kit).removeBackup(id) },
};

/** The create row (POST starts a job) and the delete row (DELETE answers at once) of a listed object. */
function listedObjectRows(kind: keyof typeof LISTED_OBJECTS): Scenario[] {
  const { type, nameInput, ofCell, removeOutOfBand } = LISTED_OBJECTS[kind];
  const fields = {
    type,
    kind: "object",
    operation: new RegExp(kind, "i"),
    setup: (kit, cell) => newServer(kit, cell),
    inputs: (ctx, cell) => ({ serverId: ctx.serverId, [nameInput]: cell.name, operationTimeout: T }),
    live: (kit, ctx) => ofCell(kit, ctx).map((o) => String(o.id)),
    verify: (kit, _ctx, state) => verifyListed(kind, sim(kit)[`${kind}s` as const].get(Number(state.id)), state),
  } satisfies Partial<Scenario<Ctx>>;
  return [
    row<Ctx>({
      ...fields,
      ...jobFaults(kind, /failed/),
      call: `POST /${kind}s/`,
      via: `${type} create`,
      step: "create",
      match: { path: new RegExp(`^/api/v1/${kind}s/$`), method: "POST" },
      deleteOutOfBand: (kit, ctx) => ofCell(kit, ctx).forEach((o) => removeOutOfBand(kit, o.id)),
      adopt: (ctx, cell, id) => ({ ...fields.inputs(ctx, cell), importFrom: id }),
    }),
    row<Ctx>({
      ...fields,
      call: `DELETE /${kind}s/{id}/`,
      via: `${type} delete`,
      step: "delete",
      match: { path: new RegExp(`^/api/v1/${kind}s/\\d+/$`), method: "DELETE" },
      na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
    }),
  ];
}

export function vpsorgScenarios(): Scenario[] {
  return [
    ...listedObjectRows("snapshot"),
    ...listedObjectRows("backup"),
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
