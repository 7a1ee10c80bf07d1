import { z } from "zod";
import { defineFunction } from "../core";
import { DEFAULT_SNAPSHOT_TYPE } from "./client";
import { HOSTKEY_HOST } from "./errors";
import { HOSTKEY_TIMEOUTS, serverIdSchema, snapshotTypeSchema } from "./operations";
import { hostkeyClientFromSettings } from "./settings";

const serverIdArg = serverIdSchema.describe("Id of the HOSTKEY virtual machine.");
const serverIdResult = z.number().describe("The virtual machine asked about.");

/** `hostkey.getSnapshots`: vm/get_snapshot (waiting when the host answers with a task). */
export const getSnapshotsFunction = defineFunction({
  host: HOSTKEY_HOST,
  name: "getSnapshots",
  description: "The snapshots of a HOSTKEY virtual machine and its rotation settings (invapi vm/get_snapshot).",
  args: z.object({
    serverId: serverIdArg,
    type: snapshotTypeSchema.describe(`Snapshot type (invapi \`type\`): a plain word; unset: \`${DEFAULT_SNAPSHOT_TYPE}\`.`),
    operationTimeout: HOSTKEY_TIMEOUTS.argument(["short"]),
  }),
  result: z.object({
    serverId: serverIdResult,
    type: z.string().describe("The snapshot type listed."),
    snapshots: z
      .array(
        z
          .object({
            name: z.string().describe("Snapshot name: what hostkey.SnapshotRestore's name takes."),
            snapshotId: z.string().optional().describe("The host's `snapshot_id` (absent while the host has not assigned one)."),
            createdAt: z.string().optional().describe("The snapshot's `date` as the host lists it."),
          })
          .describe("A snapshot of the virtual machine."),
      )
      .describe("The VM's snapshots of this type, as the host lists them."),
    enableRotation: z.boolean().describe("Whether the host rotates (deletes old) snapshots automatically."),
    excludeFromRotation: z.array(z.string()).describe("Names of snapshots rotation never deletes."),
  }),
  async run(args, ctx) {
    const type = args.type ?? DEFAULT_SNAPSHOT_TYPE;
    const listing = await hostkeyClientFromSettings().getSnapshots(args.serverId, type, {
      timeoutMs: HOSTKEY_TIMEOUTS.ms("short", args.operationTimeout, ctx),
      clock: ctx.clock,
      signal: ctx.signal,
      progress: { logger: ctx.logger, label: ctx.label },
    });
    return {
      serverId: args.serverId,
      type,
      snapshots: listing.snapshots.map((s) => ({ name: s.name, snapshotId: s.snapshot_id, createdAt: s.date })),
      enableRotation: listing.settings.enableRotation,
      excludeFromRotation: listing.settings.excludeRotation,
    };
  },
});

/**
 * `hostkey.getStats`: vm/load_stats, then the task's context. The figures' fields are not published,
 * so they are passed on as the host sends them.
 */
export const getStatsFunction = defineFunction({
  host: HOSTKEY_HOST,
  name: "getStats",
  description: "Resource usage statistics of a HOSTKEY virtual machine (invapi vm/load_stats, waited for), as the host reports them.",
  args: z.object({ serverId: serverIdArg, operationTimeout: HOSTKEY_TIMEOUTS.argument(["short"]) }),
  result: z.object({
    serverId: serverIdResult,
    stats: z.record(z.string(), z.unknown()).describe("The load_stats task's context as the host sends it (its fields are not published)."),
  }),
  async run(args, ctx) {
    const stats = await hostkeyClientFromSettings().loadStats(args.serverId, {
      timeoutMs: HOSTKEY_TIMEOUTS.ms("short", args.operationTimeout, ctx),
      clock: ctx.clock,
      signal: ctx.signal,
      progress: { logger: ctx.logger, label: ctx.label },
    });
    return { serverId: args.serverId, stats };
  },
});
