import { z } from "zod";
import { defineFunction } from "../core/resource";
import { clientFor, optionalText } from "./common";
import { HOST } from "./errors";
import { BACKUP_TYPES } from "./schemas";

/**
 * `vpsorg.getSnapshots` and `vpsorg.getBackups`: the listings, every page followed, in camelCase
 * with `id` as a string (what `vpsorg.SnapshotRestore.snapshotId` / `BackupRestore.backupId` take).
 */

const serverId = z.number().describe("VPS.org server id.");
const serverName = z.string().describe("The server's name.");
const status = z.string().describe("Vendor status: `in_progress` while it is made, `completed` when ready.");
const sizeMb = z.number().nullable().describe("Size in MB, or null while unknown.");
const createdAt = z.string().describe("Creation time (ISO 8601).");
const description = z.string().optional().describe("Description, when it has one.");

const snapshotItem = z
  .object({
    id: z.string().describe("Snapshot id as a string: what vpsorg.SnapshotRestore's snapshotId and a Snapshot's importFrom take."),
    snapshotId: z.number().describe("The vendor's snapshot id."),
    serverId,
    serverName,
    name: z.string().describe("Snapshot name."),
    status,
    sizeMb,
    createdAt,
    description,
  })
  .describe("A snapshot of a VPS.org server.");

const backupItem = z
  .object({
    id: z.string().describe("Backup id as a string: what vpsorg.BackupRestore's backupId and a Backup's importFrom take."),
    backupId: z.number().describe("The vendor's backup id."),
    serverId,
    serverName,
    backupType: z.string().describe("`manual` or `automatic` (made by the host's schedule)."),
    status,
    sizeMb,
    createdAt,
    expiresAt: z.string().nullable().describe("Expiry time (ISO 8601); null for manual backups, which do not expire."),
    description,
  })
  .describe("A backup of a VPS.org server.");

const serverFilter = z.number().int().positive().optional().describe("Only this server's (VPS.org server id); unset: every server of the account.");
const serverAnswered = z.number().optional().describe("The serverId asked for, if any.");

export const getSnapshots = defineFunction({
  host: HOST,
  name: "getSnapshots",
  description: "Snapshots of one server (or of every server of the account), newest first as the API lists them",
  args: z.object({ serverId: serverFilter }),
  result: z.object({ serverId: serverAnswered, snapshots: z.array(snapshotItem).describe("The snapshots, newest first.") }),
  async run(args, ctx) {
    const list = await clientFor(ctx).listSnapshots({ serverId: args.serverId, signal: ctx.signal });
    return {
      serverId: args.serverId,
      snapshots: list.map((s) => ({
        id: String(s.id),
        snapshotId: s.id,
        serverId: s.server.id,
        serverName: s.server.name,
        name: s.name,
        status: s.status,
        sizeMb: s.size_mb,
        createdAt: s.created_at,
        description: optionalText(s.description),
      })),
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
    const list = await clientFor(ctx).listBackups({ serverId: args.serverId, backupType: args.backupType, signal: ctx.signal });
    return {
      serverId: args.serverId,
      backups: list.map((b) => ({
        id: String(b.id),
        backupId: b.id,
        serverId: b.server.id,
        serverName: b.server.name,
        backupType: b.backup_type,
        status: b.status,
        sizeMb: b.size_mb,
        createdAt: b.created_at,
        expiresAt: b.expires_at,
        description: optionalText(b.description),
      })),
    };
  },
});
