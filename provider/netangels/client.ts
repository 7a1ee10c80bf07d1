import type { z } from "zod";
import { globalRedactor, HttpClient, OperationTimeouts, READ, type RequestPriority, systemClock, type TransportOptions, VpsError, WRITE_ONCE } from "../core";
import { BACKUP_DATE_PATTERN, BACKUP_DATE_RULE } from "./dates";
import { decodeNetangelsVendor, NETANGELS_HOST } from "./errors";
import { type BackupEntry, backupListResponse, type FilesList, filesListResponse, type Vm, type VmList, vmListResponse, vmSchema } from "./schemas";

/**
 * Typed client of the NetAngels cloud VDS backups API: one method per endpoint of the vendor documentation, each
 * declaring whether it may be repeated after a 5xx or a broken connection (only reads may).
 *
 * The vendor documentation gives no `GET /cloud/vms/{id}/`: a VM's state is read from `GET /cloud/backups/vms/`
 * ("backups of all VMs", a list of VMs with `state` and `transitions`), the only documented source.
 */

export const NETANGELS_DEFAULT_ENDPOINT = "https://api-ms.netangels.ru/api/v1";
/** Default wait limit (seconds per wait): the vendor documentation gives no duration for backups or rollbacks; they copy whole disks. */
export const NETANGELS_TIMEOUTS = new OperationTimeouts(NETANGELS_HOST, {
  wait: { seconds: 30 * 60, waits: "the VM settling, a backup and a rollback" },
});

export interface NetangelsClientOptions extends TransportOptions {
  token: string;
  /** API root, e.g. `https://api-ms.netangels.ru/api/v1`. */
  endpoint: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** "poll" for waiter polls, so mutations and user-facing reads go first under a rate limit. */
  priority?: RequestPriority;
}

/**
 * A backup date as a path segment, unchanged. The pattern admits only digits, `-`, `T`, `:`, `.`,
 * `+` and `Z`, all legal in a path segment, so no encoding is needed and none is applied: the server
 * receives exactly the string the listing gave (nine fractional digits included).
 */
export function backupDatePathSegment(date: string, operation: string): string {
  if (!BACKUP_DATE_PATTERN.test(date)) {
    throw new VpsError(
      { kind: "invalid", host: NETANGELS_HOST, operation, hint: `backup date ${JSON.stringify(date)} ${BACKUP_DATE_RULE}` },
      "bad backup date",
    );
  }
  return date;
}

function vmPath(vmId: number): string {
  if (!Number.isSafeInteger(vmId) || vmId <= 0)
    throw new VpsError({ kind: "invalid", host: NETANGELS_HOST, operation: "build request", hint: `a VM id is a positive integer, got ${vmId}` }, "bad VM id");
  return `/cloud/vms/${vmId}`;
}

function volumePath(vmId: number, volumeId: number): string {
  if (!Number.isSafeInteger(volumeId) || volumeId <= 0)
    throw new VpsError(
      { kind: "invalid", host: NETANGELS_HOST, operation: "build request", hint: `a volume id is a positive integer, got ${volumeId}` },
      "bad volume id",
    );
  return `${vmPath(vmId)}/volumes/${volumeId}`;
}

export class NetangelsClient {
  readonly http: HttpClient;
  readonly endpoint: string;

  constructor(opts: NetangelsClientOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, "");
    globalRedactor.add(opts.token);
    const token = opts.token;
    this.http = new HttpClient({
      host: NETANGELS_HOST,
      baseUrl: this.endpoint,
      authenticate: ({ headers }) => {
        headers.authorization = `Bearer ${token}`;
      },
      decodeVendor: decodeNetangelsVendor,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      clock: opts.clock ?? systemClock,
      logger: opts.logger,
      dispatcher: opts.dispatcher,
      budget: opts.budget,
      random: opts.random,
    });
  }

  private get<S extends z.ZodType>(path: string, schema: S, o: CallOptions = {}): Promise<z.infer<S>> {
    return this.http.call({ operation: `GET ${path}`, method: "GET", path, ...READ, priority: o.priority ?? READ.priority, schema, signal: o.signal });
  }

  /**
   * The vendor documentation gives no body for any POST, so only the archive requests send one: the list of files
   * to put in the archive, `{"files": [...]}`, without which an archive request names nothing.
   */
  private post<S extends z.ZodType>(path: string, schema: S, o: CallOptions = {}, json?: unknown): Promise<z.infer<S>> {
    return this.http.call({
      operation: `POST ${path}`,
      method: "POST",
      path,
      json,
      ...WRITE_ONCE,
      priority: o.priority ?? WRITE_ONCE.priority,
      schema,
      signal: o.signal,
    });
  }

  /** `GET /cloud/backups/`: the account's backups, as the list of VMs with their `backup_settings`. */
  listAccountBackups(o?: CallOptions): Promise<VmList> {
    return this.get("/cloud/backups/", vmListResponse, o);
  }

  /** `GET /cloud/backups/vms/`: every VM with its backups, state and pending tasks. */
  listVms(o?: CallOptions): Promise<VmList> {
    return this.get("/cloud/backups/vms/", vmListResponse, o);
  }

  /**
   * One VM from `GET /cloud/backups/vms/`, or undefined when the listing does not hold it. The vendor documentation
   * documents no paging, but the list carries `count`: when it says there are more VMs than were
   * returned, a missing VM cannot be called gone, so that is an error instead.
   */
  async getVm(vmId: number, o?: CallOptions): Promise<Vm | undefined> {
    const list = await this.listVms(o);
    const vm = list.entities.find((v) => v.id === vmId);
    if (vm || list.count <= list.entities.length) return vm;
    throw new VpsError(
      {
        kind: "badResponse",
        host: NETANGELS_HOST,
        operation: "GET /cloud/backups/vms/",
        hint:
          `the listing holds ${list.entities.length} of ${list.count} VMs and not VM ${vmId}; the API seems to page it, which its documentation does ` +
          `not describe, so the VM cannot be found`,
      },
      `VM ${vmId} not in a partial listing`,
    );
  }

  /** `POST /cloud/vms/{id}/backup/`: starts a backup; answers with the VM. */
  async createBackup(vmId: number, o?: CallOptions): Promise<Vm> {
    return this.post(`${vmPath(vmId)}/backup/`, vmSchema, o);
  }

  /** `GET /cloud/vms/{id}/backups/`. */
  async listVmBackups(vmId: number, o?: CallOptions): Promise<BackupEntry[]> {
    return (await this.get(`${vmPath(vmId)}/backups/`, backupListResponse, o)).entities;
  }

  /** `POST /cloud/vms/{id}/backups/{date}/`: rolls the VM back; answers with the VM. */
  async rollbackVm(vmId: number, backupDate: string, o?: CallOptions): Promise<Vm> {
    return this.post(`${vmPath(vmId)}/backups/${backupDatePathSegment(backupDate, "VM rollback")}/`, vmSchema, o);
  }

  /** `GET /cloud/vms/{id}/backups/{date}/files/`. */
  async listVmBackupFiles(vmId: number, backupDate: string, o?: CallOptions): Promise<FilesList> {
    return this.get(`${vmPath(vmId)}/backups/${backupDatePathSegment(backupDate, "backup files listing")}/files/`, filesListResponse, o);
  }

  /** `POST /cloud/vms/{id}/backups/{date}/files/` with `{"files": [...]}`: asks for an archive of those files of the backup; answers with the VM only. */
  async requestVmFilesArchive(vmId: number, backupDate: string, files: string[], o?: CallOptions): Promise<Vm> {
    return this.post(`${vmPath(vmId)}/backups/${backupDatePathSegment(backupDate, "backup files archive")}/files/`, vmSchema, o, { files });
  }

  /** `GET /cloud/vms/{id}/volumes/{volume_id}/backups/`. */
  async listVolumeBackups(vmId: number, volumeId: number, o?: CallOptions): Promise<BackupEntry[]> {
    return (await this.get(`${volumePath(vmId, volumeId)}/backups/`, backupListResponse, o)).entities;
  }

  /**
   * `POST /cloud/vms/{id}/volumes/{volume_id}/backups/{date}/`. The vendor documentation prints this path as
   * `.../backups/{date}(%5C.%5Cd+)%3F/`: the URL pattern `{date}(\.\d+)?` leaked through URL-encoded,
   * i.e. the date's fractional part is optional here. The date is sent as given, with or without it.
   */
  async rollbackVolume(vmId: number, volumeId: number, backupDate: string, o?: CallOptions): Promise<Vm> {
    return this.post(`${volumePath(vmId, volumeId)}/backups/${backupDatePathSegment(backupDate, "volume rollback")}/`, vmSchema, o);
  }

  /** `GET /cloud/vms/{id}/volumes/{volume_id}/backups/{date}/files/`. */
  async listVolumeBackupFiles(vmId: number, volumeId: number, backupDate: string, o?: CallOptions): Promise<FilesList> {
    return this.get(`${volumePath(vmId, volumeId)}/backups/${backupDatePathSegment(backupDate, "volume backup files listing")}/files/`, filesListResponse, o);
  }

  /** `POST /cloud/vms/{id}/volumes/{volume_id}/backups/{date}/files/` with `{"files": [...]}`: answers with the VM only. */
  async requestVolumeFilesArchive(vmId: number, volumeId: number, backupDate: string, files: string[], o?: CallOptions): Promise<Vm> {
    return this.post(`${volumePath(vmId, volumeId)}/backups/${backupDatePathSegment(backupDate, "volume backup files archive")}/files/`, vmSchema, o, {
      files,
    });
  }
}
