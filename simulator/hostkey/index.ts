import { SimClock } from "../core/clock";
import { SimulatorServer } from "../core/server";
import { handleRequest, type HostkeyContext, listingView } from "./routes";
import { DEFAULT_TYPE, HostkeyState, type Power, type RestoreRecord, type TaskFailureVia, type VmRecord } from "./state";

export { SIM_ERRORS, phpList } from "./routes";
export type { Power, RestoreRecord } from "./state";

export interface HostkeySimulatorOptions {
  /** The account's API key (what `auth.php` `action=login` accepts as `key`). */
  apiKey?: string;
  /** A pre-issued token that never expires (until `expireTokens`), for `hostkey:token` users. */
  token?: string;
  /** How long each task takes, ms (default 1500: a quick demo; tests use 20–100). */
  operationDurationMs?: number;
  /** How long after its task's OK a new snapshot shows in get_snapshot (and a removed one leaves it); default half the task duration. */
  listingDelayMs?: number;
  /** Longest token the host grants, whatever `ttl` is asked (default 3600 s). */
  maxTokenLifetimeSeconds?: number;
  /** Which of the two documented login answers to give (default "nested"). */
  loginShape?: "flat" | "nested";
  /** get_snapshot answers with the listing ("direct", default) or with a task key (the older doc page). */
  getSnapshotAnswer?: "direct" | "callback";
  /** update_restore_settings answers with a task key ("callback", default) or a plain OK ("direct"). */
  settingsAnswer?: "direct" | "callback";
  /** With rotation on, how many non-excluded snapshots of a type a VM keeps (default 3). */
  rotationKeep?: number;
  /** Seed the two demo VMs (1001 powered off, 1002 running); default true. */
  seed?: boolean;
}

export interface SnapshotInfo {
  name: string;
  type: string;
  snapshotId: string;
  date: string;
}

type TaskFault = { kind: "fail"; message: string; via: TaskFailureVia } | { kind: "hang" };

/**
 * A local HOSTKEY invapi (`vm` methods, login, task keys) over real HTTP on 127.0.0.1, with a control
 * interface for tests: VMs and snapshots changed out of band, tasks that fail or hang, token expiry,
 * and a clock to advance. See routes.ts for the protocol, state.ts for the records.
 */
export class HostkeySimulator {
  static readonly DEFAULT_API_KEY = "hostkey-sim-key-3c9d51e07a2b4f68";
  static readonly DEFAULT_TOKEN = "hostkey-sim-token-5e1f0a9b8c7d6e24";
  static readonly DEFAULT_OPERATION_DURATION_MS = 1500;
  /** The seeded VMs: one powered off (snapshots can be removed), one running. */
  static readonly VM_OFF = 1001;
  static readonly VM_ON = 1002;

  readonly apiKey: string;
  readonly token: string;
  readonly clock = new SimClock();
  readonly server: SimulatorServer;
  readonly state: HostkeyState;
  endpoint = "";

  private durationMs: number;
  private listingDelayMs: number | undefined;
  private getSnapshotAnswer: "direct" | "callback";
  private settingsAnswer: "direct" | "callback";
  private rotationKeep: number;
  private readonly taskFaults = new Map<string, TaskFault[]>();

  constructor(opts: HostkeySimulatorOptions = {}) {
    this.apiKey = opts.apiKey ?? HostkeySimulator.DEFAULT_API_KEY;
    this.token = opts.token ?? HostkeySimulator.DEFAULT_TOKEN;
    this.durationMs = opts.operationDurationMs ?? HostkeySimulator.DEFAULT_OPERATION_DURATION_MS;
    this.listingDelayMs = opts.listingDelayMs;
    this.getSnapshotAnswer = opts.getSnapshotAnswer ?? "direct";
    this.settingsAnswer = opts.settingsAnswer ?? "callback";
    this.rotationKeep = opts.rotationKeep ?? 3;
    this.state = new HostkeyState(this.clock);
    this.state.tokens.set(this.token, { expiresAt: Infinity });
    if (opts.seed ?? true) {
      this.state.addVm(HostkeySimulator.VM_OFF, "off");
      this.state.addVm(HostkeySimulator.VM_ON, "on");
    }
    const ctx: HostkeyContext = {
      state: this.state,
      apiKey: this.apiKey,
      durationMs: () => this.durationMs,
      listingDelayMs: () => this.listingDelayMs ?? Math.floor(this.durationMs / 2),
      maxTokenLifetimeSeconds: opts.maxTokenLifetimeSeconds ?? 3600,
      loginShape: opts.loginShape ?? "nested",
      getSnapshotAnswer: () => this.getSnapshotAnswer,
      settingsAnswer: () => this.settingsAnswer,
      rotationKeep: () => this.rotationKeep,
      nextTaskFault: (action) => this.taskFaults.get(action)?.shift(),
    };
    // Every token ever issued is a secret for the request log, as is the API key.
    this.server = new SimulatorServer(
      (req) => handleRequest(ctx, req),
      () => [this.apiKey, ...this.state.tokens.keys()],
    );
  }

  async start(port = 0): Promise<string> {
    this.endpoint = await this.server.start(port);
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The settings a client needs, under the provider's environment variable names. */
  env(): Record<string, string> {
    return { HOSTKEY_ENDPOINT: this.endpoint, HOSTKEY_API_KEY: this.apiKey };
  }

  // ------------------------------------------------------------------ timing

  setOperationDuration(ms: number): void {
    this.durationMs = ms;
  }

  setListingDelay(ms: number | undefined): void {
    this.listingDelayMs = ms;
  }

  setGetSnapshotAnswer(mode: "direct" | "callback"): void {
    this.getSnapshotAnswer = mode;
  }

  setSettingsAnswer(mode: "direct" | "callback"): void {
    this.settingsAnswer = mode;
  }

  setRotationKeep(n: number): void {
    this.rotationKeep = n;
  }

  // ------------------------------------------------------------------ faults

  /** The next task of `action` ends in failure: `result: "Error"` (via "result") or `OK` with an error in its context. */
  failNextTask(action: string, message: string, via: TaskFailureVia = "result"): void {
    this.queueFault(action, { kind: "fail", message, via });
  }

  /** The next task of `action` never finishes (timeouts). */
  hangNextTask(action: string): void {
    this.queueFault(action, { kind: "hang" });
  }

  private queueFault(action: string, fault: TaskFault): void {
    const q = this.taskFaults.get(action) ?? [];
    q.push(fault);
    this.taskFaults.set(action, q);
  }

  /** Every issued token (and the pre-issued one) is refused from now on with "Invalid token". */
  expireTokens(): void {
    for (const t of this.state.tokens.values()) t.expiresAt = this.clock.now();
  }

  /** Tasks whose keys are still live: action, VM and whether they have ended. */
  tasks(): Array<{ key: string; action: string; vmId: number; done: boolean }> {
    return [...this.state.tasks.values()].map((t) => ({ key: t.key, action: t.action, vmId: t.vmId, done: t.job.done() }));
  }

  // ------------------------------------------------------------------ out-of-band changes (as in the panel)

  addServer(id: number, power: Power = "on"): void {
    this.state.addVm(id, power);
  }

  deleteServer(id: number): void {
    this.state.vms.delete(id);
  }

  setPower(id: number, power: Power): void {
    this.vm(id).power = power;
  }

  addSnapshot(serverId: number, name: string, opts: { type?: string; date?: string } = {}): SnapshotInfo {
    const s = this.state.addSnapshot(this.vm(serverId), name, opts.type ?? DEFAULT_TYPE, this.clock.now(), opts.date);
    return { name: s.name, type: s.type, snapshotId: s.snapshotId, date: s.date };
  }

  deleteSnapshot(serverId: number, name: string, type = DEFAULT_TYPE): void {
    const vm = this.vm(serverId);
    vm.snapshots = vm.snapshots.filter((s) => !(s.name === name && s.type === type));
  }

  setRestoreSettings(serverId: number, settings: { enableRotation: boolean; excludeRotation: string[] }, type = DEFAULT_TYPE): void {
    this.vm(serverId).settings.set(type, { enableRotation: settings.enableRotation, excludeRotation: [...settings.excludeRotation] });
  }

  // ------------------------------------------------------------------ reading state

  /** Snapshots get_snapshot would list now. */
  snapshots(serverId: number, type = DEFAULT_TYPE): SnapshotInfo[] {
    this.state.tick();
    return this.state.visibleSnapshots(this.vm(serverId), type).map((s) => ({ name: s.name, type: s.type, snapshotId: s.snapshotId, date: s.date }));
  }

  restoreSettings(serverId: number, type = DEFAULT_TYPE): { enableRotation: boolean; excludeRotation: string[] } {
    const s = this.state.settingsOf(this.vm(serverId), type);
    return { enableRotation: s.enableRotation, excludeRotation: [...s.excludeRotation] };
  }

  restores(serverId: number): RestoreRecord[] {
    this.state.tick();
    return [...this.vm(serverId).restores];
  }

  /** The body get_snapshot would send now. */
  listing(serverId: number, type = DEFAULT_TYPE): unknown {
    this.state.tick();
    const vm = this.vm(serverId);
    return listingView({ state: this.state } as HostkeyContext, vm, type);
  }

  private vm(id: number): VmRecord {
    const vm = this.state.vms.get(id);
    if (!vm) throw new Error(`hostkey simulator: no VM ${id}`);
    return vm;
  }
}
