/**
 * HOSTKEY rows of the fault matrix: the four mutating `vm` methods (create, remove and restore a
 * snapshot; the rotation settings). Every call is a form POST to /vm.php told apart by `action`. See
 * matrix.ts.
 */
import { hostkey } from "pulumi-vps";
import type { LoggedRequest } from "../../simulator/core/server";
import { HostkeySimulator } from "../../simulator/hostkey";
import type { ResourceState } from "../harness";
import { hostkeyHostOptions } from "../support/hostkey";
import { type Cell, type HostKit, MATRIX_OPERATION_TIMEOUT_SECONDS as T, type Scenario } from "./matrix";
import { actionCreate, row, startKitHost } from "./rows";

export interface HostkeyKit extends HostKit {
  sim: HostkeySimulator;
}

/** The simulator's queued task faults: private, cleared here between cells. */
interface SimInternals {
  taskFaults: Map<string, unknown[]>;
}

export async function startHostkeyKit(): Promise<HostkeyKit> {
  const sim = new HostkeySimulator({ operationDurationMs: 0, seed: false });
  const program = () => {
    new hostkey.Snapshot("Snapshot", { serverId: 1, name: "s" });
    new hostkey.SnapshotRestore("SnapshotRestore", { serverId: 1, name: "s", confirm: true });
    new hostkey.RestoreSettings("RestoreSettings", { serverId: 1, enableRotation: true, excludeFromRotation: [] });
  };
  const kitHost = await startKitHost("hostkey", sim, sim.server, hostkeyHostOptions, program);
  const internals = sim as unknown as SimInternals;
  return {
    ...kitHost,
    // The API key and every token the simulator ever issued.
    secrets: () => [sim.apiKey, sim.token, ...sim.state.tokens.keys()],
    reset() {
      internals.taskFaults.clear();
      // A hung task ends now (as it would on the host, eventually), so the VM is free for the next cell.
      for (const t of sim.state.tasks.values()) if (t.job.durationMs === Infinity) t.job.durationMs = 0;
      sim.state.tick();
      sim.setOperationDuration(0);
    },
    setOperationDuration: (ms) => sim.setOperationDuration(ms),
  };
}

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
  return sim(kit)
    .snapshots(ctx.serverId)
    .filter((s) => s.name === ctx.cell.name)
    .map((s) => s.name);
}

function verifySnapshot(kit: HostKit, ctx: Ctx, state: ResourceState): string[] {
  return snapshotsOf(kit, ctx).length === 1 && state.id === `${ctx.serverId}/${ctx.cell.name}` ? [] : [`snapshot ${state.id} is not listed on the simulator`];
}

function verifySettings(kit: HostKit, ctx: Ctx, state: ResourceState): string[] {
  if (!sim(kit).state.vms.has(ctx.serverId)) return [`server ${ctx.serverId} is not on the simulator`];
  const live = sim(kit).restoreSettings(ctx.serverId);
  const o = state.outputs;
  const same =
    live.enableRotation === o.enableRotation &&
    JSON.stringify([...live.excludeRotation].sort()) === JSON.stringify([...((o.excludeFromRotation as string[]) ?? [])].sort());
  return same ? [] : [`settings: state ${JSON.stringify([o.enableRotation, o.excludeFromRotation])}, simulator ${JSON.stringify(live)}`];
}

/** Calls of `action` the simulator accepted (their answers may have been lost). */
function accepted(kit: HostKit, action: string, serverId: number): string[] {
  return kit.server.requests
    .map((r: LoggedRequest, i) => ({ r, i }))
    .filter(({ r }) => {
      const form = new URLSearchParams(r.body);
      return (
        r.path === "/vm.php" &&
        form.get("action") === action &&
        form.get("id") === String(serverId) &&
        (r.outcome === "handled" || r.outcome === "lostResponse")
      );
    })
    .map(({ i }) => `request#${i}`);
}

const vmCall = (action: string) => ({ path: "/vm.php", method: "POST", param: { action } });

/** The fields of a row whose call starts a task `action`: the next such task fails with `message` (the error must carry `code`) or hangs. */
function taskFaults(action: string, message: string, code: RegExp) {
  return {
    failOperation: (kit: HostKit) => sim(kit).failNextTask(action, message),
    failureCode: code,
    hangOperation: (kit: HostKit) => sim(kit).hangNextTask(action),
  };
}

/** The fields of every Snapshot row: the cell's snapshot, by name, on a server made for the cell. */
const SNAPSHOT_ROW = {
  type: "Snapshot",
  kind: "object",
  setup: (kit, cell) => newServer(kit, cell),
  inputs: (ctx, cell) => ({ serverId: ctx.serverId, name: cell.name, operationTimeout: T }),
  live: (kit, ctx) => snapshotsOf(kit, ctx),
  verify: (kit, ctx, state) => verifySnapshot(kit, ctx, state),
} satisfies Partial<Scenario<Ctx>>;

/** A RestoreSettings row: create sets rotation, delete puts the defaults back. */
function settingsRow(step: "create" | "delete"): Scenario {
  return row<Ctx>({
    ...taskFaults("update_restore_settings", "settings store unavailable", /settings store unavailable/),
    call: "vm/update_restore_settings",
    via: step === "create" ? "RestoreSettings create" : "RestoreSettings delete (puts the defaults back)",
    type: "RestoreSettings",
    step,
    kind: "setting",
    match: vmCall("update_restore_settings"),
    operation: /settings|update_restore_settings/i,
    deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
    ...(step === "create" ? { repair: (kit: HostKit, ctx: Ctx, cell: Cell) => void Object.assign(ctx, newServer(kit, cell)) } : {}),
    setup: (kit, cell) => newServer(kit, cell),
    inputs: (ctx) => ({ serverId: ctx.serverId, enableRotation: true, excludeFromRotation: ["keep-me"], operationTimeout: T }),
    live: () => [],
    verify: (kit, ctx, state) => verifySettings(kit, ctx, state),
  });
}

export function hostkeyScenarios(): Scenario[] {
  return [
    row<Ctx>({
      ...SNAPSHOT_ROW,
      ...taskFaults("create_snapshot", "not enough space on the storage", /not enough space/),
      call: "vm/create_snapshot",
      via: "Snapshot create",
      step: "create",
      match: vmCall("create_snapshot"),
      operation: /create_snapshot|snapshot/i,
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, newServer(kit, cell)),
      adopt: (ctx, cell) => ({ ...SNAPSHOT_ROW.inputs(ctx, cell), importFrom: `${ctx.serverId}/${cell.name}` }),
    }),
    row<Ctx>({
      ...SNAPSHOT_ROW,
      ...taskFaults("remove_snapshot", "snapshot is locked by a backup job", /locked by a backup job/),
      call: "vm/remove_snapshot",
      via: "Snapshot delete",
      step: "delete",
      match: vmCall("remove_snapshot"),
      operation: /remove_snapshot|snapshot/i,
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteSnapshot(ctx.serverId, ctx.cell.name),
    }),
    row<Ctx>({
      ...taskFaults("restore_snapshot", "hypervisor refused the restore", /hypervisor refused/),
      ...actionCreate("SnapshotRestore", "vm/restore_snapshot"),
      match: vmCall("restore_snapshot"),
      operation: /restore/i,
      cannotTell:
        "a restored VM lists the same snapshots as before and invapi lists no tasks of a VM: once its task has ended, a restore whose answer never came cannot be seen",
      deleteOutOfBand: (kit, ctx) => sim(kit).deleteServer(ctx.serverId),
      repair: (kit, ctx, cell) => Object.assign(ctx, newServer(kit, cell, true)),
      setup: (kit, cell) => newServer(kit, cell, true),
      inputs: (ctx) => ({ serverId: ctx.serverId, name: ctx.snapshot, confirm: true, operationTimeout: T }),
      live: (kit, ctx) => accepted(kit, "restore_snapshot", ctx.serverId),
      verify: () => [],
    }),
    settingsRow("create"),
    settingsRow("delete"),
  ];
}
