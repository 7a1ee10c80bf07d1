import { z } from "zod";
import { type HandlerContext, isVpsError, lockKey, objectLocks, OperationTimeouts, type PropertySpec, sharedListing, waitFor } from "../core";
import { DEFAULT_SNAPSHOT_TYPE, type HostkeyClient, taskBackoff, type TaskResult } from "./client";
import { HOSTKEY_HOST } from "./errors";
import type { SnapshotEntry, SnapshotListing } from "./schemas";

/**
 * What the hostkey resources share: input schemas with the documented limits, ids, wait limits,
 * progress lines and the "poll the listing until it shows X" wait.
 */

/**
 * Default wait limits (seconds per wait). invapi documents no durations; HOSTKEY's Terraform provider
 * waits 90 minutes for deploys, and settings updates and statistics are small tasks.
 */
export const HOSTKEY_TIMEOUTS = new OperationTimeouts(HOSTKEY_HOST, {
  snapshot: { seconds: 30 * 60, waits: "snapshot create, remove and restore" },
  short: { seconds: 5 * 60, waits: "listings, rotation settings and statistics" },
});

export const serverIdSchema = z
  .number({ message: "must be the VM id (a positive whole number)" })
  .int("must be a whole number (the VM id)")
  .positive("must be a positive VM id");

/** vm/create_snapshot: "allowed characters: a-zA-Z0-9_-." (HOSTKEY's invapi documentation). */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const snapshotNameSchema = z
  .string()
  .regex(SNAPSHOT_NAME_PATTERN, "may contain only ASCII letters, digits, _, - and . (the characters vm/create_snapshot allows), and must not be empty");

/** invapi's documentation: `type` is optional, default 'snapshot'; other values are not listed, so only a plain word is accepted. */
export const snapshotTypeSchema = z
  .string()
  .regex(/^[A-Za-z0-9_]+$/, 'must be a plain word such as "snapshot" (the documented default)')
  .optional();

/** The `serverId` input of every resource: the VM, which the resource cannot move to another. */
export const serverIdInput = (description = "Id of the HOSTKEY virtual machine.") =>
  ({ schema: serverIdSchema, description, replaceOnChange: true }) satisfies PropertySpec;

/** The `type` input (invapi `type`) of every resource, default `snapshot`. */
export const snapshotTypeInput = (description = "Snapshot type (invapi `type`): a plain word.") =>
  ({ schema: snapshotTypeSchema, description, default: DEFAULT_SNAPSHOT_TYPE, replaceOnChange: true }) satisfies PropertySpec;

/** `"<serverId>/<name>"`: the Snapshot id and its `importFrom` form. Names cannot hold `/`, so the split is unambiguous. */
export const SNAPSHOT_ID_PATTERN = /^(\d+)\/([A-Za-z0-9_.-]+)$/;

export function snapshotId(serverId: number, name: string): string {
  return `${serverId}/${name}`;
}

export function parseSnapshotId(id: string): { serverId: number; name: string } | undefined {
  const m = SNAPSHOT_ID_PATTERN.exec(id);
  return m ? { serverId: Number(m[1]), name: m[2] } : undefined;
}

export function findSnapshot(listing: SnapshotListing, name: string): SnapshotEntry | undefined {
  return listing.snapshots.find((s) => s.name === name);
}

export function namesOf(listing: SnapshotListing): string {
  return listing.snapshots.length ? listing.snapshots.map((s) => s.name).join(", ") : "none";
}

/** Runs `work` while no other work of this process runs on the VM. */
export function underServerLock<T>(serverId: number, work: () => Promise<T>): Promise<T> {
  return objectLocks.run(lockKey(HOSTKEY_HOST, "server", serverId), work);
}

/** get_snapshot inside a handler (its clock and signal); a task it answers with is waited for up to `timeoutMs`. */
export function getListing(client: HostkeyClient, ctx: HandlerContext, serverId: number, type: string, timeoutMs: number): Promise<SnapshotListing> {
  return client.getSnapshots(serverId, type, { timeoutMs, clock: ctx.clock, signal: ctx.signal });
}

/** Waits for a mutation's task with the handler's clock, signal and progress lines. */
export function waitForTask(
  client: HostkeyClient,
  ctx: HandlerContext,
  key: string,
  o: { action: string; timeoutMs: number; objectId: string },
): Promise<TaskResult> {
  return client.waitTask(key, { ...o, clock: ctx.clock, signal: ctx.signal, progress: { logger: ctx.logger, label: ctx.label } });
}

/** A task key HOSTKEY no longer knows (its first OK answer was lost): the listing decides instead. */
export function warnTaskVanished(ctx: HandlerContext, key: string): void {
  ctx.logger.warn(`${ctx.label}: task ${key} vanished before its answer was seen; checking the listing instead`);
}

/**
 * Polls get_snapshot until `until` holds (a new snapshot may appear in the listing a little after its
 * task reports OK, as HOSTKEY's docs warn), through the core waiter.
 */
export async function waitForListing(
  client: HostkeyClient,
  ctx: HandlerContext,
  args: { serverId: number; type: string; what: string; timeoutMs: number; objectId?: string; until: (l: SnapshotListing) => boolean },
): Promise<SnapshotListing> {
  const r = await waitFor<SnapshotListing>({
    host: HOSTKEY_HOST,
    what: args.what,
    timeoutMs: args.timeoutMs,
    signal: ctx.signal,
    clock: ctx.clock,
    backoff: taskBackoff(args.timeoutMs),
    objectId: args.objectId,
    progress: { logger: ctx.logger, label: ctx.label },
    poll: async (signal) => {
      const listing = await client.getSnapshots(args.serverId, args.type, { timeoutMs: args.timeoutMs, clock: ctx.clock, signal });
      return args.until(listing) ? { done: true, value: listing } : { done: false, status: "not yet in the listing" };
    },
  });
  return r.value!;
}

/** Whether an error says the VM itself is unknown (so its snapshots and settings are gone too). */
export function isGone(e: unknown): boolean {
  return isVpsError(e, "notFound");
}

/**
 * get_snapshot for a refresh read: concurrent reads of one VM and type (its Snapshots and its
 * RestoreSettings) share one call (provider/core/coalesce.ts), answered only by a call sent after the
 * read was asked.
 */
export async function refreshListing(client: HostkeyClient, serverId: number, type: string, timeoutMs: number): Promise<SnapshotListing> {
  const listing = sharedListing(
    `${HOSTKEY_HOST}|${client.endpoint}|get_snapshot|${serverId}|${type}`,
    async () => new Map([["listing", await client.getSnapshots(serverId, type, { timeoutMs })]]),
  );
  return (await listing.get("listing"))!;
}
