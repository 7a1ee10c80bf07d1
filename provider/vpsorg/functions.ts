import { z } from "zod";
import { defineFunction } from "../core/resource";
import { clientFor, optionalText } from "./common";
import { HOST } from "./errors";
import { BACKUP_TYPES } from "./schemas";

/**
 * `vpsorg.getSnapshots` and `vpsorg.getBackups`: the listings, every page followed, in camelCase
 * with `id` as a string (what `vpsorg.SnapshotRestore.snapshotId` / `BackupRestore.backupId` take).
 */

const snapshotItem = z.object({
  id: z.string(),
  snapshotId: z.number(),
  serverId: z.number(),
  serverName: z.string(),
  name: z.string(),
  status: z.string(),
  sizeMb: z.number().nullable(),
  createdAt: z.string(),
  description: z.string().optional(),
});

const backupItem = z.object({
  id: z.string(),
  backupId: z.number(),
  serverId: z.number(),
  serverName: z.string(),
  backupType: z.string(),
  status: z.string(),
  sizeMb: z.number().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  description: z.string().optional(),
});

export const getSnapshots = defineFunction({
  host: HOST,
  name: "getSnapshots",
  description: "Snapshots of one server (or of every server of the account), newest first as the API lists them",
  args: z.object({ serverId: z.number().int().positive().optional() }),
  result: z.object({ serverId: z.number().optional(), snapshots: z.array(snapshotItem) }),
  async run(args, ctx) {
    const list = await clientFor(ctx).listSnapshots({ serverId: args.serverId, signal: ctx.signal });
    return {
      serverId: args.serverId,
      snapshots: list.map((s) => ({ id: String(s.id), snapshotId: s.id, serverId: s.server.id, serverName: s.server.name, name: s.name, status: s.status, sizeMb: s.size_mb, createdAt: s.created_at, description: optionalText(s.description) })),
    };
  },
});

export const getBackups = defineFunction({
  host: HOST,
  name: "getBackups",
  description: "Backups (manual and automatic) of one server or of every server of the account",
  args: z.object({ serverId: z.number().int().positive().optional(), backupType: z.enum(BACKUP_TYPES).optional() }),
  result: z.object({ serverId: z.number().optional(), backups: z.array(backupItem) }),
  async run(args, ctx) {
    const list = await clientFor(ctx).listBackups({ serverId: args.serverId, backupType: args.backupType, signal: ctx.signal });
    return {
      serverId: args.serverId,
      backups: list.map((b) => ({ id: String(b.id), backupId: b.id, serverId: b.server.id, serverName: b.server.name, backupType: b.backup_type, status: b.status, sizeMb: b.size_mb, createdAt: b.created_at, expiresAt: b.expires_at, description: optionalText(b.description) })),
    };
  },
});
