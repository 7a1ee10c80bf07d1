import { z } from "zod";

/**
 * Response bodies of the flops (Serveroid) resource API, one schema per shape the vendor documentation document
 * (../shared/seeds/002_74c82ddb414a514c.txt) shows. Every TypeScript type below is inferred from its
 * schema. Rules used throughout:
 * - objects are loose: fields the vendor adds later pass through instead of failing a `pulumi up`;
 * - a field every example shows is required; a field some example shows as `null` is nullable;
 * - enumerations the vendor documentation lists only by example (VM states, operation statuses and types, key types)
 *   are plain strings, so an unlisted value reaches the code that knows what to do with it (the
 *   waiter treats an unknown operation status as a failure) instead of becoming "unexpected response".
 */

const ok = z.literal("OK");

/** `{"status":"OK","result":...}`: the envelope of every synchronous answer. */
function resultEnvelope<T extends z.ZodType>(result: T) {
  return z.looseObject({ status: ok, result });
}

export const tenantSchema = z
  .looseObject({
    id: z.number().describe("Tenant (project) id: what the tenantId inputs take."),
    description: z.string().describe("The tenant's description (its name), as the API gives it."),
  })
  .describe("A project (tenant) of the account.");

export const distributionSchema = z
  .looseObject({
    id: z.number().describe("Catalog id; it changes between releases, so refer to a distribution by name or description."),
    name: z.string().describe("Family name, e.g. `DEBIAN`, `WINDOWS_2008_R2`: what a Server's distribution takes with bitness."),
    description: z.string().describe("Full name, e.g. `Ubuntu 14.04.1 x64`: what a Server's distribution takes alone."),
    bitness: z.number().describe("32 or 64."),
  })
  .describe("An installable distribution of the catalog.");

export const backupPolicySchema = z
  .looseObject({
    quantity: z.number().describe("Backups kept, 1–10."),
    frequency: z.number().describe("Hours between backups: 3, 6, 12, 24 or 72."),
  })
  .describe("A server's backup schedule.");

/**
 * A key of the account (`/pubkeys/`). The first list example has no `tenantId`, so it is optional;
 * `timeAdded` is nullable because the same key shows `null` there when embedded in a VM.
 */
export const publicKeySchema = z
  .looseObject({
    id: z.number().describe("Key id (a flops.PublicKey's id, as a number)."),
    tenantId: z.number().optional().describe("Tenant (project) id of the key, when the API gives it."),
    name: z.string().describe("Key name."),
    type: z.string().describe("Key type, e.g. RSA."),
    publicKey: z.string().describe("The public key text (OpenSSH format)."),
    timeAdded: z.number().nullable().describe("When the key was added, epoch milliseconds, or null."),
  })
  .describe("An SSH public key of the account.");

/** A key as embedded in a VM: the account's key, with `publicKey` and `timeAdded` `null` in every VM example. */
export const vmPublicKeySchema = publicKeySchema
  .extend({
    tenantId: z.number().describe("Tenant (project) id of the key."),
    publicKey: z.string().nullable().describe("The key text; the API leaves it out (null) here: flops.getPublicKeys has it."),
    timeAdded: z.number().nullable().describe("When the key was added, epoch milliseconds; null here as in the API's answer."),
    installed: z.boolean().describe("Whether the key is in the server's authorized_keys."),
    ownerUser: z.string().nullable().describe("The user who owns the key, as the API names it, or null."),
  })
  .describe("An SSH key as a server lists it.");

/** libvirt domain states; the vendor documentation shows these two, libvirt has more (paused, crashed...). */
export const VM_STATE = { running: "VIR_DOMAIN_RUNNING", shutoff: "VIR_DOMAIN_SHUTOFF" } as const;

export const vmSchema = z
  .looseObject({
    id: z.number().describe("Server (VM) id: a flops.Server's id, as a number."),
    tenantId: z.number().describe("Tenant (project) id."),
    name: z.string().describe("Server name."),
    internalId: z.string().describe("Vendor internal id, e.g. vm88534."),
    memory: z.number().describe("RAM in MB."),
    disk: z.number().describe("Disk in MB."),
    cpu: z.number().describe("CPU cores."),
    bandwidth: z.number().describe("Bandwidth in Mbit/s."),
    tariffId: z.number().describe("Tariff id (flops.getTariffs lists them)."),
    ipAddresses: z.array(z.string()).describe("Public IPv4 addresses."),
    // Every example has one, but a VM still being installed may not have its network yet: tolerate a
    // missing or null private address rather than fail a refresh of that VM.
    privateIpAddress: z.string().nullish().describe("Private address; absent while the server is being installed."),
    state: z.string().describe("Vendor (libvirt) state, e.g. VIR_DOMAIN_RUNNING or VIR_DOMAIN_SHUTOFF."),
    timeAdded: z.number().describe("Creation time, epoch milliseconds."),
    currentSnapshot: z.number().nullable().describe("Vendor id of the snapshot the server runs from, or null."),
    backupPolicy: backupPolicySchema,
    distribution: distributionSchema,
    ownerUser: z.string().nullable().describe("The user who owns the server, as the API names it, or null."),
    accessUsers: z.array(z.string()).describe("The users the server is shared with, as the API names them."),
    publicKeys: z.array(vmPublicKeySchema).describe("SSH keys known to the server."),
  })
  .describe("A server as the API reports it.");

export const snapshotSchema = z
  .looseObject({
    id: z.number().describe("The vendor's snapshot number: what flops.SnapshotRollback and a Server's cloneFrom take."),
    name: z.string().describe("Snapshot name."),
    // `description` is an optional parameter of snapshot_create, so a snapshot made without one may
    // come back with null.
    description: z.string().nullable().describe("Snapshot description, or null."),
    parentSnapshotId: z.number().nullable().describe("The snapshot this one was taken on top of, or null."),
    timeAdded: z.number().describe("When the snapshot was taken, epoch milliseconds."),
  })
  .describe("A snapshot of a server.");

export const backupSchema = z
  .looseObject({
    id: z.string().describe("A file name such as `diff-backupsnap…-backupsnap….lz4`: what flops.BackupRollback and getBackupDownloadUrl take."),
    size: z.number().describe("Size in MB."),
    timeAdded: z.number().describe("When the backup was taken, epoch milliseconds."),
  })
  .describe("A backup of a server.");

export const softwareSchema = z
  .looseObject({
    id: z.number().describe("Catalog id: what a Server's softwareIds take."),
    name: z.string().describe("Software name."),
  })
  .describe("Software that can be preinstalled on a new server.");

export const tariffSchema = z
  .looseObject({
    id: z.number().describe("Tariff id: what a Server's tariffId takes."),
    name: z.string().describe("Tariff name: what a Server's tariff takes."),
    memory: z.number().describe("RAM in MB (0 on on-demand tariffs, whose sizes are chosen per server)."),
    disk: z.number().describe("Disk in MB (0 on on-demand tariffs)."),
    cpu: z.number().describe("CPU cores (0 on on-demand tariffs)."),
    ipCount: z.number().describe("Public IPv4 addresses included."),
    onDemand: z.boolean().describe("Whether a Server on it takes memory, disk, cpu and ipCount (fixed tariffs ignore them)."),
    forWindows: z.boolean().describe("Whether the tariff is for Windows distributions."),
  })
  .describe("A tariff available to the account.");

/** Statuses the vendor documentation shows; anything else (ERROR, CANCELLED, ...) is read as a failure. */
export const OPERATION_STATUS = { pending: "PENDING", done: "DONE" } as const;

export const operationSchema = z
  .looseObject({
    id: z.number().describe("Operation id."),
    vmId: z.number().describe("Id of the server the operation works on."),
    tenantId: z.number().describe("Tenant (project) id of that server."),
    status: z.string().describe("PENDING while it runs, DONE when it has ended; any other status is a failure."),
    operationType: z.string().describe("What it does, e.g. `VM_DESTROY`, `VM_REVERT_TO_BACKUP`, `DOWNLOAD_BACKUP`."),
    percentage: z.number().describe("Progress, 0–100."),
    // null in every example; tolerated when absent, since a successful operation may omit them.
    errorMessage: z.string().nullish().describe("The vendor's error message when it failed."),
    errorCode: z.string().nullish().describe("The vendor's error code when it failed, e.g. error.inet.ip.guest.add."),
    operationResult: z.string().nullish().describe("Only on some operation types: the download link of DOWNLOAD_BACKUP."),
  })
  .describe("An asynchronous operation of the flops API.");

// ---- whole response bodies, one per endpoint shape ----

export const tenantListResponse = resultEnvelope(z.array(tenantSchema));
export const vmListResponse = resultEnvelope(z.array(vmSchema));
export const vmInfoResponse = resultEnvelope(vmSchema);
export const snapshotListResponse = resultEnvelope(z.array(snapshotSchema));
export const backupListResponse = resultEnvelope(z.array(backupSchema));
export const publicKeyListResponse = resultEnvelope(z.array(publicKeySchema));
/** pubkeys/add and pubkeys/{id}/edit answer with the stored key. */
export const publicKeyResponse = resultEnvelope(publicKeySchema);
export const distributionListResponse = resultEnvelope(z.array(distributionSchema));
export const softwareListResponse = resultEnvelope(z.array(softwareSchema));
export const tariffListResponse = resultEnvelope(z.array(tariffSchema));
export const operationResponse = resultEnvelope(operationSchema);

/**
 * The finished operation of backup_download: its `operationResult` is the download link, required
 * here because that link is the whole point of the call.
 */
export const backupDownloadOperationResponse = resultEnvelope(operationSchema.extend({ operationResult: z.string() }));

/**
 * The answer of every asynchronous (and most mutating) call: the id of the operation to poll.
 * Methods the vendor documentation does not call asynchronous (rename, start, reset, poweroff, delete, password and
 * size changes...) show the same answer, so they are all read this way.
 */
export const operationStartedResponse = z.looseObject({
  status: ok,
  operationId: z.number(),
});

/** install and clone: `result` is the id of the new VM, known before the operation ends. */
export const vmCreatedResponse = operationStartedResponse.extend({
  result: z.number(),
});

/** `{"status":"OK"}` with nothing else (pubkeys/{id}/delete). */
export const okResponse = z.looseObject({ status: ok });

/**
 * `{"status":"ERROR","errorCode":...,"errorMessage":...}`. Both fields are in every example; they are
 * optional here so that a bare `{"status":"ERROR"}` is still recognised as an error, not as an
 * unexpected shape.
 */
export const errorEnvelopeSchema = z.looseObject({
  status: z.literal("ERROR"),
  errorCode: z.string().nullish(),
  errorMessage: z.string().nullish(),
});

export type Tenant = z.infer<typeof tenantSchema>;
export type Distribution = z.infer<typeof distributionSchema>;
export type BackupPolicy = z.infer<typeof backupPolicySchema>;
export type VmPublicKey = z.infer<typeof vmPublicKeySchema>;
export type Vm = z.infer<typeof vmSchema>;
export type PublicKey = z.infer<typeof publicKeySchema>;
export type Snapshot = z.infer<typeof snapshotSchema>;
export type Backup = z.infer<typeof backupSchema>;
export type Software = z.infer<typeof softwareSchema>;
export type Tariff = z.infer<typeof tariffSchema>;
export type Operation = z.infer<typeof operationSchema>;
export type OperationStarted = z.infer<typeof operationStartedResponse>;
export type VmCreated = z.infer<typeof vmCreatedResponse>;
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;
