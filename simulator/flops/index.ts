import { SimClock } from "../core/clock";
import { SimulatorServer } from "../core/server";
import type { Catalog } from "./catalog";
import { DEFAULT_BACKUP_POLICY } from "./catalog";
import { FLOPS_ERRORS } from "./errors";
import { type GuestConnection, GuestListeners, type GuestListenerOptions, loopbackIpPool } from "./guests";
import {
  type BackupRecord,
  cloneVm,
  type Distribution,
  type OperationType,
  type OperationView,
  type PublicKeyRecord,
  type SnapshotRecord,
  VM_STATE,
  type VmRecord,
} from "./model";
import { OperationEngine, type OperationMatch } from "./operations";
import { API_BASE, type FlopsContext, type GuestIpDelivery, handleRequest } from "./routes";
import { publicKeyType } from "./rules";
import { FlopsState } from "./state";

export { FLOPS_ERRORS, FlopsError } from "./errors";
export { LIMITS, passwordProblem } from "./rules";
export { OPERATION_TYPES, VM_STATE } from "./model";
export type { BackupRecord, Distribution, OperationType, OperationView, PublicKeyRecord, SnapshotRecord, Tariff, Tenant, VmRecord } from "./model";
export type { OperationMatch } from "./operations";
export type { GuestIpDelivery } from "./routes";
export type { GuestConnection, GuestListenerOptions } from "./guests";
export { DEFAULT_GUEST_BANNER } from "./guests";

export interface FlopsSimulatorOptions {
  clientId?: string;
  apiKey?: string;
  /** How long each operation takes, ms (default 1500: a quick demo; tests use 20–50). */
  operationDurationMs?: number;
  /**
   * Answer backup_download under `/v1/vm/...` too, the path the vendor documentation gives for that one call
   * (default true); false makes `/v1/...` a bare 404 (the vendor documentation's path being a typo).
   */
  backupDownloadV1?: boolean;
  /**
   * Guests that listen: VMs get addresses in 127.0.0.0/8 and, `bootMs` after they come up, a TCP
   * listener on the OS-chosen `guestPort` of each address that greets with `banner` (see guests.ts).
   */
  guestListeners?: GuestListenerOptions;
}

/** A VM made out of band (`createVm`). Everything is optional; `publicKeyIds` name account keys. */
export type VmInit = Partial<Omit<VmRecord, "publicKeys" | "internalId">> & { publicKeyIds?: number[]; ipCount?: number };

/** An out-of-band change (`updateVm`), as if made in the control panel. */
export type VmPatch = Partial<
  Pick<
    VmRecord,
    | "name"
    | "tenantId"
    | "memory"
    | "disk"
    | "cpu"
    | "tariffId"
    | "state"
    | "ipAddresses"
    | "backupPolicy"
    | "currentSnapshot"
    | "distribution"
    | "password"
    | "diskContent"
    | "accessUsers"
    | "ownerUser"
  >
> & { publicKeyIds?: number[] };

/** An operation as the control interface reports it: the API view plus timing. */
export interface OperationInfo extends OperationView {
  startedAt: number;
  endedAt?: number;
  hung: boolean;
  /** VMs it keeps busy while pending. */
  locks: number[];
}

export type GuestIpFailureKind = "add" | "remove" | "error.inet.ip.guest.add" | "error.inet.ip.guest.remove";

/**
 * A local flops (Serveroid) API: the documented paths, rules and asynchronous operations over real
 * HTTP on 127.0.0.1, plus a control interface for tests (out-of-band changes, injected failures,
 * a clock to advance). See routes.ts for the API, rules.ts for the documented limits, errors.ts for
 * the codes.
 */
export class FlopsSimulator {
  static readonly DEFAULT_CLIENT_ID = "100500";
  static readonly DEFAULT_API_KEY = "flops-sim-key-7f3a9c2e5b8d4a61";
  static readonly DEFAULT_OPERATION_DURATION_MS = 1500;

  readonly clientId: string;
  readonly apiKey: string;
  readonly clock = new SimClock();
  readonly server: SimulatorServer;
  /** Base URL ending in `/api/v1`, set by `start`. */
  endpoint = "";

  private readonly state: FlopsState;
  private readonly ops: OperationEngine;
  private readonly ctx: FlopsContext;
  private readonly guests?: GuestListeners;

  constructor(opts: FlopsSimulatorOptions = {}) {
    this.clientId = opts.clientId ?? FlopsSimulator.DEFAULT_CLIENT_ID;
    this.apiKey = opts.apiKey ?? FlopsSimulator.DEFAULT_API_KEY;
    this.state = new FlopsState(this.clock);
    this.ops = new OperationEngine(this.clock, opts.operationDurationMs ?? FlopsSimulator.DEFAULT_OPERATION_DURATION_MS);
    this.ctx = {
      state: this.state,
      ops: this.ops,
      clientId: this.clientId,
      apiKey: this.apiKey,
      guestIp: {},
      downloads: new Map(),
      backupDownloadV1: opts.backupDownloadV1 ?? true,
      baseUrl: () => this.server.url,
      tick: () => this.tick(),
    };
    this.server = new SimulatorServer(
      (req) => handleRequest(this.ctx, req),
      () => [this.apiKey],
    );
    if (opts.guestListeners) {
      this.state.ipPool = loopbackIpPool();
      this.guests = new GuestListeners(this.clock, opts.guestListeners, {
        vms: () => this.state.vms.values(),
        operations: () => this.ops.all(),
        requestCount: () => this.server.requests.length,
        tick: () => this.tick(),
      });
    }
  }

  async start(port = 0): Promise<string> {
    await this.guests?.start();
    const url = await this.server.start(port);
    this.endpoint = `${url}${API_BASE}`;
    return this.endpoint;
  }

  /** Stops the API and closes every guest listener and its connections. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.guests?.stop();
  }

  /** The settings a client needs, under the provider's environment variable names. */
  env(): Record<string, string> {
    return { FLOPS_ENDPOINT: this.endpoint, FLOPS_CLIENT_ID: this.clientId, FLOPS_API_KEY: this.apiKey };
  }

  /** Ends due operations and takes scheduled backups (every request and control call does this). */
  tick(): void {
    this.ops.tick();
    this.state.runBackupSchedule();
    this.guests?.sync();
  }

  // ---- listening guests (option guestListeners) ----

  /** The OS-chosen port that stands for every VM's guest port (22); 0 without `guestListeners` or before `start`. */
  get guestPort(): number {
    return this.guests?.port ?? 0;
  }

  /** Connections the guests accepted, oldest first (of one VM, or all). */
  guestConnections(vmId?: number): GuestConnection[] {
    return (this.guests?.connections ?? []).filter((c) => vmId === undefined || c.vmId === vmId).map((c) => ({ ...c }));
  }

  /** Since when (simulator clock) `vmId`'s guest has been listening; undefined while it is not. */
  guestListeningSince(vmId: number): number | undefined {
    this.tick();
    return this.guests?.listeningSince(vmId);
  }

  /** Guest listeners that could not open (e.g. the address in use), as messages. */
  get guestListenerFailures(): string[] {
    return [...(this.guests?.failures ?? [])];
  }

  /** The greeting of connections accepted from now on ("" sends none). */
  setGuestBanner(banner: string): void {
    this.requireGuests().banner = banner;
  }

  /**
   * How long after coming up a guest starts listening (simulator-clock ms). It applies to every VM at
   * the next look: a guest whose last boot plus `ms` is still ahead stops listening until then.
   */
  setGuestBootTime(ms: number): void {
    this.requireGuests().bootMs = ms;
    this.tick();
  }

  private requireGuests(): GuestListeners {
    if (!this.guests) throw new Error("the simulator was started without the guestListeners option");
    return this.guests;
  }

  // ---- VMs ----

  vm(id: number): VmRecord | undefined {
    this.tick();
    const vm = this.state.vms.get(id);
    return vm ? cloneVm(vm) : undefined;
  }

  vms(): VmRecord[] {
    this.tick();
    return [...this.state.vms.values()].map(cloneVm);
  }

  /** A VM created out of band (for import / adoption tests): installed, running, with addresses from the pool. */
  createVm(init: VmInit = {}): VmRecord {
    const { publicKeyIds, ipCount, ...fields } = init;
    const tariff = this.state.findTariff(fields.tariffId ?? 4) ?? this.state.tariff(4);
    const distribution: Distribution = fields.distribution ?? { ...this.state.catalog.distributions[0] };
    let ipAddresses: string[];
    if (fields.ipAddresses) {
      this.state.claimIps(fields.ipAddresses);
      ipAddresses = [...fields.ipAddresses];
    } else ipAddresses = this.state.takeIps(ipCount ?? tariff.ipCount);
    const vm = this.state.addVm({
      tenantId: this.state.defaultTenant().id,
      name: "",
      memory: tariff.onDemand ? 1024 : tariff.memory,
      disk: tariff.onDemand ? 16384 : tariff.disk,
      cpu: tariff.onDemand ? 1 : tariff.cpu,
      tariffId: tariff.id,
      state: VM_STATE.running,
      currentSnapshot: null,
      backupPolicy: { ...DEFAULT_BACKUP_POLICY },
      ownerUser: null,
      accessUsers: [],
      softwareIds: [],
      openSupportAccess: false,
      installed: true,
      ...fields,
      distribution,
      ipAddresses,
      publicKeys: this.state.keyRefs(publicKeyIds ?? [], true),
    });
    if (!vm.name) vm.name = vm.internalId;
    return cloneVm(vm);
  }

  /** An out-of-band change (rename, resize, power, keys, addresses...). Throws for an unknown VM. */
  updateVm(id: number, patch: VmPatch): VmRecord {
    this.tick();
    const vm = this.state.vm(id);
    const { publicKeyIds, ipAddresses, ...rest } = patch;
    if (publicKeyIds) vm.publicKeys = this.state.keyRefs(publicKeyIds, true);
    if (ipAddresses) {
      this.state.releaseIps(vm.ipAddresses.filter((ip) => !ipAddresses.includes(ip)));
      this.state.claimIps(ipAddresses);
      vm.ipAddresses = [...ipAddresses];
    }
    Object.assign(vm, rest);
    return cloneVm(vm);
  }

  /** Deletes a VM out of band (its addresses return to the pool). Pending operations on it then end in error. */
  deleteVm(id: number): boolean {
    this.tick();
    return this.state.removeVm(id);
  }

  // ---- catalog ----

  catalog(): Catalog {
    return structuredClone(this.state.catalog);
  }

  /**
   * Gives every distribution a new id, as the vendor documentation warns happens ("идентификатор одного и того же
   * дистрибутива может меняться"). VMs keep the distribution (and id) they were installed with.
   * Returns old id → new id.
   */
  renumberDistributions(): Map<number, number> {
    const list = this.state.catalog.distributions;
    let next = Math.max(...list.map((d) => d.id)) + 1;
    const map = new Map<number, number>();
    // Reverse order, so the relative order of ids changes too.
    for (const d of [...list].reverse()) {
      map.set(d.id, next);
      d.id = next++;
    }
    return map;
  }

  // ---- operations ----

  /** The next operation(s) matching end in ERROR. For install/clone the VM exists, as with the real API. */
  failNextOperation(match: OperationMatch, opts: { errorCode?: string; errorMessage?: string; count?: number; applyEffect?: boolean } = {}): void {
    this.ops.failNext(
      match,
      { code: opts.errorCode ?? FLOPS_ERRORS.unexpected.code, message: opts.errorMessage ?? FLOPS_ERRORS.unexpected.message, applyEffect: opts.applyEffect },
      opts.count ?? 1,
    );
  }

  /** The next operation(s) matching never end (until `finishOperation`). */
  hangNextOperation(match: OperationMatch, count = 1): void {
    this.ops.hangNext(match, count);
  }

  /** Lets a pending (or hung) operation end now, with its effect. */
  finishOperation(id: number): void {
    this.ops.finishNow(id);
  }

  /** Ends a pending operation now with an error and without its effect. */
  abortOperation(id: number, opts: { errorCode?: string; errorMessage?: string } = {}): void {
    this.ops.abort(id, { code: opts.errorCode ?? FLOPS_ERRORS.unexpected.code, message: opts.errorMessage ?? FLOPS_ERRORS.unexpected.message });
  }

  clearInjections(): void {
    this.ops.clearInjections();
    this.ctx.guestIp = {};
    this.server.clearFaults();
  }

  /** Duration of operations started from now on, for all types or one. */
  setOperationDuration(ms: number, type?: OperationType): void {
    this.ops.setDuration(ms, type);
  }

  operations(): OperationInfo[] {
    return this.ops.all().map((op) => ({ ...this.ops.view(op), startedAt: op.startedAt, endedAt: op.endedAt, hung: op.hung, locks: [...op.locks] }));
  }

  operation(id: number): OperationInfo | undefined {
    return this.operations().find((o) => o.id === id);
  }

  /** Calls refused with error.operation.already.started so far (overlapping operations a client attempted). */
  get busyRefusals(): number {
    return this.ops.refusals;
  }

  // ---- snapshots ----

  snapshots(vmId: number): SnapshotRecord[] {
    this.tick();
    return structuredClone(this.state.snapshots.get(vmId) ?? []);
  }

  /** A snapshot taken out of band (becomes the VM's current snapshot). */
  addSnapshot(vmId: number, opts: { name: string; description?: string | null }): SnapshotRecord {
    this.tick();
    return structuredClone(this.state.createSnapshot(this.state.vm(vmId), opts.name, opts.description ?? null, this.clock.now()));
  }

  deleteSnapshot(vmId: number, snapshotId: number, deleteChildren = false): void {
    this.tick();
    this.state.deleteSnapshot(this.state.vm(vmId), snapshotId, deleteChildren);
  }

  /** An out-of-band edit of a snapshot's name or description (as in the control panel), for drift tests. */
  updateSnapshot(vmId: number, snapshotId: number, patch: { name?: string; description?: string | null }): SnapshotRecord {
    this.tick();
    const snap = this.state.snapshot(vmId, snapshotId);
    if (patch.name !== undefined) snap.name = patch.name;
    if (patch.description !== undefined) snap.description = patch.description;
    return structuredClone(snap);
  }

  // ---- backups ----

  backups(vmId: number): BackupRecord[] {
    this.tick();
    return structuredClone(this.state.backups.get(vmId) ?? []);
  }

  /** Adds a backup now (or at `timeAdded`), rotated by the VM's policy like a scheduled one. */
  addBackup(vmId: number, opts: { timeAdded?: number; size?: number } = {}): BackupRecord {
    this.tick();
    return structuredClone(this.state.addBackup(this.state.vm(vmId), opts.timeAdded ?? this.clock.now(), { size: opts.size }));
  }

  deleteBackup(vmId: number, backupId: string): void {
    const list = this.state.backups.get(vmId) ?? [];
    this.state.backups.set(
      vmId,
      list.filter((b) => b.id !== backupId),
    );
  }

  /** Moves the simulator clock: scheduled backups are taken and due operations end. */
  advanceClock(ms: number): void {
    this.clock.advance(ms);
    this.tick();
  }

  // ---- public keys ----

  publicKeys(): PublicKeyRecord[] {
    return [...this.state.keys.values()].map((k) => ({ ...k }));
  }

  addPublicKey(opts: { name: string; publicKey: string; tenantId?: number }): PublicKeyRecord {
    const tenantId = opts.tenantId ?? this.state.defaultTenant().id;
    return { ...this.state.addKey({ tenantId, name: opts.name, publicKey: opts.publicKey, type: publicKeyType(opts.publicKey) }) };
  }

  updatePublicKey(id: number, patch: { name?: string; publicKey?: string }): PublicKeyRecord {
    const key = this.state.key(id);
    if (patch.name !== undefined) key.name = patch.name;
    if (patch.publicKey !== undefined) {
      key.type = publicKeyType(patch.publicKey);
      key.publicKey = patch.publicKey;
    }
    return { ...key };
  }

  deletePublicKey(id: number): boolean {
    return this.state.keys.delete(id);
  }

  // ---- IP addresses ----

  /**
   * Makes the guest-reconfigure step of IP calls fail: `add` (ip_add, and ip_move's target) ends with
   * `error.inet.ip.guest.add`, `remove` (ip_delete, and ip_move's source) with
   * `error.inet.ip.guest.remove`. The address change still happens, as the vendor documentation says. `delivery`
   * `operation` (default) reports it in the operation; `call` answers the call itself with the error.
   * Lasts for `count` calls (default: until called again with null).
   */
  setGuestIpFailure(kind: GuestIpFailureKind | null, opts: { count?: number; delivery?: GuestIpDelivery } = {}): void {
    if (kind === null) {
      this.ctx.guestIp = {};
      return;
    }
    const which = kind === "add" || kind === FLOPS_ERRORS.guestIpAdd.code ? "add" : "remove";
    this.ctx.guestIp[which] = { remaining: opts.count ?? Infinity, delivery: opts.delivery ?? "operation" };
  }

  /** Addresses not held by any VM. */
  freeIps(): string[] {
    return [...this.state.ipPool];
  }

  /** Replaces the free pool (e.g. an empty one to test exhaustion). Addresses held by VMs are left out. */
  setIpPool(addresses: string[]): void {
    this.state.ipPool = addresses.filter((ip) => !this.state.ipOwner(ip));
  }
}

/** Convenience for tests and scripts: a started simulator. */
export async function startFlopsSimulator(opts: FlopsSimulatorOptions & { port?: number } = {}): Promise<FlopsSimulator> {
  const sim = new FlopsSimulator(opts);
  await sim.start(opts.port ?? 0);
  return sim;
}
