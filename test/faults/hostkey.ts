/**
 * HOSTKEY rows of the fault matrix: the four mutating `vm` methods (create, remove and restore a
 * snapshot; the rotation settings). Every call is a form POST to /vm.php told apart by `action`. See
 * matrix.ts.
 */
import { hostkey } from "pulumi-vps";
import type { LoggedRequest } from "../../simulator/core/server";
import { HostkeySimulator } from "../../simulator/hostkey";
import { captureResources, DynamicProviderHost, findResource, type ResourceState } from "../harness";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";

export interface HostkeyKit extends HostKit {
  sim: HostkeySimulator;
}

/** The simulator's queued task faults: private, cleared here between cells. */
interface SimInternals {
  taskFaults: Map<string, unknown[]>;
}

export async function startHostkeyKit(): Promise<HostkeyKit> {
  const sim = new HostkeySimulator({ operationDurationMs: 0, seed: false });
  await sim.start();
  const captured = await captureResources(() => {
    new hostkey.Snapshot("Snapshot", { serverId: 1, name: "s" });
    new hostkey.SnapshotRestore("SnapshotRestore", { serverId: 1, name: "s", confirm: true });
    new hostkey.RestoreSettings("RestoreSettings", { serverId: 1, enableRotation: true, excludeFromRotation: [] });
  });
  const providers: Record<string, string> = {};
  for (const t of ["Snapshot", "SnapshotRestore", "RestoreSettings"]) providers[t] = findResource(captured, t).serializedProvider!;
  const host = await DynamicProviderHost.start({
    config: { "hostkey:apiKey": sim.apiKey, "hostkey:endpoint": sim.endpoint, "hostkey:maxRequestsPerSecond": "1000" },
    secretKeys: ["hostkey:apiKey"],
  });
  const internals = sim as unknown as SimInternals;
  return {
    name: "hostkey",
    sim,
    host,
    server: sim.server,
    providers,
    // The API key and every token the simulator ever issued.
    secrets: () => [sim.apiKey, sim.token, ...sim.state.tokens.keys()],
    reset() {
      sim.server.clearFaults();
      sim.server.clearHooks();
      internals.taskFaults.clear();
      // A hung task ends now (as it would on the host, eventually), so the VM is free for the next cell.
      for (const t of sim.state.tasks.values()) if (t.job.durationMs === Infinity) t.job.durationMs = 0;
      sim.state.tick();
      sim.setOperationDuration(0);
    },
    setOperationDuration: (ms) => sim.setOperationDuration(ms),
    async stop() {
      await host.stop();
      await sim.stop();
    },
  };
}

const scenario = <C>(s: Scenario<C>): Scenario => s as unknown as Scenario;
const sim = (kit: HostKit) => (kit as HostkeyKit).sim;

interface Ctx {
  cell: Cell;
  serverId: number;
  snapshot?: string;
}

let nextServer = 5000;
function newServer(kit: HostKit, cell: Cell, snapshot = false): Ctx {
  const serverId = nextServer++;
  // Powered off: a snapshot can only be removed from a stopped VM.
  sim(kit).addServer(serverId, "off");
  const ctx: Ctx = { cell, serverId };
  if (snapshot) ctx.snapshot = sim(kit).addSnapshot(serverId, `s-${cell.name}`).name;
  return ctx;
}

function snapshotsOf(kit: HostKit, ctx: Ctx): string[] {
  if (!sim(kit).state.vms.has(ctx.serverId)) return [];
  return sim(kit).snapshots(ctx.serverId).filter((s) => s.name === ctx.cell.name).map((s) => s.name);
}

function verifySnapshot(kit: HostKit, ctx: Ctx, state: ResourceState): string[] {
  return snapshotsOf(kit, ctx).length === 1 && state.id === `${ctx.serverId}/${ctx.cell.name}` ? [] : [`snapshot ${state.id} is not listed on the simulator`];
}

function verifySettings(kit: HostKit, ctx: Ctx, state: ResourceState): string[] {
  if (!sim(kit).state.vms.has(ctx.serverId)) return [`server ${ctx.serverId} is not on the simulator`];
  const live = sim(kit).restoreSettings(ctx.serverId);
  const o = state.outputs;
  const same = live.enableRotation === o.enableRotation && JSON.stringify([...live.excludeRotation].sort()) === JSON.stringify([...((o.excludeFromRotation as string[]) ?? [])].sort());
  return same ? [] : [`settings: state ${JSON.stringify([o.enableRotation, o.excludeFromRotation])}, simulator ${JSON.stringify(live)}`];
}

/** Calls of `action` the simulator accepted (their answers may have been lost). */
function accepted(kit: HostKit, action: string, serverId: number): string[] {
  return kit.server.requests
    .map((r: LoggedRequest, i) => ({ r, i }))
    .filter(({ r }) => {
      const form = new URLSearchParams(r.body);
      return r.path === "/vm.php" && form.get("action") === action && form.get("id") === String(serverId) && (r.outcome === "handled" || r.outcome === "lostResponse");
    })
    .map(({ i }) => `request#${i}`);
}

const vmCall = (action: string) => ({ path: "/vm.php", method: "POST", param: { action } });

export function hostkeyScenarios(): Scenario[] {
  return [
    scenario<Ctx>({
      call: "vm/create_snapshot",
      via: "Snapshot create",
      type: "Snapshot",
      step: "create",
      kind: "object",
      match: vmCall("create_snapshot"),
      operation: /create_snapshot|snapshot/i,
      failOperation: (kit) => sim(kit).failNextTask("create_snapshot", "not enough space on the storage"),
      failureCode: /not enough space/,
      hangOperation: (kit) => sim(kit).hangNextTask("create_snapshot"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, newServer(kit, cell)),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
      adopt: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T, importFrom: `${ctx.serverId}/${cell.name}` }),
      live: (kit, ctx) => snapshotsOf(kit, ctx),
      verify: (kit, ctx, state) => verifySnapshot(kit, ctx, state),
    }),
    scenario<Ctx>({
      call: "vm/remove_snapshot",
      via: "Snapshot delete",
      type: "Snapshot",
      step: "delete",
      kind: "object",
      match: vmCall("remove_snapshot"),
      operation: /remove_snapshot|snapshot/i,
      failOperation: (kit) => sim(kit).failNextTask("remove_snapshot", "snapshot is locked by a backup job"),
      failureCode: /locked by a backup job/,
      hangOperation: (kit) => sim(kit).hangNextTask("remove_snapshot"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteSnapshot(ctx.serverId, ctx.cell.name),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
      live: (kit, ctx) => snapshotsOf(kit, ctx),
      verify: (kit, ctx, state) => verifySnapshot(kit, ctx, state),
    }),
    scenario<Ctx>({
      call: "vm/restore_snapshot",
      via: "SnapshotRestore create",
      type: "SnapshotRestore",
      step: "create",
      kind: "action",
      match: vmCall("restore_snapshot"),
      operation: /restore/i,
      cannotTell: "a restored VM lists the same snapshots as before and invapi lists no tasks of a VM: once its task has ended, a restore whose answer never came cannot be seen",
      failOperation: (kit) => sim(kit).failNextTask("restore_snapshot", "hypervisor refused the restore"),
      failureCode: /hypervisor refused/,
      hangOperation: (kit) => sim(kit).hangNextTask("restore_snapshot"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, newServer(kit, cell, true)),
      setup: (kit, cell) => newServer(kit, cell, true),
      inputs: (ctx) => ({ serverId: ctx.serverId, name: ctx.snapshot, confirm: true, operationTimeout: T }),
      live: (kit, ctx) => accepted(kit, "restore_snapshot", ctx.serverId),
      verify: () => [],
    }),
    scenario<Ctx>({
      call: "vm/update_restore_settings",
      via: "RestoreSettings create",
      type: "RestoreSettings",
      step: "create",
      kind: "setting",
      match: vmCall("update_restore_settings"),
      operation: /settings|update_restore_settings/i,
      failOperation: (kit) => sim(kit).failNextTask("update_restore_settings", "settings store unavailable"),
      failureCode: /settings store unavailable/,
      hangOperation: (kit) => sim(kit).hangNextTask("update_restore_settings"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, newServer(kit, cell)),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx) => ({ serverId: ctx.serverId, enableRotation: true, excludeFromRotation: ["keep-me"], operationTimeout: T }),
      live: () => [],
      verify: (kit, ctx, state) => verifySettings(kit, ctx, state),
    }),
    scenario<Ctx>({
      call: "vm/update_restore_settings",
      via: "RestoreSettings delete (puts the defaults back)",
      type: "RestoreSettings",
      step: "delete",
      kind: "setting",
      match: vmCall("update_restore_settings"),
      operation: /settings|update_restore_settings/i,
      failOperation: (kit) => sim(kit).failNextTask("update_restore_settings", "settings store unavailable"),
      failureCode: /settings store unavailable/,
      hangOperation: (kit) => sim(kit).hangNextTask("update_restore_settings"),
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      setup: (kit, cell) => newServer(kit, cell),
      inputs: (ctx) => ({ serverId: ctx.serverId, enableRotation: true, excludeFromRotation: ["keep-me"], operationTimeout: T }),
      live: () => [],
      verify: (kit, ctx, state) => verifySettings(kit, ctx, state),
    }),
  ];
}
