import { z } from "zod";
import { defineFunction, operationTimeoutMs } from "../core";
import { DEFAULT_SNAPSHOT_TYPE, HOSTKEY_DEFAULT_SHORT_TIMEOUT_SECONDS } from "./client";
import { HOSTKEY_HOST } from "./errors";
import { operationTimeoutSchema, progressTo, serverIdSchema, snapshotTypeSchema } from "./operations";
import { hostkeyClientFromSettings } from "./settings";

/** `hostkey.getSnapshots`: vm/get_snapshot (waiting when the host answers with a task). */
export const getSnapshotsFunction = defineFunction({
  host: HOSTKEY_HOST,
  name: "getSnapshots",
  description: "The snapshots of a HOSTKEY virtual machine and its rotation settings (invapi vm/get_snapshot).",
  args: z.object({ serverId: serverIdSchema, type: snapshotTypeSchema }),
  result: z.object({
    serverId: z.number(),
    type: z.string(),
    snapshots: z.array(z.object({ name: z.string(), snapshotId: z.string().optional(), createdAt: z.string().optional() })),
    enableRotation: z.boolean(),
    excludeFromRotation: z.array(z.string()),
  }),
  async run(args, ctx) {
    const type = args.type ?? DEFAULT_SNAPSHOT_TYPE;
    const listing = await hostkeyClientFromSettings().getSnapshots(args.serverId, type, {
      timeoutMs: operationTimeoutMs(HOSTKEY_HOST, undefined, ctx, HOSTKEY_DEFAULT_SHORT_TIMEOUT_SECONDS),
      signal: ctx.signal,
      onProgress: progressTo(ctx, "vm/get_snapshot task"),
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
  args: z.object({ serverId: serverIdSchema, operationTimeout: operationTimeoutSchema }),
  result: z.object({ serverId: z.number(), stats: z.record(z.string(), z.unknown()) }),
  async run(args, ctx) {
    const stats = await hostkeyClientFromSettings().loadStats(args.serverId, {
      timeoutMs: operationTimeoutMs(HOSTKEY_HOST, args.operationTimeout, ctx, HOSTKEY_DEFAULT_SHORT_TIMEOUT_SECONDS),
      signal: ctx.signal,
      onProgress: progressTo(ctx, "vm/load_stats task"),
    });
    return { serverId: args.serverId, stats };
  },
  notes: {
    details: ["`vm/load_stats`, waiting for its task; `stats` is the task's context as the host sends it (its figures are not published)."],
  },
});
