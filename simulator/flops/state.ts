import type { SimClock } from "../core/clock";
import { type Catalog, DEFAULT_BANDWIDTH, seedCatalog, seedIpPool } from "./catalog";
import { FlopsError } from "./errors";
import {
  type BackupRecord,
  type Distribution,
  imageOf,
  type PublicKeyRecord,
  type SnapshotRecord,
  type Tariff,
  type Tenant,
  type VmImage,
  type VmKeyRef,
  type VmRecord,
} from "./model";

const HOUR_MS = 3_600_000;

/**
 * Everything the flops simulator stores for one account: the catalog, VMs, account keys, snapshots,
 * backups and the public IP pool, with the lookups that answer `error.object.not.found` and the
 * bookkeeping (address hand-out and return, backup schedule) shared by the routes and the control
 * interface. Operations live in operations.ts; request handling in routes.ts.
 */
export class FlopsState {
  readonly catalog: Catalog = seedCatalog();
  readonly vms = new Map<number, VmRecord>();
  readonly keys = new Map<number, PublicKeyRecord>();
  readonly snapshots = new Map<number, SnapshotRecord[]>();
  readonly backups = new Map<number, BackupRecord[]>();
  /** Free public addresses; returned ones go to the end, so an address is not reused at once. */
  ipPool: string[] = seedIpPool();
  private nextVmId = 88977; // the vendor documentation's install example answers 88977
  private nextKeyId = 255; // the vendor documentation's pubkeys/add example answers 255
  private nextSnapshotId = 2206; // the vendor documentation's snapshot example
  private nextPrivateIp = 0;
  private diskWrites = 0;

  constructor(readonly clock: SimClock) {}

  // ---- lookups ----

  tenant(id: number): Tenant {
    const t = this.catalog.tenants.find((x) => x.id === id);
    // A tenant that is not the account's is a rights problem, not a missing object.
    if (!t) throw FlopsError.of("notOwner", `tenant ${id}`);
    return t;
  }

  defaultTenant(): Tenant {
    return this.catalog.tenants[0];
  }

  vm(id: number): VmRecord {
    const vm = this.vms.get(id);
    if (!vm) throw FlopsError.of("notFound", `server ${id}`);
    return vm;
  }

  tariff(id: number): Tariff {
    const t = this.catalog.tariffs.find((x) => x.id === id);
    if (!t) throw FlopsError.of("notFound", `tariff ${id}`);
    return t;
  }

  findTariff(id: number): Tariff | undefined {
    return this.catalog.tariffs.find((x) => x.id === id);
  }

  distribution(id: number): Distribution {
    const d = this.catalog.distributions.find((x) => x.id === id);
    if (!d) throw FlopsError.of("notFound", `distribution ${id}`);
    return d;
  }

  software(id: number): void {
    if (!this.catalog.software.some((s) => s.id === id)) throw FlopsError.of("notFound", `software ${id}`);
  }

  key(id: number): PublicKeyRecord {
    const k = this.keys.get(id);
    if (!k) throw FlopsError.of("notFound", `public key ${id}`);
    return k;
  }

  snapshot(vmId: number, id: number): SnapshotRecord {
    const s = this.snapshotsOf(vmId).find((x) => x.id === id);
    if (!s) throw FlopsError.of("notFound", `snapshot ${id} of server ${vmId}`);
    return s;
  }

  backup(vmId: number, id: string): BackupRecord {
    const b = this.backupsOf(vmId).find((x) => x.id === id);
    if (!b) throw FlopsError.of("notFound", `backup ${id} of server ${vmId}`);
    return b;
  }

  snapshotsOf(vmId: number): SnapshotRecord[] {
    let list = this.snapshots.get(vmId);
    if (!list) this.snapshots.set(vmId, (list = []));
    return list;
  }

  backupsOf(vmId: number): BackupRecord[] {
    let list = this.backups.get(vmId);
    if (!list) this.backups.set(vmId, (list = []));
    return list;
  }

  keyRefs(ids: number[], installed: boolean): VmKeyRef[] {
    const seen = new Set<number>();
    const out: VmKeyRef[] = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const k = this.key(id);
      out.push({ id: k.id, tenantId: k.tenantId, name: k.name, type: k.type, installed });
    }
    return out;
  }

  // ---- keys ----

  addKey(fields: Omit<PublicKeyRecord, "id" | "timeAdded"> & { timeAdded?: number }): PublicKeyRecord {
    const key: PublicKeyRecord = { ...fields, id: this.nextKeyId++, timeAdded: fields.timeAdded ?? this.clock.now() };
    this.keys.set(key.id, key);
    return key;
  }

  // ---- VMs ----

  /** Creates a VM record (install, clone, or out of band). Addresses are taken from the pool by the caller. */
  addVm(
    fields: Omit<VmRecord, "id" | "internalId" | "privateIpAddress" | "timeAdded" | "nextBackupAt" | "diskContent" | "bandwidth"> & Partial<VmRecord>,
  ): VmRecord {
    const id = fields.id ?? this.nextVmId++;
    if (this.vms.has(id)) throw new Error(`VM ${id} already exists`);
    if (id >= this.nextVmId) this.nextVmId = id + 1;
    const now = fields.timeAdded ?? this.clock.now();
    const vm: VmRecord = {
      ...fields,
      bandwidth: fields.bandwidth ?? DEFAULT_BANDWIDTH,
      id,
      internalId: fields.internalId ?? `vm${id}`,
      privateIpAddress: fields.privateIpAddress ?? this.nextPrivateAddress(),
      timeAdded: now,
      diskContent: fields.diskContent ?? this.newDiskContent(id, "install"),
      nextBackupAt: fields.nextBackupAt ?? now + fields.backupPolicy.frequency * HOUR_MS,
    };
    this.vms.set(id, vm);
    return vm;
  }

  newDiskContent(vmId: number, how: string): string {
    return `${how}:${vmId}:${++this.diskWrites}`;
  }

  /** Removes a VM with its snapshots and backups; its addresses go back to the pool. */
  removeVm(id: number): boolean {
    const vm = this.vms.get(id);
    if (!vm) return false;
    this.releaseIps(vm.ipAddresses);
    this.vms.delete(id);
    this.snapshots.delete(id);
    this.backups.delete(id);
    return true;
  }

  private nextPrivateAddress(): string {
    const n = this.nextPrivateIp++;
    return `10.7.${Math.floor(n / 250) % 256}.${(n % 250) + 2}`;
  }

  // ---- IP pool ----

  takeIps(count: number): string[] {
    if (count > this.ipPool.length) throw FlopsError.of("ipPoolEmpty", `${count} requested, ${this.ipPool.length} free`);
    return this.ipPool.splice(0, count);
  }

  releaseIps(ips: string[]): void {
    for (const ip of ips) if (!this.ipPool.includes(ip)) this.ipPool.push(ip);
  }

  /** Takes given addresses out of the pool (out-of-band VMs with chosen addresses). */
  claimIps(ips: string[]): void {
    this.ipPool = this.ipPool.filter((ip) => !ips.includes(ip));
  }

  /** Whether an address is held by some VM. */
  ipOwner(ip: string): VmRecord | undefined {
    for (const vm of this.vms.values()) if (vm.ipAddresses.includes(ip)) return vm;
    return undefined;
  }

  // ---- snapshots ----

  createSnapshot(vm: VmRecord, name: string, description: string | null, at: number): SnapshotRecord {
    const snap: SnapshotRecord = {
      id: this.nextSnapshotId++,
      vmId: vm.id,
      name,
      description,
      parentSnapshotId: vm.currentSnapshot,
      timeAdded: at,
      image: imageOf(vm),
    };
    this.snapshotsOf(vm.id).push(snap);
    vm.currentSnapshot = snap.id;
    return snap;
  }

  /**
   * Deletes a snapshot. With `deleteChildren` its whole subtree goes; without, its children are
   * re-attached to its parent. A VM whose current snapshot is deleted points at the nearest surviving
   * ancestor (or null).
   */
  deleteSnapshot(vm: VmRecord, id: number, deleteChildren: boolean): void {
    const list = this.snapshotsOf(vm.id);
    const target = list.find((s) => s.id === id);
    if (!target) throw FlopsError.of("notFound", `snapshot ${id} of server ${vm.id}`);
    const doomed = new Set<number>([id]);
    if (deleteChildren) {
      let grew = true;
      while (grew) {
        grew = false;
        for (const s of list) {
          if (s.parentSnapshotId !== null && doomed.has(s.parentSnapshotId) && !doomed.has(s.id)) {
            doomed.add(s.id);
            grew = true;
          }
        }
      }
    } else {
      for (const s of list) if (s.parentSnapshotId === id) s.parentSnapshotId = target.parentSnapshotId;
    }
    if (vm.currentSnapshot !== null && doomed.has(vm.currentSnapshot)) {
      let cur: number | null = vm.currentSnapshot;
      while (cur !== null && doomed.has(cur)) cur = list.find((s) => s.id === cur)?.parentSnapshotId ?? null;
      vm.currentSnapshot = cur;
    }
    this.snapshots.set(
      vm.id,
      list.filter((s) => !doomed.has(s.id)),
    );
  }

  // ---- backups ----

  /**
   * Adds a backup taken at `at`. Ids follow the vendor documentation's file names: the first is
   * `full-backupsnap<time>.lz4`, later ones `diff-backupsnap<previous>-backupsnap<time>.lz4`, times
   * as `yyyyMMddHHmmss` (UTC). Only the newest `quantity` backups are kept, except `keep`.
   */
  addBackup(vm: VmRecord, at: number, opts: { size?: number; keep?: string } = {}): BackupRecord {
    const list = this.backupsOf(vm.id);
    const atSec = Math.floor(at / 1000) * 1000;
    const prev = list.length ? list[list.length - 1] : undefined;
    let stamp = backupStamp(atSec);
    // Two backups within one second would share a name; shift by a second until unique.
    let t = atSec;
    while (list.some((b) => b.id.endsWith(`backupsnap${stamp}.lz4`))) stamp = backupStamp((t += 1000));
    const id = prev ? `diff-backupsnap${prev.id.match(/backupsnap(\d{14})\.lz4$/)?.[1] ?? stamp}-backupsnap${stamp}.lz4` : `full-backupsnap${stamp}.lz4`;
    const backup: BackupRecord = { id, vmId: vm.id, size: opts.size ?? vm.disk, timeAdded: t, image: imageOf(vm) };
    list.push(backup);
    this.pruneBackups(vm, opts.keep);
    return backup;
  }

  pruneBackups(vm: VmRecord, keep?: string): void {
    const list = this.backupsOf(vm.id).sort((a, b) => a.timeAdded - b.timeAdded);
    while (list.length > vm.backupPolicy.quantity) {
      const idx = list.findIndex((b) => b.id !== keep);
      if (idx < 0) break;
      list.splice(idx, 1);
    }
  }

  /**
   * Takes the backups the policy schedule says are due by the clock's now. Only VMs whose install
   * finished are backed up. A long clock jump only creates the last `quantity` copies (the older ones
   * would be rotated away anyway).
   */
  runBackupSchedule(): void {
    const now = this.clock.now();
    for (const vm of this.vms.values()) {
      const period = vm.backupPolicy.frequency * HOUR_MS;
      if (!vm.installed) {
        if (vm.nextBackupAt <= now) vm.nextBackupAt = now + period;
        continue;
      }
      if (vm.nextBackupAt > now) continue;
      const due = Math.floor((now - vm.nextBackupAt) / period) + 1;
      const skip = Math.max(0, due - vm.backupPolicy.quantity);
      let at = vm.nextBackupAt + skip * period;
      for (let i = skip; i < due; i++, at += period) this.addBackup(vm, at);
      vm.nextBackupAt = at;
    }
  }

  /** Puts back what a snapshot or backup remembers (tariff, sizes, distribution, disk contents). */
  restoreImage(vm: VmRecord, image: VmImage, opts: { state?: boolean } = {}): void {
    vm.tariffId = image.tariffId;
    vm.memory = image.memory;
    vm.disk = image.disk;
    vm.cpu = image.cpu;
    vm.distribution = { ...image.distribution };
    vm.diskContent = image.diskContent;
    if (opts.state) vm.state = image.state;
  }
}

function backupStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
