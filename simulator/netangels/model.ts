/**
 * The NetAngels simulator's records and the views it sends. Field names follow the vendor documentation's field lists
 * (snake_case). The vendor documentation does not describe the nested types (Disk, Image, VMFinance, VMIP, Backup,
 * Task); their shapes here are the simulator's choice, marked as such, and the provider treats them
 * as opaque apart from a disk's `id`.
 */

/** An entry of a backup listing. */
export interface BackupRecord {
  /** `2024-11-29T04:26:40.900150729`: nine fractional digits, no zone, as the vendor documentation shows. */
  date: string;
  /** VM, Disk or Volume (the vendor documentation's three). */
  resourceType: "VM" | "Disk" | "Volume";
  resourceName: string;
  virtualSize: number;
  /** Files the backup holds (the files listing). */
  files: string[];
}

export interface VolumeRecord {
  id: number;
  name: string;
  /** GB (simulator's choice). */
  size: number;
  backups: BackupRecord[];
}

/** A pending task in `transitions` (shape: the simulator's choice). */
export interface TaskRecord {
  id: number;
  /** backup, restore, files_archive, or an out-of-band kind such as restart. */
  type: string;
  /** queued, running, error. */
  status: string;
  created: string;
}

export interface VmRecord {
  id: number;
  uid: string;
  name: string;
  hostname: string;
  tariff: string;
  masterServer: string;
  mainIp: string;
  lanIp: string | null;
  isProtected: boolean;
  bandwidth: number;
  /** Main disk size, GB. */
  diskSize: number;
  state: string;
  transitions: TaskRecord[];
  volumes: VolumeRecord[];
  /** Entries of `GET /cloud/vms/{id}/backups/`. */
  backups: BackupRecord[];
  /** `backup_settings`: opaque to the provider; empty means backups are off. */
  backupSettings: unknown[];
  created: string;
  updated: string;
}

export interface RollbackRecord {
  vmId: number;
  volumeId?: number;
  /** The date exactly as it arrived in the URL. */
  requestedDate: string;
  /** The listed date it named. */
  backupDate: string;
  at: number;
}

export interface ArchiveRequestRecord {
  vmId: number;
  volumeId?: number;
  date: string;
  /** The body's `files`, as sent. */
  files: string[];
  at: number;
}

/** The VM as the API sends it. */
export function vmView(vm: VmRecord): Record<string, unknown> {
  return {
    id: vm.id,
    uid: vm.uid,
    name: vm.name,
    master_server: vm.masterServer,
    tariff: vm.tariff,
    main_ip: vm.mainIp,
    lan_ip: vm.lanIp,
    is_protected: vm.isProtected,
    volumes: vm.volumes.map((v) => ({ id: v.id, name: v.name, size: v.size })),
    image: { id: 7, name: "Ubuntu 22.04" },
    finance: { price_per_month: 550, currency: "RUB" },
    disk: { id: vm.id * 10, name: `${vm.name}-disk`, size: vm.diskSize },
    bandwidth: vm.bandwidth,
    state: vm.state,
    created: vm.created,
    updated: vm.updated,
    backup_settings: vm.backupSettings,
    hostname: vm.hostname,
    support_access: false,
    ips: [{ ip: vm.mainIp, type: "public", is_main: true }],
    is_managed: true,
    transitions: vm.transitions.map((t) => ({ ...t })),
  };
}

export function backupView(b: BackupRecord): Record<string, unknown> {
  return {
    methods: { rollback: true, files: true },
    backup_date: b.date,
    resource_name: b.resourceName,
    resource_type: b.resourceType,
    virtual_size: b.virtualSize,
  };
}

export function cloneVm(vm: VmRecord): VmRecord {
  return structuredClone(vm);
}

/**
 * The simulator's clock as a NetAngels date with nine fractional digits: milliseconds from the clock,
 * the six digits below them from `subMillisecondNanos` (0–999999). UTC, no zone, like the vendor documentation.
 */
export function nanoDate(ms: number, subMillisecondNanos: number): string {
  const iso = new Date(ms).toISOString(); // 2024-11-29T04:26:40.900Z
  return `${iso.slice(0, 23)}${String(subMillisecondNanos).padStart(6, "0")}`;
}

/** `created` / `updated` (opaque to the provider): ISO 8601 with milliseconds and `Z`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}
