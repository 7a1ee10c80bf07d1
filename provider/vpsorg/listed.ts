import { sharedListing } from "../core/coalesce";
import { reportStarted } from "../core/log";
import { lockKey, objectLocks } from "../core/mutex";
import type { HandlerContext } from "../core/resource";
import type { VpsorgClient } from "./client";
import { unlessGone, vendorId, waitTimeoutMs } from "./common";
import { HOST } from "./errors";
import type { Backup, Snapshot } from "./schemas";
import { completeOrCleanUp, waitUntilCompleted } from "./wait";

/**
 * What the snapshot and backup resources share: both objects are listed per server (the vendor
 * documentation has no per-object GET), made by one POST, awaited through the listing and deleted by id.
 */
export interface ListedObjects<T extends Snapshot | Backup> {
  kind: "snapshot" | "backup";
  list(client: VpsorgClient, opts: { serverId?: number; signal?: AbortSignal; poll?: boolean }): Promise<T[]>;
  remove(client: VpsorgClient, id: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Makes one object: `start` gets the server's listing just before (under the server's lock, so two
 * creates on one server never overlap in one process) and sends the POST; then the listing is awaited
 * until the object completes, and one that fails is deleted (completeOrCleanUp).
 */
export async function createAndAwait<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  o: { serverId: number; operationTimeout?: number; ctx: HandlerContext; start: (before: T[]) => Promise<T> },
): Promise<T> {
  const { serverId, ctx } = o;
  const created = await objectLocks.run(lockKey(HOST, "server", serverId), async () => o.start(await objects.list(client, { serverId, signal: ctx.signal })));
  reportStarted(ctx, `${objects.kind} ${created.id} of server ${serverId}`, "is being created", created.message);
  return completeOrCleanUp({
    kind: objects.kind,
    id: created.id,
    list: (signal) => objects.list(client, { serverId, signal, poll: true }),
    remove: (signal) => objects.remove(client, created.id, signal),
    timeoutMs: waitTimeoutMs(o.operationTimeout, ctx, objects.kind),
    ctx,
    scope: client.http.baseUrl,
  });
}

/** An adopted object as it is once complete: one still in progress is awaited (made at a moment not seen here, so no duration estimate). */
export async function completedAdopted<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  found: T,
  operationTimeout: number | undefined,
  ctx: HandlerContext,
): Promise<T> {
  if (found.status === "completed") return found;
  return waitUntilCompleted({
    kind: objects.kind,
    id: found.id,
    list: (signal) => objects.list(client, { serverId: found.server.id, signal, poll: true }),
    timeoutMs: waitTimeoutMs(operationTimeout, ctx, objects.kind),
    ctx,
    startUnseen: true,
  });
}

/**
 * The object with this id from the listing: filtered by its server when known, else the whole
 * account's listing (`get` gives only an id). `elsewhere: true` also looks beyond that server
 * (adoption, to say where the object really is).
 */
export async function findListed<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  id: number,
  serverId: number | undefined,
  signal?: AbortSignal,
  elsewhere = false,
): Promise<T | undefined> {
  const found = (await objects.list(client, { serverId, signal })).find((x) => x.id === id);
  if (found || serverId === undefined || !elsewhere) return found;
  return (await objects.list(client, { signal })).find((x) => x.id === id);
}

/** A read: undefined when gone. Concurrent reads (a refresh) of one server's objects share one listing (provider/core/coalesce.ts). */
export function readListed<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  id: string,
  serverId: number | undefined,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const vendor = vendorId(id, objects.kind);
  if (serverId === undefined) return unlessGone(findListed(client, objects, vendor, undefined, signal));
  const listing = sharedListing(
    `${HOST}|${client.http.baseUrl}|${objects.kind}s|${serverId}`,
    async () => new Map((await objects.list(client, { serverId })).map((x): [number, T] => [x.id, x])),
  );
  return unlessGone(listing.get(vendor));
}
