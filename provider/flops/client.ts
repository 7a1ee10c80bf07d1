import { z } from "zod";
import {
  type Clock,
  globalRedactor,
  HttpClient,
  isVpsError,
  type Progress,
  type ProgressLines,
  type ParamValue,
  READ,
  type TransportOptions,
  type RequestPriority,
  systemClock,
  VpsError,
  type WaitBackoff,
  waitFor,
  WRITE_ONCE,
} from "../core";
import { decodeFlopsVendor, FLOPS_HOST, flopsErrorHint } from "./errors";
import {
  type Backup,
  backupListResponse,
  type Distribution,
  distributionListResponse,
  OPERATION_STATUS,
  type Operation,
  operationResponse,
  type OperationStarted,
  operationStartedResponse,
  okResponse,
  type PublicKey,
  publicKeyListResponse,
  publicKeyResponse,
  type Snapshot,
  snapshotListResponse,
  type Software,
  softwareListResponse,
  type Tariff,
  tariffListResponse,
  type Tenant,
  tenantListResponse,
  type Vm,
  vmCreatedResponse,
  vmInfoResponse,
  vmListResponse,
} from "./schemas";

/**
 * Typed client of the flops (Serveroid) resource API: one method per endpoint of the vendor documentation, each
 * declaring whether it is safe to repeat. flops mutates with GET, so that is set per method, never
 * derived from the verb: only reads are retried after a 5xx or a broken connection.
 */

export interface FlopsClientOptions extends TransportOptions {
  clientId: string;
  apiKey: string;
  /** API root, e.g. `https://api.flops.ru/api/v1`. */
  endpoint: string;
  /** Polling schedule of `waitForOperation`. */
  waitBackoff?: Partial<WaitBackoff>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** A VM and the project it belongs to: most VM methods require both. */
export interface VmRef {
  vmId: number;
  tenantId: number;
}

/** What install and reinstall both send: the sizes and software a VM is set up with (a fixed tariff ignores memory, disk and cpu). */
export const vmSetupParams = z.object({
  name: z.string().optional(),
  // Required for reinstall but not marked so for install: sent when given.
  tenantId: z.number().optional(),
  distributionId: z.number().optional(),
  tariffId: z.number().optional(),
  /** MB, 512–16384. */
  memory: z.number().optional(),
  /** MB, 8192–524288, at most 64 × memory. */
  disk: z.number().optional(),
  /** 1–12. */
  cpu: z.number().optional(),
  password: z.string().optional(),
  sendPassword: z.boolean().optional(),
  openSupportAccess: z.boolean().optional(),
  publicKeyIds: z.array(z.number()).optional(),
  softwareIds: z.array(z.number()).optional(),
});
export type VmSetupParams = z.infer<typeof vmSetupParams>;

/** Install also needs the distribution and tariff, and may ask for more addresses (0–2; a fixed tariff ignores it). */
export type InstallVmParams = VmSetupParams & { distributionId: number; tariffId: number; ipCount?: number };

/** Reinstall keeps the VM's id and IP addresses; every other parameter may change. */
export type ReinstallVmParams = VmSetupParams & VmRef;

/** The setup parameters as query fields, exactly those `vmSetupParams` names. */
function setupQuery(p: VmSetupParams): Query {
  return Object.fromEntries(vmSetupParams.keyof().options.map((key) => [key, p[key]]));
}

export interface CloneVmParams {
  vmId: number;
  name?: string;
  tenantId?: number;
  /** Clone from this snapshot; the current state when omitted. */
  snapshotId?: number;
}

/** install and clone answer with the new VM's id at once, before the operation ends. */
export interface CreatedVm {
  vmId: number;
  operationId: number;
}

export interface WaitForOperationOptions {
  /** How long the operation may take (the handler's wait limit, from core/timeouts.ts). */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Where the waiter writes its progress lines. */
  progress?: ProgressLines;
  clock?: Clock;
  /** What is awaited, for messages, e.g. `install of VM 88977`. */
  what?: string;
  /** The kind of operation (`install`, `snapshot`): operations of one kind on this endpoint set each other's schedule. */
  kind?: string;
}

type Query = Record<string, ParamValue>;

/**
 * The vendor documentation gives backup_download at `https://api.flops.ru/v1/vm/...` while every other method
 * lives under `/api/v1/`. Taken at its word: the download root is the endpoint with its trailing
 * `/api/v1` turned into `/v1`, so a simulator or proxy endpoint gets the same treatment as the real
 * host. An endpoint of another form is used as is.
 */
export function backupDownloadRoot(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, "");
  return /\/api\/v1$/.test(trimmed) ? trimmed.replace(/\/api\/v1$/, "/v1") : trimmed;
}

export class FlopsClient {
  readonly http: HttpClient;
  readonly clientId: string;
  readonly endpoint: string;
  private readonly clock: Clock;
  private readonly waitBackoff?: Partial<WaitBackoff>;

  constructor(opts: FlopsClientOptions) {
    this.clientId = opts.clientId;
    this.endpoint = opts.endpoint.replace(/\/+$/, "");
    this.clock = opts.clock ?? systemClock;
    this.waitBackoff = opts.waitBackoff;
    // The key travels in every URL; registering it makes every message and log line drop it, even
    // where it arrives outside a `apiKey=` parameter (an error text echoing it).
    globalRedactor.add(opts.apiKey);
    const apiKey = opts.apiKey;
    const clientId = opts.clientId;
    this.http = new HttpClient({
      host: FLOPS_HOST,
      baseUrl: this.endpoint,
      authenticate: ({ query }) => {
        query.clientId = clientId;
        query.apiKey = apiKey;
      },
      decodeVendor: decodeFlopsVendor,
      timeoutMs: opts.timeoutMs,
      retry: opts.retry,
      clock: this.clock,
      logger: opts.logger,
      dispatcher: opts.dispatcher,
      budget: opts.budget,
      random: opts.random,
    });
  }

  private read<S extends z.ZodType>(
    operation: string,
    path: string,
    schema: S,
    opts?: CallOptions & { query?: Query; priority?: RequestPriority },
  ): Promise<z.infer<S>> {
    return this.http.call({
      operation,
      method: "GET",
      path,
      query: opts?.query,
      ...READ,
      priority: opts?.priority ?? READ.priority,
      schema,
      signal: opts?.signal,
    });
  }

  private mutate<S extends z.ZodType>(operation: string, path: string, schema: S, query: Query, opts?: CallOptions): Promise<z.infer<S>> {
    return this.http.call({ operation, method: "GET", path, query, ...WRITE_ONCE, schema, signal: opts?.signal });
  }

  /** A method on one VM (`/vm/{id}/{method}/`): each names the VM's project besides its own parameters. */
  private vmOperation(operation: string, p: VmRef, method: string, params: Query, opts?: CallOptions): Promise<OperationStarted> {
    return this.startOperation(operation, `/vm/${p.vmId}/${method}/`, { tenantId: p.tenantId, ...params }, opts);
  }

  private async startOperation(operation: string, path: string, query: Query, opts?: CallOptions): Promise<OperationStarted> {
    return this.mutate(operation, path, operationStartedResponse, query, opts);
  }

  // ---- catalog ----

  /** Projects of the account. The vendor documentation writes this path without a trailing slash, unlike the others. */
  async listTenants(opts?: CallOptions): Promise<Tenant[]> {
    return (await this.read("list tenants", "/tenant", tenantListResponse, opts)).result;
  }

  /** Distribution ids change as images are updated: look them up by name and bitness each time. */
  async listDistributions(opts?: CallOptions): Promise<Distribution[]> {
    return (await this.read("list distributions", "/distribution/", distributionListResponse, opts)).result;
  }

  async listSoftware(opts?: CallOptions): Promise<Software[]> {
    return (await this.read("list software", "/software/", softwareListResponse, opts)).result;
  }

  async listTariffs(opts?: CallOptions): Promise<Tariff[]> {
    return (await this.read("list tariffs", "/tariffs/", tariffListResponse, opts)).result;
  }

  // ---- VMs ----

  /** VMs of the account, including those shared with it. */
  async listVms(opts?: CallOptions): Promise<Vm[]> {
    return (await this.read("list VMs", "/vm/", vmListResponse, opts)).result;
  }

  async getVm(vmId: number, opts?: CallOptions): Promise<Vm> {
    return (await this.read(`read VM ${vmId}`, `/vm/${vmId}/`, vmInfoResponse, opts)).result;
  }

  async installVm(p: InstallVmParams, opts?: CallOptions): Promise<CreatedVm> {
    if (p.password) globalRedactor.add(p.password);
    const body = await this.mutate(
      `install VM${p.name ? ` "${p.name}"` : ""}`,
      "/vm/install/",
      vmCreatedResponse,
      { ...setupQuery(p), ipCount: p.ipCount },
      opts,
    );
    return { vmId: body.result, operationId: body.operationId };
  }

  async cloneVm(p: CloneVmParams, opts?: CallOptions): Promise<CreatedVm> {
    const body = await this.mutate(
      `clone VM ${p.vmId}`,
      `/vm/${p.vmId}/clone/`,
      vmCreatedResponse,
      { name: p.name, tenantId: p.tenantId, snapshotId: p.snapshotId },
      opts,
    );
    return { vmId: body.result, operationId: body.operationId };
  }

  async reinstallVm(p: ReinstallVmParams, opts?: CallOptions): Promise<OperationStarted> {
    if (p.password) globalRedactor.add(p.password);
    return this.startOperation(`reinstall VM ${p.vmId}`, `/vm/${p.vmId}/reinstall/`, setupQuery(p), opts);
  }

  async renameVm(p: VmRef & { name: string }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`rename VM ${p.vmId}`, p, "rename", { name: p.name }, opts);
  }

  async startVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`start VM ${p.vmId}`, p, "start", {}, opts);
  }

  /** Hard reset. */
  async resetVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`reset VM ${p.vmId}`, p, "reset", {}, opts);
  }

  /** Soft reboot; the operation fails when the guest has not rebooted within 3 minutes. */
  async rebootVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`reboot VM ${p.vmId}`, p, "reboot", {}, opts);
  }

  /** Pulls the plug: unsaved data in the guest is lost. */
  async powerOffVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`power off VM ${p.vmId}`, p, "poweroff", {}, opts);
  }

  /** ACPI shutdown; the operation fails when the guest has not stopped within 3 minutes. */
  async shutdownVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`shut down VM ${p.vmId}`, p, "shutdown", {}, opts);
  }

  /** Deletes at once: the SMS/e-mail confirmation of the control panel does not apply to the API. */
  async deleteVm(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`delete VM ${p.vmId}`, p, "delete", {}, opts);
  }

  async changePassword(p: VmRef & { password: string; sendPassword?: boolean }, opts?: CallOptions): Promise<OperationStarted> {
    globalRedactor.add(p.password);
    return this.vmOperation(`change password of VM ${p.vmId}`, p, "password_change", { password: p.password, sendPassword: p.sendPassword }, opts);
  }

  /** Rewrites authorized_keys with exactly these keys; an empty list empties it. */
  async changePublicKeys(p: VmRef & { keyIds: number[] }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change public keys of VM ${p.vmId}`, p, "pubkey_change", { keyIds: p.keyIds }, opts);
  }

  /** Refused on fixed tariffs; lowering memory needs a restart, which `allowRestart` permits. */
  async changeMemory(p: VmRef & { memory: number; allowRestart?: boolean }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change memory of VM ${p.vmId}`, p, "memory_change", { memory: p.memory, allowRestart: p.allowRestart }, opts);
  }

  /** Grows the disk while running; `allowMemoryChange` lets flops raise memory to keep disk ≤ 64 × memory. */
  async changeDisk(p: VmRef & { disk: number; allowMemoryChange?: boolean }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change disk of VM ${p.vmId}`, p, "disk_change", { disk: p.disk, allowMemoryChange: p.allowMemoryChange }, opts);
  }

  async changeCpu(p: VmRef & { cpu: number }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change cpu of VM ${p.vmId}`, p, "cpu_change", { cpu: p.cpu }, opts);
  }

  /** Only to a tariff whose disk is not smaller than the VM's. */
  async changeTariff(p: VmRef & { tariffId: number }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change tariff of VM ${p.vmId}`, p, "tariff_change", { tariffId: p.tariffId }, opts);
  }

  /** quantity 1–10 copies, frequency in hours: 3, 6, 12, 24 or 72. */
  async changeBackupPolicy(p: VmRef & { quantity: number; frequency: number }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`change backup policy of VM ${p.vmId}`, p, "backup_policy_change", { quantity: p.quantity, frequency: p.frequency }, opts);
  }

  // ---- IP addresses ----

  /** The new address is only visible in `getVm` afterwards: the answer does not name it. */
  async addIp(p: VmRef, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`add an IP address to VM ${p.vmId}`, p, "ip_add", {}, opts);
  }

  async deleteIp(p: VmRef & { ip: string }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`delete IP ${p.ip} of VM ${p.vmId}`, p, "ip_delete", { ip: p.ip }, opts);
  }

  /** Moves `ip` from VM `vmId` (of project `tenantId`) to VM `toVmId`. */
  async moveIp(p: VmRef & { toVmId: number; ip: string }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`move IP ${p.ip} from VM ${p.vmId} to VM ${p.toVmId}`, p, "ip_move", { toVmId: p.toVmId, ip: p.ip }, opts);
  }

  // ---- snapshots ----

  async listSnapshots(vmId: number, opts?: CallOptions): Promise<Snapshot[]> {
    return (await this.read(`list snapshots of VM ${vmId}`, `/vm/${vmId}/snapshots/`, snapshotListResponse, opts)).result;
  }

  /** The answer does not carry the snapshot id: find it in `listSnapshots` by name once the operation is done. */
  async createSnapshot(p: VmRef & { name: string; description?: string }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`create snapshot "${p.name}" of VM ${p.vmId}`, p, "snapshot_create", { name: p.name, description: p.description }, opts);
  }

  /** Also reverts the tariff to the one the VM had when the snapshot was taken. */
  async rollbackSnapshot(p: VmRef & { snapshotId: number }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`roll VM ${p.vmId} back to snapshot ${p.snapshotId}`, p, "snapshot_rollback", { snapshotId: p.snapshotId }, opts);
  }

  async deleteSnapshot(p: VmRef & { snapshotId: number; deleteChildren?: boolean }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(
      `delete snapshot ${p.snapshotId} of VM ${p.vmId}`,
      p,
      "snapshot_delete",
      { snapshotId: p.snapshotId, deleteChildren: p.deleteChildren },
      opts,
    );
  }

  // ---- backups ----

  async listBackups(vmId: number, opts?: CallOptions): Promise<Backup[]> {
    return (await this.read(`list backups of VM ${vmId}`, `/vm/${vmId}/backups/`, backupListResponse, opts)).result;
  }

  /** Destroys the current disk and every snapshot, and reverts the tariff; `createBackup` saves the current state first. */
  async rollbackBackup(p: VmRef & { backup: string; createBackup?: boolean }, opts?: CallOptions): Promise<OperationStarted> {
    return this.vmOperation(`roll VM ${p.vmId} back to backup ${p.backup}`, p, "backup_rollback", { backup: p.backup, createBackup: p.createBackup }, opts);
  }

  /**
   * Starts preparing a download link (billed as outgoing traffic); the finished operation's
   * `operationResult` is the link. Sent to the root the vendor documentation gives (see `backupDownloadRoot`). Should
   * that root answer a bare HTTP 404 (no route, so nothing was started), the vendor documentation's `/v1/` was a typo
   * for `/api/v1/`, and the call is repeated there: safe, since the first one never reached a handler.
   */
  async downloadBackup(p: VmRef & { backup: string }, opts?: CallOptions): Promise<OperationStarted> {
    const operation = `download backup ${p.backup} of VM ${p.vmId}`;
    const path = `/vm/${p.vmId}/backup_download/`;
    const query = { tenantId: p.tenantId, backup: p.backup };
    const root = backupDownloadRoot(this.endpoint);
    if (root === this.endpoint) return this.startOperation(operation, path, query, opts);
    try {
      return await this.startOperation(operation, `${root}${path}`, query, opts);
    } catch (e) {
      const routeMissing = isVpsError(e) && e.httpStatus === 404 && e.vendorCode === undefined;
      if (!routeMissing) throw e;
      return this.startOperation(operation, path, query, opts);
    }
  }

  // ---- account public keys ----

  async listPublicKeys(opts?: CallOptions): Promise<PublicKey[]> {
    return (await this.read("list public keys", "/pubkeys/", publicKeyListResponse, opts)).result;
  }

  /** Synchronous: answers with the stored key. */
  async addPublicKey(p: { tenantId: number; name: string; publicKey: string }, opts?: CallOptions): Promise<PublicKey> {
    return (
      await this.mutate(`add public key "${p.name}"`, "/pubkeys/add/", publicKeyResponse, { tenantId: p.tenantId, name: p.name, publicKey: p.publicKey }, opts)
    ).result;
  }

  async editPublicKey(p: { keyId: number; tenantId: number; name?: string; publicKey?: string }, opts?: CallOptions): Promise<PublicKey> {
    return (
      await this.mutate(
        `edit public key ${p.keyId}`,
        `/pubkeys/${p.keyId}/edit/`,
        publicKeyResponse,
        { tenantId: p.tenantId, name: p.name, publicKey: p.publicKey },
        opts,
      )
    ).result;
  }

  async deletePublicKey(p: { keyId: number; tenantId: number }, opts?: CallOptions): Promise<void> {
    await this.mutate(`delete public key ${p.keyId}`, `/pubkeys/${p.keyId}/delete/`, okResponse, { tenantId: p.tenantId }, opts);
  }

  // ---- operations ----

  async getOperation(operationId: number, opts?: CallOptions & { priority?: RequestPriority }): Promise<Operation> {
    return (await this.read(`read operation ${operationId}`, `/operation/${operationId}/`, operationResponse, opts)).result;
  }

  /**
   * Polls an operation until it is DONE and returns its final state. The vendor documentation lists no failure status,
   * so the defensive reading: any status other than PENDING and DONE, or any errorCode (even beside
   * DONE), is a failure, raised as kind "operationFailed" with the operation's id, type, code and message.
   */
  async waitForOperation(operationId: number, opts: WaitForOperationOptions): Promise<Operation> {
    const what = opts.what ?? `operation ${operationId}`;
    const result = await waitFor<Operation>({
      ...opts,
      host: FLOPS_HOST,
      what,
      clock: opts.clock ?? this.clock,
      backoff: this.waitBackoff,
      operation: opts.kind ? { kind: opts.kind, scope: `${this.endpoint}|${this.clientId}` } : undefined,
      poll: async (signal) => {
        const op = await this.getOperation(operationId, { signal, priority: "poll" });
        if (op.errorCode || (op.status !== OPERATION_STATUS.pending && op.status !== OPERATION_STATUS.done)) {
          throw operationFailure(op, what === `operation ${operationId}` ? undefined : what);
        }
        return { done: op.status === OPERATION_STATUS.done, value: op, percentage: op.percentage, status: op.status };
      },
    });
    // waitFor only returns once a poll said done, and every poll carries the operation.
    return result.value!;
  }
}

function operationFailure(op: Operation, what?: string): VpsError {
  const named = `operation ${op.id} (${op.operationType})`;
  return new VpsError(
    {
      kind: "operationFailed",
      host: FLOPS_HOST,
      operation: what ? `${what}: ${named}` : named,
      vendorCode: op.errorCode ?? undefined,
      vendorMessage: op.errorMessage ?? undefined,
      objectId: String(op.vmId),
      hint: flopsErrorHint(op.errorCode) ?? `it ended with status ${op.status}; run \`pulumi refresh\` to see the server's state, then \`pulumi up\` again`,
    },
    `ended with status ${op.status}`,
  );
}
