/**
 * VPS.org rows of the fault matrix: its four mutating POSTs and two DELETEs. See matrix.ts.
 */
import { vpsorg } from "pulumi-vps";
import type { SimJob } from "../../simulator/core/clock";
import type { LoggedRequest } from "../../simulator/core/server";
import { VpsorgSimulator } from "../../simulator/vpsorg";
import { captureResources, DynamicProviderHost, findResource, type ResourceState } from "../harness";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";

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
  const captured = await captureResources(() => {
    new vpsorg.Snapshot("Snapshot", { serverId: 1, name: "s" });
    new vpsorg.Backup("Backup", { serverId: 1 });
    new vpsorg.SnapshotRestore("SnapshotRestore", { snapshotId: "1", confirm: true });
    new vpsorg.BackupRestore("BackupRestore", { serverId: 1, backupId: "1", confirm: true });
  });
  const providers: Record<string, string> = {};
  for (const t of ["Snapshot", "Backup", "SnapshotRestore", "BackupRestore"]) providers[t] = findResource(captured, t).serializedProvider!;
  const host = await DynamicProviderHost.start({
    config: { "vpsorg:token": sim.token, "vpsorg:endpoint": sim.endpoint, "vpsorg:maxRequestsPerSecond": "1000" },
    secretKeys: ["vpsorg:token"],
  });
  const internals = sim as unknown as SimInternals;
  return {
    name: "vpsorg",
    sim,
    host,
    server: sim.http,
    providers,
    secrets: () => [sim.token],
    reset() {
      sim.http.clearFaults();
      sim.http.clearHooks();
      for (const k of Object.keys(internals.pendingOutcomes)) internals.pendingOutcomes[k] = [];
      // A hung job ends now (as the host would, eventually), so the next cell starts from a quiet account.
      for (const j of internals.jobs) j.durationMs = 0;
      sim.settle();
      sim.durations = { snapshot: 0, backup: 0, restore: 0 };
    },
    setOperationDuration: (ms) => {
      sim.durations = { snapshot: ms, backup: ms, restore: ms };
    },
    async stop() {
      await host.stop();
      await sim.stop();
    },
  };
}

const scenario = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;
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

export function vpsorgScenarios(): Scenario[] {
  return [
    scenario<Ctx>({
      call: "POST /snapshots/",
      via: "Snapshot create",
      type: "Snapshot",
      step: "create",
      kind: "object",
      match: { path: /^\/api\/v1\/snapshots\/$/, method: "POST" },
      operation: /snapshot/i,
      failOperation: (kit) => sim(kit).failNext("snapshot"),
      failureCode: /failed/,
      hangOperation: (kit) => sim(kit).hangNext("snapshot"),
      deleteOutOfBand: (kit, ctx) => snapshotsOf(kit, ctx).forEach((s) => sim(kit).removeSnapshot(s.id)),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
      adopt: (ctx, cell, id) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T, importFrom: id }),
      live: (kit, ctx) => snapshotsOf(kit, ctx).map((s) => String(s.id)),
      verify: (kit, _ctx, state) => verifyListed("snapshot", sim(kit).snapshots.get(Number(state.id)), state),
    }),
    scenario<Ctx>({
      call: "DELETE /snapshots/{id}/",
      via: "Snapshot delete",
      type: "Snapshot",
      step: "delete",
      kind: "object",
      match: { path: /^\/api\/v1\/snapshots\/\d+\/$/, method: "DELETE" },
      operation: /snapshot/i,
      na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
      live: (kit, ctx) => snapshotsOf(kit, ctx).map((s) => String(s.id)),
      verify: (kit, _ctx, state) => verifyListed("snapshot", sim(kit).snapshots.get(Number(state.id)), state),
    }),
    scenario<Ctx>({
      call: "POST /backups/",
      via: "Backup create",
      type: "Backup",
      step: "create",
      kind: "object",
      match: { path: /^\/api\/v1\/backups\/$/, method: "POST" },
      operation: /backup/i,
      failOperation: (kit) => sim(kit).failNext("backup"),
      failureCode: /failed/,
      hangOperation: (kit) => sim(kit).hangNext("backup"),
      deleteOutOfBand: (kit, ctx) => backupsOf(kit, ctx).forEach((b) => sim(kit).removeBackup(b.id)),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, description: cell.name, operationTimeout: T }),
      adopt: (ctx, cell, id) => ({ serverId: ctx.serverId, description: cell.name, operationTimeout: T, importFrom: id }),
      live: (kit, ctx) => backupsOf(kit, ctx).map((b) => String(b.id)),
      verify: (kit, _ctx, state) => verifyListed("backup", sim(kit).backups.get(Number(state.id)), state),
    }),
    scenario<Ctx>({
      call: "DELETE /backups/{id}/",
      via: "Backup delete",
      type: "Backup",
      step: "delete",
      kind: "object",
      match: { path: /^\/api\/v1\/backups\/\d+\/$/, method: "DELETE" },
      operation: /backup/i,
      na: { opError: SYNC, timeout: SYNC, deletedMidWait: SYNC },
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, description: cell.name, operationTimeout: T }),
      live: (kit, ctx) => backupsOf(kit, ctx).map((b) => String(b.id)),
      verify: (kit, _ctx, state) => verifyListed("backup", sim(kit).backups.get(Number(state.id)), state),
    }),
    scenario<Ctx>({
      call: "POST /snapshots/{id}/restore/",
      via: "SnapshotRestore create",
      type: "SnapshotRestore",
      step: "create",
      kind: "action",
      match: { path: /^\/api\/v1\/snapshots\/\d+\/restore\/$/, method: "POST" },
      operation: /restore/i,
      cannotTell: RESTORE_LEAVES_NO_TRACE,
      failOperation: (kit) => sim(kit).failNext("restore"),
      failureCode: /error/,
      hangOperation: (kit) => sim(kit).hangNext("restore"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, withSnapshot(kit, newServer(kit, cell))),
      setup: (kit, cell) => withSnapshot(kit, newServer(kit, cell)),
      inputs: (ctx) => ({ snapshotId: String(ctx.snapshotId), confirm: true, operationTimeout: T }),
      live: (kit) => restoresTo(kit, /^\/api\/v1\/snapshots\/\d+\/restore\/$/),
      verify: () => [],
    }),
    scenario<Ctx>({
      call: "POST /servers/{id}/restore/",
      via: "BackupRestore create",
      type: "BackupRestore",
      step: "create",
      kind: "action",
      match: { path: /^\/api\/v1\/servers\/\d+\/restore\/$/, method: "POST" },
      operation: /restore/i,
      cannotTell: RESTORE_LEAVES_NO_TRACE,
      failOperation: (kit) => sim(kit).failNext("restore"),
      failureCode: /error/,
      hangOperation: (kit) => sim(kit).hangNext("restore"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, withBackup(kit, newServer(kit, cell))),
      setup: (kit, cell) => withBackup(kit, newServer(kit, cell)),
      inputs: (ctx) => ({ serverId: ctx.serverId, backupId: String(ctx.backupId), confirm: true, operationTimeout: T }),
      live: (kit) => restoresTo(kit, /^\/api\/v1\/servers\/\d+\/restore\/$/),
      verify: () => [],
    }),
  ];
}

function withSnapshot(kit: HostKit, ctx: Ctx): Ctx {
  return { ...ctx, snapshotId: sim(kit).addSnapshot({ serverId: ctx.serverId, name: `snap-${ctx.cell.name}` }).id };
}

function withBackup(kit: HostKit, ctx: Ctx): Ctx {
  return { ...ctx, backupId: sim(kit).addBackup({ serverId: ctx.serverId }).id };
}
