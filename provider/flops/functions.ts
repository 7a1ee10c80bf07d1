import { z } from "zod";
import { defineFunction, type FunctionDefinition, VpsError } from "../core";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, FLOPS_TIMEOUTS, startUnrepeatable, withVmLock } from "./operations";
import {
  backupSchema,
  distributionSchema,
  operationSchema,
  publicKeySchema,
  snapshotSchema,
  softwareSchema,
  tariffSchema,
  tenantSchema,
  vmSchema,
} from "./schemas";
import type { FlopsClient } from "./client";
import { flopsClientFromSettings } from "./settings";

/** Catalog and inventory functions; each reads the live API (no process cache: a function is asked for fresh data). */
const none = z.object({}).strict();

/**
 * A function without arguments that answers one of the account's lists whole: `result` is the answer's
 * schema, `{ <key>: z.array(...) }`, and `list` fetches that answer (`getTenants` → `{ tenants: [...] }`).
 */
function accountList<R extends z.ZodObject<Record<string, z.ZodArray<z.ZodType>>>>(o: {
  name: string;
  description: string;
  result: R;
  list: (c: FlopsClient) => Promise<z.infer<R>>;
}) {
  return defineFunction({
    host: FLOPS_HOST,
    name: o.name,
    description: o.description,
    args: none,
    result: o.result,
    run: () => o.list(flopsClientFromSettings()),
  });
}

export const getTenants = accountList({
  name: "getTenants",
  description: "Projects (tenants) of the account.",
  result: z.object({ tenants: z.array(tenantSchema).describe("The account's projects (tenants).") }),
  list: async (c) => ({ tenants: await c.listTenants() }),
});

export const getDistributions = defineFunction({
  host: FLOPS_HOST,
  name: "getDistributions",
  description:
    "Installable distributions, optionally filtered by family name (case-insensitive) and bitness. Ids change between releases: " +
    "refer to distributions by name.",
  args: z
    .object({
      name: z
        .string()
        .optional()
        .describe("Keep only this family name (e.g. `UBUNTU`) or full description (e.g. `Ubuntu 14.04.1 x64`), case-insensitive; unset: every distribution."),
      bitness: z
        .union([z.literal(32), z.literal(64)])
        .optional()
        .describe("Keep only 32- or 64-bit distributions; unset: both."),
    })
    .strict(),
  result: z.object({ distributions: z.array(distributionSchema).describe("The matching distributions, in catalog order.") }),
  run: async ({ name, bitness }) => ({
    distributions: (await flopsClientFromSettings().listDistributions()).filter(
      (d) =>
        (name === undefined || d.name.toLowerCase() === name.toLowerCase() || d.description.toLowerCase() === name.toLowerCase()) &&
        (bitness === undefined || d.bitness === bitness),
    ),
  }),
});

export const getTariffs = accountList({
  name: "getTariffs",
  description: "Tariffs available to the account (onDemand ones accept memory/disk/cpu).",
  result: z.object({ tariffs: z.array(tariffSchema).describe("The tariffs, in catalog order.") }),
  list: async (c) => ({ tariffs: await c.listTariffs() }),
});

export const getSoftware = accountList({
  name: "getSoftware",
  description: "Software that can be preinstalled on a new server.",
  result: z.object({ software: z.array(softwareSchema).describe("The software catalog.") }),
  list: async (c) => ({ software: await c.listSoftware() }),
});

export const getServers = accountList({
  name: "getServers",
  description: "Every server of the account (and those shared with it).",
  result: z.object({ servers: z.array(vmSchema).describe("The servers, as the API lists them.") }),
  list: async (c) => ({ servers: await c.listVms() }),
});

export const getServer = defineFunction({
  host: FLOPS_HOST,
  name: "getServer",
  description: "One server by id.",
  args: z
    .object({
      id: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).describe("Server id: a flops.Server's id (a decimal string) or the number."),
    })
    .strict(),
  result: vmSchema,
  run: async ({ id }) => flopsClientFromSettings().getVm(Number(id)),
});

export const getPublicKeys = accountList({
  name: "getPublicKeys",
  description: "SSH public keys of the account.",
  result: z.object({ publicKeys: z.array(publicKeySchema).describe("The keys, as the API lists them.") }),
  list: async (c) => ({ publicKeys: await c.listPublicKeys() }),
});

// ---- snapshots and backups ----

/** A server id as `server.id` gives it (a decimal string), or the number. */
const serverIdArg = z
  .union([z.string().regex(/^\d+$/, "must be a flops server id (a flops.Server's id)"), z.number().int().positive()])
  .describe("Server id: a flops.Server's id (a decimal string) or the number.");

/** The server id a function answers for, as a flops.Server's id. */
const serverIdResult = z.string().describe("The server's id, as a flops.Server's id (a decimal string).");

export const getSnapshots = defineFunction({
  host: FLOPS_HOST,
  name: "getSnapshots",
  description: "Snapshots of one server, oldest first, with the server's currentSnapshot (the one it runs from).",
  args: z.object({ serverId: serverIdArg }).strict(),
  result: z.object({
    serverId: serverIdResult,
    currentSnapshot: z.number().nullable().describe("Vendor id of the snapshot the server runs from, or null."),
    snapshots: z
      .array(
        snapshotSchema
          .extend({ current: z.boolean().describe("Whether the server runs from this snapshot (it is its currentSnapshot).") })
          .describe("A snapshot of the server."),
      )
      .describe("The server's snapshots, oldest first."),
  }),
  run: async ({ serverId }) => {
    const c = flopsClientFromSettings();
    const vmId = Number(serverId);
    const [vm, list] = await Promise.all([c.getVm(vmId), c.listSnapshots(vmId)]);
    const snapshots = [...list].sort((a, b) => a.timeAdded - b.timeAdded || a.id - b.id).map((s) => ({ ...s, current: s.id === vm.currentSnapshot }));
    return { serverId: String(vmId), currentSnapshot: vm.currentSnapshot, snapshots };
  },
});

export const getBackups = defineFunction({
  host: FLOPS_HOST,
  name: "getBackups",
  description: "Backups of one server, oldest first (the last is the newest); ids are what flops.BackupRollback and getBackupDownloadUrl take.",
  args: z.object({ serverId: serverIdArg }).strict(),
  result: z.object({ serverId: serverIdResult, backups: z.array(backupSchema).describe("The server's backups, oldest first (the last is the newest).") }),
  run: async ({ serverId }) => {
    const list = await flopsClientFromSettings().listBackups(Number(serverId));
    return { serverId: String(serverId), backups: [...list].sort((a, b) => a.timeAdded - b.timeAdded) };
  },
});

/**
 * backup_download: flops prepares a download link (billed as the server's outgoing traffic) and the
 * finished operation carries it. Every call starts a new preparation, so call it on demand (behind a
 * config flag), not on every preview. The vendor documentation puts this one method under `/v1/vm/...` instead of
 * `/api/v1/vm/...`; the client derives that root from the configured endpoint (see
 * `backupDownloadRoot` in client.ts) so a simulator or proxy endpoint gets the same treatment.
 */
export const getBackupDownloadUrl = defineFunction({
  host: FLOPS_HOST,
  name: "getBackupDownloadUrl",
  description: "Prepares a download link for one backup (backup_download, billed as outgoing traffic) and waits for it.",
  args: z
    .object({
      serverId: serverIdArg,
      backup: z.string().min(1, "must be a backup id (flops.getBackups lists them)").describe("Id of the backup (a file name from flops.getBackups)."),
      operationTimeout: FLOPS_TIMEOUTS.argument(["other"]),
    })
    .strict(),
  result: z.object({
    serverId: serverIdResult,
    backup: z.string().describe("Id of the backup."),
    url: z.string().describe("The download link; downloading it is billed as the server's outgoing traffic."),
    operationId: z.number().describe("The flops operation that prepared the link (flops.getOperation reads it)."),
  }),
  run: async ({ serverId, backup, operationTimeout }, ctx) => {
    const c = flopsClientFromSettings();
    const vmId = Number(serverId);
    return withVmLock(vmId, async () => {
      const vm = await c.getVm(vmId);
      // Every call prepares (and may bill) another export, and flops lists no operations to find a lost one by: not repeated.
      const started = await startUnrepeatable(
        ctx,
        `backup_download of backup ${backup} of server ${vmId}`,
        () => c.downloadBackup({ vmId, tenantId: vm.tenantId, backup }),
        `a second request would prepare another export of backup ${backup}: look at server ${vmId}'s operations in the panel, then ` +
          `call getBackupDownloadUrl again if no link was prepared`,
      );
      const op = await awaitOperation(c, started, `prepare the download of backup ${backup} of server ${vmId}`, ctx, {
        operationTimeout,
        kind: "backup download",
      });
      if (!op.operationResult) {
        throw new VpsError({
          kind: "badResponse",
          host: FLOPS_HOST,
          operation: `download backup ${backup} of server ${vmId} (operation ${started.operationId})`,
          hint: "the finished operation carries no link (operationResult); try again later",
        });
      }
      return { serverId: String(vmId), backup, url: op.operationResult, operationId: started.operationId };
    });
  },
});

export const getOperation = defineFunction({
  host: FLOPS_HOST,
  name: "getOperation",
  description: "One asynchronous operation by id (status, type, percentage, vendor error), e.g. one a timed-out `pulumi up` named.",
  args: z
    .object({
      operationId: z
        .union([z.string().regex(/^\d+$/), z.number().int().positive()])
        .describe("Operation id, as a number or a decimal string (a timeout error names it)."),
    })
    .strict(),
  result: operationSchema,
  run: async ({ operationId }) => flopsClientFromSettings().getOperation(Number(operationId)),
});

export const functions: FunctionDefinition[] = [
  getTenants,
  getDistributions,
  getTariffs,
  getSoftware,
  getServers,
  getServer,
  getPublicKeys,
  getSnapshots,
  getBackups,
  getBackupDownloadUrl,
  getOperation,
];
