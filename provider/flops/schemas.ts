import { z } from "zod";

/**
 * Response bodies of the flops (Serveroid) resource API, one schema per shape the seed document
 * (../shared/seeds/002_74c82ddb414a514c.txt) shows. Every TypeScript type below is inferred from its
 * schema. Rules used throughout:
 * - objects are loose: fields the vendor adds later pass through instead of failing a `pulumi up`;
 * - a field every example shows is required; a field some example shows as `null` is nullable;
 * - enumerations the seed lists only by example (VM states, operation statuses and types, key types)
 *   are plain strings, so an unlisted value reaches the code that knows what to do with it (the
 *   waiter treats an unknown operation status as a failure) instead of becoming "unexpected response".
 */

const ok = z.literal("OK");

/** `{"status":"OK","result":...}`: the envelope of every synchronous answer. */
function resultEnvelope<T extends z.ZodType>(result: T) {
  return z.looseObject({ status: ok, result });
}

export const tenantSchema = z.looseObject({
  id: z.number(),
  description: z.string(),
});

export const distributionSchema = z.looseObject({
  id: z.number(),
  /** Family, e.g. `DEBIAN`, `WINDOWS_2008_R2`; ids change between releases, names do not. */
  name: z.string(),
  description: z.string(),
  bitness: z.number(),
});

export const backupPolicySchema = z.looseObject({
  /** Copies kept, 1–10. */
  quantity: z.number(),
  /** Hours between copies: 3, 6, 12, 24 or 72. */
  frequency: z.number(),
});

/** A key as embedded in a VM: `publicKey` and `timeAdded` are `null` in every VM example. */
export const vmPublicKeySchema = z.looseObject({
  id: z.number(),
  tenantId: z.number(),
  name: z.string(),
  type: z.string(),
  publicKey: z.string().nullable(),
  timeAdded: z.number().nullable(),
  /** Whether the key is in the VM's authorized_keys. */
  installed: z.boolean(),
  ownerUser: z.string().nullable(),
});

/** libvirt domain states; the seed shows these two, libvirt has more (paused, crashed...). */
export const VM_STATE = { running: "VIR_DOMAIN_RUNNING", shutoff: "VIR_DOMAIN_SHUTOFF" } as const;

export const vmSchema = z.looseObject({
  id: z.number(),
  tenantId: z.number(),
  name: z.string(),
  internalId: z.string(),
  /** MB. */
  memory: z.number(),
  /** MB. */
  disk: z.number(),
  cpu: z.number(),
  /** Mbit/s. */
  bandwidth: z.number(),
  tariffId: z.number(),
  ipAddresses: z.array(z.string()),
  // Every example has one, but a VM still being installed may not have its network yet: tolerate a
  // missing or null private address rather than fail a refresh of that VM.
  privateIpAddress: z.string().nullish(),
  state: z.string(),
  /** Epoch milliseconds. */
  timeAdded: z.number(),
  /** Id of the snapshot the VM runs from, or null. */
  currentSnapshot: z.number().nullable(),
  backupPolicy: backupPolicySchema,
  distribution: distributionSchema,
  ownerUser: z.string().nullable(),
  accessUsers: z.array(z.string()),
  publicKeys: z.array(vmPublicKeySchema),
});

/**
 * A key of the account (`/pubkeys/`). The first list example has no `tenantId`, so it is optional;
 * `timeAdded` is nullable because the same key shows `null` there when embedded in a VM.
 */
export const publicKeySchema = z.looseObject({
  id: z.number(),
  tenantId: z.number().optional(),
  name: z.string(),
  type: z.string(),
  publicKey: z.string(),
  timeAdded: z.number().nullable(),
});

export const snapshotSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  // `description` is an optional parameter of snapshot_create, so a snapshot made without one may
  // come back with null.
  description: z.string().nullable(),
  parentSnapshotId: z.number().nullable(),
  timeAdded: z.number(),
});

export const backupSchema = z.looseObject({
  /** A file name such as `diff-backupsnap…-backupsnap….lz4`; it is the id backup_rollback takes. */
  id: z.string(),
  /** MB, like every other size in this API. */
  size: z.number(),
  timeAdded: z.number(),
});

export const softwareSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
});

export const tariffSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  memory: z.number(),
  disk: z.number(),
  /** 0 on the on-demand tariffs, whose sizes are chosen per VM. */
  cpu: z.number(),
  ipCount: z.number(),
  /** On-demand tariffs accept memory/disk/cpu; fixed ones ignore them. */
  onDemand: z.boolean(),
  forWindows: z.boolean(),
});

/** Statuses the seed shows; anything else (ERROR, CANCELLED, ...) is read as a failure. */
export const OPERATION_STATUS = { pending: "PENDING", done: "DONE" } as const;

export const operationSchema = z.looseObject({
  id: z.number(),
  vmId: z.number(),
  tenantId: z.number(),
  status: z.string(),
  /** e.g. `VM_DESTROY`, `VM_REVERT_TO_BACKUP`, `DOWNLOAD_BACKUP`. */
  operationType: z.string(),
  /** 0–100. */
  percentage: z.number(),
  // null in every example; tolerated when absent, since a successful operation may omit them.
  errorMessage: z.string().nullish(),
  errorCode: z.string().nullish(),
  /** Only on some operation types: the download link of DOWNLOAD_BACKUP. */
  operationResult: z.string().nullish(),
});

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
 * Methods the seed does not call asynchronous (rename, start, reset, poweroff, delete, password and
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
