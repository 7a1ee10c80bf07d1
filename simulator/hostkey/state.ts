import { randomBytes } from "node:crypto";
import { type SimClock, SimJob } from "../core/clock";

/**
 * The HOSTKEY simulator's records: VMs with a power state, snapshots per type, restore settings per
 * type, tasks addressed by callback keys, and issued tokens. Field names of what is sent follow the
 * defensive readings in provider/hostkey/README.md; fields only the simulator uses are marked.
 */

export const DEFAULT_TYPE = "snapshot";

export type Power = "on" | "off";

export interface SnapshotRecord {
  name: string;
  type: string;
  snapshotId: string;
  /** `date` as sent: "YYYY-MM-DD HH:MM:SS" (UTC). */
  date: string;
  /** Simulator only: when it shows in get_snapshot (a new snapshot is listed a little after its task's OK). */
  visibleAt: number;
  /** Simulator only: when it leaves get_snapshot after a removal task's OK. */
  hiddenAt?: number;
  /** Simulator only: creation order, for rotation. */
  seq: number;
}

export interface RestoreSettingsRecord {
  enableRotation: boolean;
  excludeRotation: string[];
}

export interface RestoreRecord {
  name: string;
  type: string;
  at: number;
}

export interface VmRecord {
  id: number;
  power: Power;
  snapshots: SnapshotRecord[];
  settings: Map<string, RestoreSettingsRecord>;
  restores: RestoreRecord[];
}

export type TaskFailureVia = "result" | "context";

export interface TaskRecord {
  key: string;
  action: string;
  vmId: number;
  job: SimJob;
  /** The `context` of the OK answer, computed when it is given. */
  context: () => unknown;
  failure?: { message: string; via: TaskFailureVia };
  /** Whether it holds its VM busy until it ends (mutating tasks). */
  exclusive: boolean;
}

export interface TokenRecord {
  expiresAt: number;
}

export function phpDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "");
}

export function newKey(): string {
  return randomBytes(16).toString("hex");
}

export class HostkeyState {
  readonly vms = new Map<number, VmRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  private seq = 0;
  private snapshotIds = 7000;

  constructor(readonly clock: SimClock) {}

  addVm(id: number, power: Power = "on"): VmRecord {
    const vm: VmRecord = { id, power, snapshots: [], settings: new Map(), restores: [] };
    this.vms.set(id, vm);
    return vm;
  }

  settingsOf(vm: VmRecord, type: string): RestoreSettingsRecord {
    let s = vm.settings.get(type);
    if (!s) {
      s = { enableRotation: false, excludeRotation: [] };
      vm.settings.set(type, s);
    }
    return s;
  }

  /** Snapshots get_snapshot shows now. */
  visibleSnapshots(vm: VmRecord, type: string): SnapshotRecord[] {
    const now = this.clock.now();
    return vm.snapshots.filter((s) => s.type === type && s.visibleAt <= now && (s.hiddenAt === undefined || s.hiddenAt > now));
  }

  addSnapshot(vm: VmRecord, name: string, type: string, visibleAt: number, date?: string): SnapshotRecord {
    const record: SnapshotRecord = { name, type, snapshotId: String(++this.snapshotIds), date: date ?? phpDate(this.clock.now()), visibleAt, seq: ++this.seq };
    vm.snapshots.push(record);
    return record;
  }

  /**
   * Rotation: with `enable_rotation` on, a VM keeps at most `keep` snapshots of a type that are not
   * excluded; the oldest such go first. Runs when a snapshot is created.
   */
  rotate(vm: VmRecord, type: string, keep: number): SnapshotRecord[] {
    const settings = this.settingsOf(vm, type);
    if (!settings.enableRotation) return [];
    const now = this.clock.now();
    const rotatable = vm.snapshots
      .filter((s) => s.type === type && s.hiddenAt === undefined && !settings.excludeRotation.includes(s.name))
      .sort((a, b) => a.seq - b.seq);
    const dropped = rotatable.slice(0, Math.max(0, rotatable.length - keep));
    for (const s of dropped) s.hiddenAt = now;
    return dropped;
  }

  /** Forgets snapshots whose removal is visible. */
  purge(vm: VmRecord): void {
    const now = this.clock.now();
    vm.snapshots = vm.snapshots.filter((s) => s.hiddenAt === undefined || s.hiddenAt > now);
  }

  startTask(action: string, vmId: number, durationMs: number, exclusive: boolean, effect: () => void, context: () => unknown): TaskRecord {
    const key = newKey();
    const job = new SimJob(key, action, this.clock, this.clock.now(), durationMs, effect);
    const task: TaskRecord = { key, action, vmId, job, context, exclusive };
    this.tasks.set(key, task);
    return task;
  }

  /** Ends every task that is due (tasks run on their own, whether or not anyone polls their key). */
  tick(): void {
    for (const t of this.tasks.values()) t.job.done();
    for (const vm of this.vms.values()) this.purge(vm);
  }

  /** A running exclusive task of the VM, if any. */
  busyWith(vmId: number): TaskRecord | undefined {
    for (const t of this.tasks.values()) if (t.vmId === vmId && t.exclusive && !t.job.done()) return t;
    return undefined;
  }

  issueToken(lifetimeMs: number): { token: string; expiresAt: number } {
    const token = `hk-${newKey()}`;
    const expiresAt = this.clock.now() + lifetimeMs;
    this.tokens.set(token, { expiresAt });
    return { token, expiresAt };
  }

  tokenValid(token: string | null): boolean {
    if (!token) return false;
    const t = this.tokens.get(token);
    return !!t && t.expiresAt > this.clock.now();
  }
}
