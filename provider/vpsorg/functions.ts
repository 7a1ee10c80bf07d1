import { z } from "zod";
import { defineFunction } from "../core/resource";
import { optionalText } from "./common";
import { vpsorgClientFromSettings } from "./settings";
import { HOST } from "./errors";
import { type Backup, BACKUP_TYPES, type Snapshot } from "./schemas";

/**
 * `vpsorg.getSnapshots` and `vpsorg.getBackups`: the listings, every page followed, in camelCase
 * with `id` as a string (what `vpsorg.SnapshotRestore.snapshotId` / `BackupRestore.backupId` take).
 */

/** The fields a snapshot and a backup item have alike, in pieces so that each item keeps the order the schema lists. */
const serverFields = {
  serverId: z.number().describe("VPS.org server id."),
  serverName: z.string().describe("The server's name."),
};
const progressFields = {
  status: z.string().describe("Vendor status: `in_progress` while it is made, `completed` when ready."),
  sizeMb: z.number().nullable().describe("Size in MB, or null while unknown."),
  createdAt: z.string().describe("Creation time (ISO 8601)."),
};
const description = z.string().optional().describe("Description, when it has one.");

/** The alike fields of a listing entry, and its id as a string. */
function commonItem(x: Snapshot | Backup) {
  return {
    id: String(x.id),
    serverId: x.server.id,
    serverName: x.server.name,
    status: x.status,
    sizeMb: x.size_mb,
    createdAt: x.created_at,
    description: optionalText(x.description),
  };
}

/**
 * A listing entry's schema: `id` as a string, then `fields` (the vendor's id, the alike fields and the
 * kind's own, in the order the schema lists them), then the description.
 */
function listedItem<F extends z.ZodRawShape>(kind: "snapshot" | "backup", fields: F) {
  const Kind = kind === "snapshot" ? "Snapshot" : "Backup";
  return z
    .object({
      id: z.string().describe(`${Kind} id as a string: what vpsorg.${Kind}Restore's ${kind}Id and a ${Kind}'s importFrom take.`),
      ...fields,
      description,
    })
    .describe(`A ${kind} of a VPS.org server.`);
}

const snapshotItem = listedItem("snapshot", {
  snapshotId: z.number().describe("The vendor's snapshot id."),
  ...serverFields,
  name: z.string().describe("Snapshot name."),
  ...progressFields,
});

const backupItem = listedItem("backup", {
  backupId: z.number().describe("The vendor's backup id."),
  ...serverFields,
  backupType: z.string().describe("`manual` or `automatic` (made by the host's schedule)."),
  ...progressFields,
  expiresAt: z.string().nullable().describe("Expiry time (ISO 8601); null for manual backups, which do not expire."),
});

const serverFilter = z.number().int().positive().optional().describe("Only this server's (VPS.org server id); unset: every server of the account.");
const serverAnswered = z.number().optional().describe("The serverId asked for, if any.");

export const getSnapshots = defineFunction({
  host: HOST,
  name: "getSnapshots",
  description: "Snapshots of one server (or of every server of the account), newest first as the API lists them",
  args: z.object({ serverId: serverFilter }),
  result: z.object({ serverId: serverAnswered, snapshots: z.array(snapshotItem).describe("The snapshots, newest first.") }),
  async run(args, ctx) {
    const list = await vpsorgClientFromSettings().listSnapshots({ serverId: args.serverId, signal: ctx.signal });
    return {
      serverId: args.serverId,
      snapshots: list.map((s) => ({ ...commonItem(s), snapshotId: s.id, name: s.name })),
    };
  },
});

export const getBackups = defineFunction({
  host: HOST,
  name: "getBackups",
  description: "Backups (manual and automatic) of one server or of every server of the account",
  args: z.object({
    serverId: serverFilter,
    backupType: z
      .enum(BACKUP_TYPES)
      .optional()
      .describe(`Only backups of this type: ${BACKUP_TYPES.map((t) => `\`${t}\``).join(" or ")}; unset: both.`),
  }),
  result: z.object({ serverId: serverAnswered, backups: z.array(backupItem).describe("The backups, in the order the API lists them.") }),
  async run(args, ctx) {
    const list = await vpsorgClientFromSettings().listBackups({ serverId: args.serverId, backupType: args.backupType, signal: ctx.signal });
    return {
      serverId: args.serverId,
      backups: list.map((b) => ({ ...commonItem(b), backupId: b.id, backupType: b.backup_type, expiresAt: b.expires_at })),
    };
  },
});
