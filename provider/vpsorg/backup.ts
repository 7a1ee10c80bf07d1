import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { defineResource, type ShapeOf } from "../core/resource";
import { descriptionProperty, importFromProperty, operationTimeoutProperty, optionalText, serverIdProperty } from "./common";
import { HOST } from "./errors";
import { type Backup, MAX_MANUAL_BACKUPS_PER_SERVER } from "./schemas";
import { type ListedAdopt, type ListedObjects, type ListedStart, listedHandler, progressOf, progressOutputs, serverNameOutput } from "./listed";

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
  limit: { max: MAX_MANUAL_BACKUPS_PER_SERVER, counted: manualOnly, hint: limitHint },
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

/** The one `POST /backups/`: "ours" is a new manual backup with this description. */
const createOnce: ListedStart<Backup, Inputs> = {
  operation: (inputs) => `POST /backups/ (server ${inputs.serverId})`,
  send: (client, inputs, description, signal) => client.createBackup({ server_id: inputs.serverId, ...description }, signal),
  isOurs: (b, inputs) => b.backup_type === "manual" && optionalText(b.description) === optionalText(inputs.description),
};

/** An adopted automatic backup is not the user's to keep: the log says that it expires and that delete deletes it. */
const adopt: ListedAdopt<Backup, Inputs> = {
  found(b, ctx) {
    if (b.backup_type !== "manual")
      ctx.logger.warn(
        `${ctx.label}: backup ${b.id} is ${b.backup_type}: it expires on the host's schedule (${b.expires_at ?? "no date given"}), ` +
          "and deleting this resource deletes it",
      );
  },
};

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
