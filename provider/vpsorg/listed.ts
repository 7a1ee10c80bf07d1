import { z } from "zod";
import { sharedListing } from "../core/coalesce";
import { isVpsError, unlessGone, VpsError } from "../core/errors";
import { reportStarted } from "../core/log";
import { lockKey, objectLocks } from "../core/mutex";
import { createReconciled } from "../core/reconcile";
import type { CreateResult, HandlerContext, ReadResult } from "../core/resource";
import type { VpsorgClient } from "./client";
import { deleteUnlessGone, optionalText, vendorId, waitTimeoutMs, withoutEmptyDescription } from "./common";
import { vpsorgClientFromSettings } from "./settings";
import { HOST } from "./errors";
import type { Backup, Snapshot } from "./schemas";
import { completeOrCleanUp, waitUntilCompleted } from "./wait";

/**
 * What the snapshot and backup resources share: both objects are listed per server (the vendor
 * documentation has no per-object GET), made by one POST, awaited through the listing and deleted by id.
 */
export interface ListedObjects<T extends Snapshot | Backup> {
  kind: "snapshot" | "backup";
  /** The function that lists them, named in errors. */
  lister: string;
  list(client: VpsorgClient, opts: { serverId?: number; signal?: AbortSignal; poll?: boolean }): Promise<T[]>;
  remove(client: VpsorgClient, id: number, signal?: AbortSignal): Promise<void>;
  /**
   * The host's per-server limit: how many it keeps, which entries of a listing count toward it (all when
   * unset), and the hint that lists them and says what to do.
   */
  limit: { max: number; counted?: (listing: T[]) => T[]; hint: (serverId: number, counted: T[]) => string };
  /** The object in a message, e.g. `snapshot 7 ("nightly", completed)`. */
  describe(x: T): string;
}

/** The outputs a snapshot and a backup have alike, in pieces so that each resource keeps its order. */
export const progressOutputs = {
  status: { schema: z.string(), description: "Vendor status: `completed` once created" },
  sizeMb: { schema: z.number().nullable().optional(), description: "Size in MB" },
  createdAt: { schema: z.string(), description: "Creation time (ISO 8601)" },
};
export const serverNameOutput = { schema: z.string(), description: "The server's name as the listing shows it" };

/** A listing entry's values of progressOutputs. */
export function progressOf(x: Snapshot | Backup) {
  return { status: x.status, sizeMb: x.size_mb, createdAt: x.created_at };
}

/**
 * The error when the server's listing is at the host's limit, else undefined: its hint lists what the
 * server has and says what to do; `vendor` is the host's own 400 when it answered one (the limit was
 * reached in between).
 */
function limitError<T extends Snapshot | Backup>(objects: ListedObjects<T>, serverId: number, listing: T[], vendor?: VpsError): VpsError | undefined {
  const { kind, limit } = objects;
  const counted = limit.counted ? limit.counted(listing) : listing;
  if (counted.length < limit.max) return undefined;
  return new VpsError(
    {
      kind: "invalid",
      host: HOST,
      operation: vendor ? `POST /${kind}s/` : `creating a ${kind} of server ${serverId}`,
      httpStatus: vendor?.httpStatus,
      vendorMessage: vendor?.vendorMessage,
      hint: limit.hint(serverId, counted),
    },
    `${kind} limit reached`,
  );
}

/** What a create or an adoption of a listed object is given. */
interface ListedInputs {
  serverId: number;
  description?: string;
  importFrom?: string;
  operationTimeout?: number;
}

/**
 * Makes one object: `start` gets the server's listing just before (under the server's lock, so two
 * creates on one server never overlap in one process; a server at the host's limit fails before
 * anything is sent) and sends the POST; then the listing is awaited
 * until the object completes, and one that fails is deleted (completeOrCleanUp).
 */
async function createAndAwait<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  o: { serverId: number; operationTimeout?: number; ctx: HandlerContext; start: (before: T[]) => Promise<T> },
): Promise<T> {
  const { serverId, ctx } = o;
  const created = await objectLocks.run(lockKey(HOST, "server", serverId), async () => {
    const before = await objects.list(client, { serverId, signal: ctx.signal });
    const full = limitError(objects, serverId, before);
    if (full) throw full;
    return o.start(before);
  });
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

/**
 * One create POST through the core's reconciliation (provider/core/reconcile.ts): when the answer is
 * lost (network error, 5xx, unreadable body), the listing is consulted before anything is sent again.
 * "Ours" is an object `isOurs` accepts that was not in the listing taken just before the create:
 * sharper than a time window, since the host's clock does not matter. A 400 from a server whose
 * listing is now full is explained by the limit.
 */
async function createListed<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  o: { serverId: number; before: T[]; operation: string; ctx: HandlerContext; send: () => Promise<T>; isOurs: (x: T) => boolean },
): Promise<T> {
  const { serverId, ctx } = o;
  const known = new Set(o.before.map((x) => x.id));
  const send = async () => {
    try {
      return await o.send();
    } catch (e) {
      if (isVpsError(e, "invalid") && e.httpStatus === 400) {
        const full = limitError(objects, serverId, await objects.list(client, { serverId, signal: ctx.signal }), e);
        if (full) throw full;
      }
      throw e;
    }
  };
  return createReconciled<T, T>({
    host: HOST,
    operation: o.operation,
    create: send,
    find: async () => (await objects.list(client, { serverId, signal: ctx.signal })).filter((x) => !known.has(x.id) && o.isOurs(x)),
    adopt: (x) => x,
    describe: objects.describe,
    now: () => ctx.clock.now(),
    logger: ctx.logger,
  });
}

/**
 * The object `importFrom` names, checked against the inputs: nothing of it can change in place, so its
 * server, the properties `differences` compares, and its description must match; a difference fails,
 * naming it.
 */
async function findAdoptable<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  inputs: ListedInputs,
  ctx: HandlerContext,
  differences: (found: T) => string[] = () => [],
): Promise<T> {
  const { kind } = objects;
  const id = vendorId(inputs.importFrom!, kind);
  const found = await findListed(client, objects, id, inputs.serverId, ctx.signal, true);
  if (!found)
    throw new VpsError(
      {
        kind: "notFound",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `${kind} ${id} does not exist (${objects.lister} lists them)`,
      },
      "nothing to adopt",
    );
  const diffs: string[] = [];
  if (found.server.id !== inputs.serverId) diffs.push(`serverId: the ${kind} belongs to server ${found.server.id}, the inputs say ${inputs.serverId}`);
  diffs.push(...differences(found));
  const has = JSON.stringify(optionalText(found.description) ?? null);
  if (optionalText(found.description) !== optionalText(inputs.description))
    diffs.push(`description: the ${kind} has ${has}, the inputs say ${JSON.stringify(inputs.description ?? null)}`);
  if (diffs.length > 0) {
    throw new VpsError(
      {
        kind: "conflict",
        host: HOST,
        operation: "importFrom",
        objectId: inputs.importFrom,
        hint: `${kind} properties cannot change in place, so the inputs must match the ${kind}: ${diffs.join("; ")}`,
      },
      `${kind} ${id} differs from the inputs`,
    );
  }
  return found;
}

/**
 * The object with this id from the listing: filtered by its server when known, else the whole
 * account's listing (`get` gives only an id). `elsewhere: true` also looks beyond that server
 * (adoption, to say where the object really is).
 */
async function findListed<T extends Snapshot | Backup>(
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
function readListed<T extends Snapshot | Backup>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  id: string,
  serverId: number | undefined,
  signal?: AbortSignal,
): Promise<T | undefined> {
  const vendor = vendorId(id, objects.kind);
  // A 404 on the listing itself (a filter on a server that no longer exists) also means gone.
  if (serverId === undefined) return unlessGone(findListed(client, objects, vendor, undefined, signal), undefined);
  const listing = sharedListing(
    `${HOST}|${client.http.baseUrl}|${objects.kind}s|${serverId}`,
    async () => new Map((await objects.list(client, { serverId })).map((x): [number, T] => [x.id, x])),
  );
  return unlessGone(listing.get(vendor), undefined);
}

/** How a create starts: its one POST. */
export interface ListedStart<T extends Snapshot | Backup, I extends ListedInputs> {
  /** The POST in messages, e.g. `POST /backups/ (server 12345)`. */
  operation(inputs: I): string;
  /** Sends it; `description` is the body's `description` field, left out when the inputs have none. */
  send(client: VpsorgClient, inputs: I, description: { description?: string }, signal?: AbortSignal): Promise<T>;
  /** Whether a new entry of the listing is the one this POST made (when its answer was lost). */
  isOurs(x: T, inputs: I): boolean;
  /** Runs just before the POST, under the server's lock (a warning about the server, say). */
  beforeSend?(client: VpsorgClient, inputs: I, ctx: HandlerContext): Promise<void>;
}

/** What an adoption checks beyond the server and the description, and what it says. */
export interface ListedAdopt<T extends Snapshot | Backup, I extends ListedInputs> {
  /** What else of the adopted object must match the inputs, one line per difference. */
  differences?(found: T, inputs: I): string[];
  /** Called once the object to adopt is found, before it is awaited (a warning about it, say). */
  found?(x: T, ctx: HandlerContext): void;
}

/** How a resource makes its object and adopts one, and how a listing entry reads as its inputs and outputs. */
export interface ListedResource<T extends Snapshot | Backup, I extends ListedInputs, O extends object> {
  start: ListedStart<T, I>;
  adopt: ListedAdopt<T, I>;
  inputsOf(x: T, state: Partial<I>): I;
  outsOf(x: T): O;
}

/** One create POST: "ours" is a new entry `isOurs` accepts (createListed). */
async function createOnce<T extends Snapshot | Backup, I extends ListedInputs, O extends object>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  r: ListedResource<T, I, O>,
  inputs: I,
  before: T[],
  ctx: HandlerContext,
): Promise<T> {
  await r.start.beforeSend?.(client, inputs, ctx);
  const description = inputs.description !== undefined ? { description: inputs.description } : {};
  return createListed(client, objects, {
    serverId: inputs.serverId,
    before,
    operation: r.start.operation(inputs),
    ctx,
    send: () => r.start.send(client, inputs, description, ctx.signal),
    isOurs: (x) => r.start.isOurs(x, inputs),
  });
}

/** Adoption: the object `importFrom` names, checked against the inputs (findAdoptable), then awaited until complete. */
async function adopt<T extends Snapshot | Backup, I extends ListedInputs, O extends object>(
  client: VpsorgClient,
  objects: ListedObjects<T>,
  r: ListedResource<T, I, O>,
  inputs: I,
  ctx: HandlerContext,
): Promise<T> {
  const differences = r.adopt.differences;
  const found = await findAdoptable(client, objects, inputs, ctx, differences && ((x) => differences(x, inputs)));
  r.adopt.found?.(found, ctx);
  // One still in progress is awaited (made at a moment not seen here, so no duration estimate).
  const done =
    found.status === "completed"
      ? found
      : await waitUntilCompleted({
          kind: objects.kind,
          id: found.id,
          list: (signal) => objects.list(client, { serverId: found.server.id, signal, poll: true }),
          timeoutMs: waitTimeoutMs(inputs.operationTimeout, ctx, objects.kind),
          ctx,
          startUnseen: true,
        });
  ctx.logger.info(`${ctx.label}: adopted ${objects.kind} ${found.id}`);
  return done;
}

/**
 * The handler of a listed object's resource (Snapshot, Backup): create makes one (or adopts the one
 * `importFrom` names), read finds it in the listing, delete removes it (already gone is success).
 * `inputsOf` and `outsOf` turn a listing entry into the resource's inputs and outputs.
 */
export function listedHandler<T extends Snapshot | Backup, I extends ListedInputs, O extends object>(objects: ListedObjects<T>, r: ListedResource<T, I, O>) {
  return {
    async check(news: I): Promise<I> {
      return withoutEmptyDescription(news);
    },

    async create(news: I, ctx: HandlerContext): Promise<CreateResult<I & O>> {
      const client = vpsorgClientFromSettings();
      const done =
        news.importFrom !== undefined
          ? await adopt(client, objects, r, news, ctx)
          : await createAndAwait(client, objects, {
              serverId: news.serverId,
              operationTimeout: news.operationTimeout,
              ctx,
              start: (before) => createOnce(client, objects, r, news, before, ctx),
            });
      return { id: String(done.id), outs: { ...news, ...r.outsOf(done) } };
    },

    async read(id: string, state: Partial<I>, ctx: HandlerContext): Promise<ReadResult<I, I & O> | undefined> {
      const x = await readListed(vpsorgClientFromSettings(), objects, id, state.serverId, ctx.signal);
      if (!x) return undefined;
      return { id, inputs: r.inputsOf(x, state), outs: { ...r.inputsOf(x, state), ...r.outsOf(x) } };
    },

    async delete(id: string, _state: unknown, ctx: HandlerContext): Promise<void> {
      await deleteUnlessGone(objects.remove(vpsorgClientFromSettings(), vendorId(id, objects.kind), ctx.signal));
    },
  };
}
