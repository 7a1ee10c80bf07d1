import { SimClock, SimJob } from "../core/clock";
import { type SimResponse, SimulatorServer } from "../core/server";
import {
  type ArchiveRequestRecord,
  type BackupRecord,
  cloneVm,
  isoDate,
  nanoDate,
  type RollbackRecord,
  type TaskRecord,
  type VmRecord,
  type VolumeRecord,
} from "./model";
import { API_BASE, handleRequest } from "./routes";

export type { ArchiveRequestRecord, BackupRecord, RollbackRecord, TaskRecord, VmRecord, VolumeRecord } from "./model";
export { API_BASE } from "./routes";

/**
 * A local NetAngels cloud VDS backups API: the vendor documentation's paths over real HTTP on 127.0.0.1, VMs whose
 * `state` moves through the documented transitional states over a set duration, backup listings with
 * nanosecond dates, VM and volume rollbacks, files listings and archive requests, plus a control
 * interface for tests (out-of-band changes, failing or hanging the next operation, faults through
 * `server.fail`, the request log).
 *
 * An operation (backup, rollback) runs like this, the defensive reading of the vendor documentation (the POST answers
 * with the VM, no task id):
 *   1. queued: the VM keeps its state and shows the task in `transitions` (first fifth of the duration);
 *   2. running: the VM is in the work state (Backuping / Restoring), the task still listed;
 *   3. done: the VM is back in the state it had, `transitions` is empty, and a backup's entries appear
 *      in the listings (dated when the backup started, with nine fractional digits);
 *      or failed: the VM is in `Error` (or the state `failNextOperation` names), the task kept with
 *      status `error`.
 */

/** Where an operation leaves the VM when it fails, and which operations to affect. */
export interface FailureSpec {
  vmId?: number;
  /** Default `Error`. */
  state?: string;
}

export interface VmInit {
  id?: number;
  name?: string;
  state?: string;
  /** Volume names (ids are allocated) or full records. */
  volumes?: Array<string | Partial<VolumeRecord>>;
  backups?: Array<Partial<BackupRecord>>;
  /** Empty turns the VM's backups off (it is then absent from `GET /cloud/backups/`). */
  backupSettings?: unknown[];
}

/** States in which the VM may start a backup or rollback (the provider's states.ts says why). */
const STEADY = new Set(["Active", "Stopped", "RescueMode"]);
const FAILURE = new Set(["Error", "StoppedByAdmin", "StoppedByService"]);

interface RunningOperation {
  vmId: number;
  workState: string;
  restingState: string;
  task: TaskRecord;
  job: SimJob;
  /** Until then the operation is queued (state unchanged, task listed); a hung operation leaves the queue too. */
  queuedUntil: number;
  failState?: string;
}

export class NetangelsSimulator {
  static readonly DEFAULT_TOKEN = "netangels-sim-token-3c9e1f7a5d2b";
  static readonly DEFAULT_OPERATION_DURATION_MS = 1500;
  /** The vendor documentation's example date: the demo VM has a backup dated exactly so. */
  static readonly SEED_BACKUP_DATE = "2024-11-29T04:26:40.900150729";
  static readonly SEED_VOLUME_BACKUP_DATE = "2024-11-29T04:26:41.000000017";

  readonly token: string;
  readonly clock = new SimClock();
  readonly server: SimulatorServer;
  /** Base URL ending in `/api/v1`, set by `start`. */
  endpoint = "";
  operationDurationMs: number;
  readonly rollbacks: RollbackRecord[] = [];
  readonly archiveRequests: ArchiveRequestRecord[] = [];

  private readonly vms = new Map<number, VmRecord>();
  private operations: RunningOperation[] = [];
  private nextVmId = 101;
  private nextVolumeId = 201;
  private nextTaskId = 1;
  private lastDate = { ms: 0, sub: 0 };
  private failNext: FailureSpec[] = [];
  private hangNext: Array<{ vmId?: number }> = [];

  constructor(opts: { token?: string; operationDurationMs?: number; seed?: boolean } = {}) {
    this.token = opts.token ?? NetangelsSimulator.DEFAULT_TOKEN;
    this.operationDurationMs = opts.operationDurationMs ?? NetangelsSimulator.DEFAULT_OPERATION_DURATION_MS;
    this.server = new SimulatorServer(
      (req) => handleRequest(this, req),
      () => [this.token],
    );
    if (opts.seed ?? true) this.seedDemo();
  }

  async start(port = 0): Promise<string> {
    const url = await this.server.start(port);
    this.endpoint = `${url}${API_BASE}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The settings a client needs, under the provider's environment variable names. */
  env(): Record<string, string> {
    return { NETANGELS_ENDPOINT: this.endpoint, NETANGELS_TOKEN: this.token };
  }

  /** Two VMs: 101 `web-1` (Active, volume 201 `data`, one backup each, dated as the vendor documentation's example) and 102 `db-1` (Stopped, backups off). */
  private seedDemo(): void {
    this.addVm({
      id: 101,
      name: "web-1",
      volumes: [{ id: 201, name: "data", backups: [] }],
      backups: [{ date: NetangelsSimulator.SEED_BACKUP_DATE }],
    });
    this.addBackup(101, { date: NetangelsSimulator.SEED_VOLUME_BACKUP_DATE, volumeId: 201 });
    this.addVm({ id: 102, name: "db-1", state: "Stopped", backupSettings: [] });
  }

  // ---- time and operations ----

  /** A new date, strictly later than every earlier one, with nine fractional digits. */
  nextDate(): string {
    let ms = this.clock.now();
    // The six digits below the millisecond: from the high-resolution clock, odd, so no trailing zero.
    let sub = Number(process.hrtime.bigint() % 1_000_000n) | 1;
    if (ms < this.lastDate.ms || (ms === this.lastDate.ms && sub <= this.lastDate.sub)) {
      ms = this.lastDate.ms;
      sub = this.lastDate.sub + 2;
      if (sub > 999_999) {
        ms += 1;
        sub = 1;
      }
    }
    this.lastDate = { ms, sub };
    return nanoDate(ms, sub);
  }

  /** Moves operations along: state changes when their time has come (every request and control call does this). */
  tick(): void {
    for (const op of [...this.operations]) {
      const vm = this.vms.get(op.vmId);
      if (!vm) {
        this.operations = this.operations.filter((o) => o !== op);
        continue;
      }
      if (op.job.done()) {
        this.operations = this.operations.filter((o) => o !== op);
        if (op.failState) {
          vm.state = op.failState;
          vm.transitions = [{ ...op.task, status: "error" }];
        } else {
          vm.state = op.restingState;
          vm.transitions = vm.transitions.filter((t) => t.id !== op.task.id);
        }
        vm.updated = isoDate(this.clock.now());
      } else if (vm.state !== op.workState && this.clock.now() >= op.queuedUntil) {
        vm.state = op.workState;
        op.task.status = "running";
        vm.transitions = vm.transitions.map((t) => (t.id === op.task.id ? { ...op.task } : t));
        vm.updated = isoDate(this.clock.now());
      }
    }
  }

  private takeSpec<T extends { vmId?: number }>(list: T[], vmId: number): T | undefined {
    const i = list.findIndex((s) => s.vmId === undefined || s.vmId === vmId);
    return i < 0 ? undefined : list.splice(i, 1)[0];
  }

  private runOperation(
    vm: VmRecord,
    type: string,
    workState: string,
    opts: { queuedFraction: number; durationMs?: number; restingState?: string; injectable: boolean },
    effect: () => void,
  ): RunningOperation {
    const now = this.clock.now();
    const task: TaskRecord = { id: this.nextTaskId++, type, status: opts.queuedFraction > 0 ? "queued" : "running", created: isoDate(now) };
    const durationMs = opts.durationMs ?? this.operationDurationMs;
    const job = new SimJob(String(task.id), type, this.clock, now, durationMs, effect);
    const op: RunningOperation = {
      vmId: vm.id,
      workState,
      restingState: opts.restingState ?? vm.state,
      task,
      job,
      queuedUntil: now + opts.queuedFraction * durationMs,
    };
    if (opts.injectable) {
      const fail = this.takeSpec(this.failNext, vm.id);
      if (fail) {
        op.failState = fail.state ?? "Error";
        job.failure = { code: op.failState, message: `${type} failed` };
      }
      if (this.takeSpec(this.hangNext, vm.id)) job.hang();
    }
    vm.transitions = [...vm.transitions, task];
    if (opts.queuedFraction <= 0) vm.state = workState;
    vm.updated = isoDate(now);
    this.operations.push(op);
    return op;
  }

  /** Why a backup or rollback is refused now, or undefined when it may start. */
  refusal(vm: VmRecord): SimResponse | undefined {
    if (FAILURE.has(vm.state)) return { status: 400, body: { detail: `VM is in state ${vm.state}.` } };
    if (!STEADY.has(vm.state) || vm.transitions.length > 0)
      return { status: 409, body: { detail: `VM is busy: state ${vm.state}, ${vm.transitions.length} pending task(s).` } };
    return undefined;
  }

  /** `POST /cloud/vms/{id}/backup/`: entries dated at the start appear when the backup ends. */
  startBackup(vm: VmRecord): void {
    const vmDate = this.nextDate();
    const volumeDates = vm.volumes.map(() => this.nextDate());
    this.runOperation(vm, "backup", "Backuping", { queuedFraction: 0.2, injectable: true }, () => {
      const live = this.vms.get(vm.id);
      if (!live) return;
      live.backups.push({ date: vmDate, resourceType: "VM", resourceName: live.name, virtualSize: live.diskSize * 1024 ** 3, files: vmFiles(live.name) });
      live.volumes.forEach((v, i) => {
        const entry: BackupRecord = {
          date: volumeDates[i],
          resourceType: "Volume",
          resourceName: v.name,
          virtualSize: v.size * 1024 ** 3,
          files: volumeFiles(v.name),
        };
        v.backups.push(entry);
        live.backups.push({ ...entry, files: [...entry.files] });
      });
    });
  }

  /** `POST` of a VM or volume rollback; recorded when requested, applied when it ends. */
  startRollback(vm: VmRecord, volumeId: number | undefined, requestedDate: string, backupDate: string): void {
    const record: RollbackRecord = { vmId: vm.id, volumeId, requestedDate, backupDate, at: this.clock.now() };
    this.rollbacks.push(record);
    this.runOperation(vm, "restore", "Restoring", { queuedFraction: 0.2, injectable: true }, () => undefined);
  }

  recordArchiveRequest(vmId: number, volumeId: number | undefined, date: string, files: string[]): void {
    this.archiveRequests.push({ vmId, volumeId, date, files: [...files], at: this.clock.now() });
  }

  // ---- reading state (copies) ----

  /** The live record (routes only). */
  liveVm(id: number): VmRecord | undefined {
    return this.vms.get(id);
  }

  /** Live records in id order (routes only). */
  allVms(): VmRecord[] {
    return [...this.vms.values()].sort((a, b) => a.id - b.id);
  }

  vm(id: number): VmRecord | undefined {
    this.tick();
    const vm = this.vms.get(id);
    return vm ? cloneVm(vm) : undefined;
  }

  backups(vmId: number, volumeId?: number): BackupRecord[] {
    const vm = this.vm(vmId);
    if (!vm) throw new Error(`simulator: no VM ${vmId}`);
    if (volumeId === undefined) return vm.backups;
    const volume = vm.volumes.find((v) => v.id === volumeId);
    if (!volume) throw new Error(`simulator: no volume ${volumeId} on VM ${vmId}`);
    return volume.backups;
  }

  // ---- out-of-band changes ----

  /** A VM made as if in the control panel. */
  addVm(init: VmInit = {}): VmRecord {
    const id = init.id ?? this.nextVmId;
    if (this.vms.has(id)) throw new Error(`simulator: VM ${id} exists`);
    this.nextVmId = Math.max(this.nextVmId, id + 1);
    const name = init.name ?? `vm-${id}`;
    const now = isoDate(this.clock.now());
    const volumes: VolumeRecord[] = (init.volumes ?? []).map((v) => {
      const rec = typeof v === "string" ? { name: v } : v;
      const vid = rec.id ?? this.nextVolumeId;
      this.nextVolumeId = Math.max(this.nextVolumeId, vid + 1);
      return { id: vid, name: rec.name ?? `volume-${vid}`, size: rec.size ?? 20, backups: (rec.backups ?? []).map((b) => ({ ...b })) };
    });
    const vm: VmRecord = {
      id,
      uid: `vm_${(0x5ba4bca0 + id).toString(16)}`,
      name,
      hostname: `${name}.example.netangels.ru`,
      tariff: "Cloud-2",
      masterServer: `kvm-${(id % 7) + 1}.netangels.ru`,
      mainIp: `185.12.${Math.floor(id / 250) % 250}.${id % 250}`,
      lanIp: `10.0.0.${id % 250}`,
      isProtected: false,
      bandwidth: 100,
      diskSize: 20,
      state: init.state ?? "Active",
      transitions: [],
      volumes,
      backups: [],
      backupSettings: init.backupSettings ?? [{ type: "daily", keep: 7 }],
      created: now,
      updated: now,
    };
    this.vms.set(id, vm);
    for (const b of init.backups ?? []) this.addBackup(id, b);
    return cloneVm(vm);
  }

  /** A backup made outside the API (the host's schedule); returns its date. With `volumeId`, a volume backup. */
  addBackup(vmId: number, b: Partial<BackupRecord> & { volumeId?: number } = {}): string {
    const vm = this.vms.get(vmId);
    if (!vm) throw new Error(`simulator: no VM ${vmId}`);
    const date = b.date ?? this.nextDate();
    if (b.volumeId !== undefined) {
      const volume = vm.volumes.find((v) => v.id === b.volumeId);
      if (!volume) throw new Error(`simulator: no volume ${b.volumeId} on VM ${vmId}`);
      const entry: BackupRecord = {
        date,
        resourceType: "Volume",
        resourceName: b.resourceName ?? volume.name,
        virtualSize: b.virtualSize ?? volume.size * 1024 ** 3,
        files: b.files ?? volumeFiles(volume.name),
      };
      volume.backups.push(entry);
      vm.backups.push({ ...entry, files: [...entry.files] });
    } else {
      vm.backups.push({
        date,
        resourceType: b.resourceType ?? "VM",
        resourceName: b.resourceName ?? vm.name,
        virtualSize: b.virtualSize ?? vm.diskSize * 1024 ** 3,
        files: b.files ?? vmFiles(vm.name),
      });
    }
    return date;
  }

  /** A backup expired by retention (or deleted in the panel). */
  expireBackup(vmId: number, date: string, volumeId?: number): boolean {
    const vm = this.vms.get(vmId);
    if (!vm) return false;
    const before = vm.backups.length;
    vm.backups = vm.backups.filter((b) => b.date !== date);
    if (volumeId !== undefined) {
      const volume = vm.volumes.find((v) => v.id === volumeId);
      if (volume) volume.backups = volume.backups.filter((b) => b.date !== date);
    } else for (const v of vm.volumes) v.backups = v.backups.filter((b) => b.date !== date);
    return vm.backups.length !== before;
  }

  /** Changes fields as the panel would (rename, state, backup settings). A state set here stays until changed. */
  updateVm(id: number, patch: Partial<Pick<VmRecord, "name" | "state" | "backupSettings" | "transitions">>): VmRecord {
    this.tick();
    const vm = this.vms.get(id);
    if (!vm) throw new Error(`simulator: no VM ${id}`);
    Object.assign(vm, structuredClone(patch));
    vm.updated = isoDate(this.clock.now());
    return cloneVm(vm);
  }

  /**
   * The VM goes through `state` (a transitional state such as Restarting, Starting or
   * OfflineMigrating) for `durationMs` with a task listed, then to `thenState` (default: where it was),
   * as when someone acts in the panel.
   */
  startTransition(vmId: number, state: string, opts: { durationMs?: number; thenState?: string; taskType?: string } = {}): void {
    this.tick();
    const vm = this.vms.get(vmId);
    if (!vm) throw new Error(`simulator: no VM ${vmId}`);
    this.runOperation(
      vm,
      opts.taskType ?? state.toLowerCase(),
      state,
      { queuedFraction: 0, durationMs: opts.durationMs, restingState: opts.thenState, injectable: false },
      () => undefined,
    );
  }

  deleteVm(id: number): boolean {
    this.operations = this.operations.filter((o) => o.vmId !== id);
    return this.vms.delete(id);
  }

  /** The next backup or rollback (on `vmId`, or any) ends in `state` (default Error) instead of succeeding. */
  failNextOperation(spec: FailureSpec = {}): void {
    this.failNext.push(spec);
  }

  /** The next backup or rollback (on `vmId`, or any) never ends. */
  hangNextOperation(vmId?: number): void {
    this.hangNext.push({ vmId });
  }

  setOperationDuration(ms: number): void {
    this.operationDurationMs = ms;
  }

  /** Operations still running, for assertions. */
  pendingOperations(): Array<{ vmId: number; type: string; state: string }> {
    this.tick();
    return this.operations.map((o) => ({ vmId: o.vmId, type: o.task.type, state: o.workState }));
  }
}

function vmFiles(name: string): string[] {
  return ["/etc/hostname", "/etc/hosts", `/home/${name}/notes.txt`, "/var/www/html/index.html"];
}

function volumeFiles(name: string): string[] {
  return [`/mnt/${name}/db/base.sql`, `/mnt/${name}/uploads/logo.png`];
}
