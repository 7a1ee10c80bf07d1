import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { type HandlerContext, defineResource, type ShapeOf } from "../core/resource";
import type { VpsorgClient } from "./client";
import { descriptionProperty, importFromProperty, operationTimeoutProperty, optionalText, serverIdProperty } from "./common";
import { HOST } from "./errors";
import { type Backup, MAX_MANUAL_BACKUPS_PER_SERVER } from "./schemas";
import {
  completedAdopted,
  createListed,
  findAdoptable,
  limitError,
  type ListedObjects,
  listedHandler,
  progressOf,
  progressOutputs,
  serverNameOutput,
} from "./listed";

/**
 * `vpsorg.Backup`: a manual backup (`POST /backups/`, answers `in_progress`), awaited through the
 * listing until `completed`; `DELETE /backups/{id}/` on delete. id = the backup id. The API changes
 * nothing of a backup in place, so any input change replaces it. Manual backups do not expire
 * (`expires_at: null`); an adopted automatic backup expires on the host's schedule and then leaves
 * the state on refresh.
 */

function limitHint(serverId: number, manual: Backup[]): string {
  const list = manual.map((b) => `${b.id} (${b.created_at}${b.description ? `, "${b.description}"` : ""})`).join(", ");
  return (
    `server ${serverId} already has ${manual.length} manual backups, the most the host keeps (${MAX_MANUAL_BACKUPS_PER_SERVER}): ${list}. ` +
    "Delete one (or remove its vpsorg.Backup resource) first"
  );
}

const manualOnly = (list: Backup[]) => list.filter((b) => b.backup_type === "manual");

const backupObjects: ListedObjects<Backup> = {
  kind: "backup",
  lister: "vpsorg.getBackups",
  list: (client, opts) => client.listBackups(opts),
  remove: (client, id, signal) => client.deleteBackup(id, signal),
  // Automatic backups do not count toward the limit: they expire on their own.
  full(serverId, listing, vendor) {
    const manual = manualOnly(listing);
    return manual.length >= MAX_MANUAL_BACKUPS_PER_SERVER ? limitError("backup", serverId, limitHint(serverId, manual), vendor) : undefined;
  },
  describe: (b) => `backup ${b.id} (${b.status}${b.description ? `, "${b.description}"` : ""})`,
};

const inputs = {
  serverId: serverIdProperty(true),
  description: descriptionProperty("Backup"),
  importFrom: importFromProperty("backup", "server and description"),
  operationTimeout: operationTimeoutProperty("backup"),
};

const outputs = {
  backupId: { schema: z.number().int(), description: "The vendor's backup id (what `vpsorg.BackupRestore` takes as `backupId`, as a string)" },
  backupType: { schema: z.string(), description: "`manual` (made by this resource) or `automatic` (an adopted scheduled backup)" },
  ...progressOutputs,
  expiresAt: { schema: z.string().nullable().optional(), description: "Expiry time (ISO 8601); null for manual backups, which do not expire" },
  serverName: serverNameOutput,
};

type Inputs = ShapeOf<typeof inputs>;

function outsOf(b: Backup) {
  return { backupId: b.id, backupType: b.backup_type, ...progressOf(b), expiresAt: b.expires_at, serverName: b.server.name };
}

function inputsOf(b: Backup, state: Partial<Inputs>): Inputs {
  return { serverId: b.server.id, description: optionalText(b.description), importFrom: state.importFrom, operationTimeout: state.operationTimeout };
}

/** One `POST /backups/`: "ours" is a new manual backup with this description. */
function createOnce(client: VpsorgClient, inputs: Inputs, before: Backup[], ctx: HandlerContext): Promise<Backup> {
  const description = inputs.description !== undefined ? { description: inputs.description } : {};
  return createListed(client, backupObjects, {
    serverId: inputs.serverId,
    before,
    operation: `POST /backups/ (server ${inputs.serverId})`,
    ctx,
    send: () => client.createBackup({ server_id: inputs.serverId, ...description }, ctx.signal),
    isOurs: (b) => b.backup_type === "manual" && optionalText(b.description) === optionalText(inputs.description),
  });
}

async function adopt(client: VpsorgClient, inputs: Inputs, ctx: HandlerContext): Promise<Backup> {
  const b = await findAdoptable(client, backupObjects, inputs, ctx);
  if (b.backup_type !== "manual")
    ctx.logger.warn(
      `${ctx.label}: backup ${b.id} is ${b.backup_type}: it expires on the host's schedule (${b.expires_at ?? "no date given"}), ` +
        "and deleting this resource deletes it",
    );
  return completedAdopted(client, backupObjects, b, inputs.operationTimeout, ctx);
}

export const backup = recordingOperationSeconds(
  defineResource({
    host: HOST,
    type: "Backup",
    description: "A manual backup of a VPS.org server; restore it with vpsorg.BackupRestore",
    inputs,
    outputs,
    notes: { id: 'the vendor\'s backup id as a decimal string (`"4321"`)' },
    handler: listedHandler(backupObjects, { adopt, start: createOnce, inputsOf, outsOf }),
  }),
);
