/**
 * The flops simulator's data model: the records it keeps and the views it sends. Field names and
 * value forms follow the vendor documentation's examples (times are epoch milliseconds, sizes MB, VM states libvirt
 * names); fields that exist only inside the simulator are marked "simulator only" and never sent.
 */

export interface Tenant {
  id: number;
  description: string;
}

export interface Distribution {
  id: number;
  name: string;
  description: string;
  bitness: number;
}

export interface Software {
  id: number;
  name: string;
}

export interface Tariff {
  id: number;
  name: string;
  memory: number;
  disk: number;
  cpu: number;
  ipCount: number;
  onDemand: boolean;
  forWindows: boolean;
}

export interface BackupPolicy {
  quantity: number;
  frequency: number;
}

/** libvirt domain states; the vendor documentation shows these two. */
export const VM_STATE = { running: "VIR_DOMAIN_RUNNING", shutoff: "VIR_DOMAIN_SHUTOFF" } as const;

/** An account key (`/pubkeys/`). */
export interface PublicKeyRecord {
  id: number;
  tenantId: number;
  name: string;
  type: string;
  publicKey: string;
  timeAdded: number;
}

/** A key as the VM carries it; the name and type are kept so a key deleted from the account still shows. */
export interface VmKeyRef {
  id: number;
  tenantId: number;
  name: string;
  type: string;
  /** Whether it is in the VM's authorized_keys (false until the install / pubkey_change finishes). */
  installed: boolean;
}

/** What a snapshot or backup remembers of the VM, put back by a rollback. */
export interface VmImage {
  tariffId: number;
  memory: number;
  disk: number;
  cpu: number;
  distribution: Distribution;
  state: string;
  /** Simulator only: what is on the disk (see VmRecord.diskContent). */
  diskContent: string;
}

export interface SnapshotRecord {
  id: number;
  vmId: number;
  name: string;
  description: string | null;
  parentSnapshotId: number | null;
  timeAdded: number;
  /** Simulator only. */
  image: VmImage;
}

export interface BackupRecord {
  /** A file name, e.g. `diff-backupsnap20141019011721-backupsnap20141022015414.lz4`. */
  id: string;
  vmId: number;
  /** MB (the vendor documentation's example equals a disk size). */
  size: number;
  /** Epoch ms, whole seconds (as in the vendor documentation's example). */
  timeAdded: number;
  /** Simulator only. */
  image: VmImage;
}

export interface VmRecord {
  id: number;
  tenantId: number;
  name: string;
  internalId: string;
  memory: number;
  disk: number;
  cpu: number;
  bandwidth: number;
  tariffId: number;
  ipAddresses: string[];
  privateIpAddress: string;
  state: string;
  timeAdded: number;
  currentSnapshot: number | null;
  backupPolicy: BackupPolicy;
  /** A copy of the catalog entry at install time: it keeps its id when the catalog is renumbered. */
  distribution: Distribution;
  ownerUser: string | null;
  accessUsers: string[];
  publicKeys: VmKeyRef[];
  // ---- simulator only ----
  password?: string;
  softwareIds: number[];
  openSupportAccess: boolean;
  /** False while the install / clone operation is running or after it failed. */
  installed: boolean;
  /**
   * A marker of the disk's contents, so tests can see what a rollback or reinstall did: set at install
   * ("install:<vmId>:<n>"), copied into snapshots and backups, restored by rollbacks; tests may set
   * it with `updateVm` to stand for "the user wrote data".
   */
  diskContent: string;
  /** Clock time of the next scheduled backup. */
  nextBackupAt: number;
}

export type OperationStatus = "PENDING" | "DONE" | "ERROR";

/**
 * Operation types. The vendor documentation shows `VM_DESTROY`, `VM_REVERT_TO_BACKUP` and `DOWNLOAD_BACKUP`; the
 * others are the simulator's names in the same style (the vendor documentation does not list them).
 */
export const OPERATION_TYPES = {
  install: "VM_INSTALL",
  clone: "VM_CLONE",
  reinstall: "VM_REINSTALL",
  rename: "VM_RENAME",
  start: "VM_START",
  reset: "VM_RESET",
  reboot: "VM_REBOOT",
  poweroff: "VM_POWEROFF",
  shutdown: "VM_SHUTDOWN",
  delete: "VM_DESTROY",
  passwordChange: "VM_CHANGE_PASSWORD",
  pubkeyChange: "VM_CHANGE_PUBKEYS",
  memoryChange: "VM_CHANGE_MEMORY",
  diskChange: "VM_CHANGE_DISK",
  cpuChange: "VM_CHANGE_CPU",
  tariffChange: "VM_CHANGE_TARIFF",
  backupPolicyChange: "VM_CHANGE_BACKUP_POLICY",
  ipAdd: "VM_ADD_IP",
  ipDelete: "VM_DELETE_IP",
  ipMove: "VM_MOVE_IP",
  snapshotCreate: "VM_CREATE_SNAPSHOT",
  snapshotRollback: "VM_REVERT_TO_SNAPSHOT",
  snapshotDelete: "VM_DELETE_SNAPSHOT",
  backupRollback: "VM_REVERT_TO_BACKUP",
  backupDownload: "DOWNLOAD_BACKUP",
} as const;

export type OperationType = (typeof OPERATION_TYPES)[keyof typeof OPERATION_TYPES];

/** What `GET /operation/{id}/` answers (`operationResult` only where there is one). */
export interface OperationView {
  id: number;
  vmId: number;
  tenantId: number;
  status: OperationStatus;
  operationType: OperationType;
  percentage: number;
  errorMessage: string | null;
  errorCode: string | null;
  operationResult?: string;
}

export function vmView(vm: VmRecord, keys: ReadonlyMap<number, PublicKeyRecord>): Record<string, unknown> {
  return {
    id: vm.id,
    tenantId: vm.tenantId,
    name: vm.name,
    internalId: vm.internalId,
    memory: vm.memory,
    disk: vm.disk,
    cpu: vm.cpu,
    bandwidth: vm.bandwidth,
    tariffId: vm.tariffId,
    ipAddresses: [...vm.ipAddresses],
    privateIpAddress: vm.privateIpAddress,
    state: vm.state,
    timeAdded: vm.timeAdded,
    currentSnapshot: vm.currentSnapshot,
    backupPolicy: { ...vm.backupPolicy },
    distribution: { ...vm.distribution },
    ownerUser: vm.ownerUser,
    accessUsers: [...vm.accessUsers],
    // As in every VM example: the key text and time are null inside a VM.
    publicKeys: vm.publicKeys.map((ref) => {
      const live = keys.get(ref.id);
      return {
        id: ref.id,
        tenantId: live?.tenantId ?? ref.tenantId,
        name: live?.name ?? ref.name,
        type: live?.type ?? ref.type,
        publicKey: null,
        timeAdded: null,
        installed: ref.installed,
        ownerUser: null,
      };
    }),
  };
}

export function snapshotView(s: SnapshotRecord): Record<string, unknown> {
  return { id: s.id, name: s.name, description: s.description, parentSnapshotId: s.parentSnapshotId, timeAdded: s.timeAdded };
}

export function backupView(b: BackupRecord): Record<string, unknown> {
  return { id: b.id, size: b.size, timeAdded: b.timeAdded };
}

/** `/pubkeys/` list items carry `tenantId` (as the vendor documentation's second example does). */
export function publicKeyView(k: PublicKeyRecord): Record<string, unknown> {
  return { id: k.id, tenantId: k.tenantId, name: k.name, type: k.type, publicKey: k.publicKey, timeAdded: k.timeAdded };
}

/** The add / edit answers in the vendor documentation have no `tenantId`. */
export function publicKeyResultView(k: PublicKeyRecord): Record<string, unknown> {
  return { id: k.id, name: k.name, type: k.type, publicKey: k.publicKey, timeAdded: k.timeAdded };
}

export function imageOf(vm: VmRecord): VmImage {
  return {
    tariffId: vm.tariffId,
    memory: vm.memory,
    disk: vm.disk,
    cpu: vm.cpu,
    distribution: { ...vm.distribution },
    state: vm.state,
    diskContent: vm.diskContent,
  };
}

export function cloneVm(vm: VmRecord): VmRecord {
  return structuredClone(vm);
}
