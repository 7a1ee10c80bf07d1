import { z } from "zod";
import {
  CheckFailures,
  defineResource,
  extendHint,
  type HandlerContext,
  type ShapeOf,
  isVpsError,
  recordingOperationSeconds,
  reportStarted,
  type Seen,
  sendReconciled,
  VpsError,
} from "../core";
import { DEFAULT_SNAPSHOT_TYPE, type HostkeyClient } from "./client";
import { HOSTKEY_HOST, isPowerStateRefusal, REMOVE_ON_RUNNING_VM_HINT } from "./errors";
import {
  findSnapshot,
  getListing,
  isGone,
  namesOf,
  HOSTKEY_TIMEOUTS,
  parseSnapshotId,
  refreshListing,
  serverIdInput,
  SNAPSHOT_ID_PATTERN,
  snapshotId,
  snapshotNameSchema,
  snapshotTypeInput,
  underServerLock,
  waitForListing,
  waitForTask,
  warnTaskVanished,
} from "./operations";
import type { SnapshotEntry, SnapshotListing } from "./schemas";
import { hostkeyClientFromSettings } from "./settings";

/**
 * `hostkey.Snapshot`: vm/create_snapshot, then the task key is waited for at eq_callback.php, then
 * get_snapshot is polled until the snapshot is listed (it may appear a little after its task reports
 * OK, as HOSTKEY's docs warn). Delete: vm/remove_snapshot, task, then the listing until it is gone. id
 * `"<serverId>/<name>"`; nothing can change in place, so any change replaces it.
 */

/**
 * How long a look after a transient fault waits for a finished task's snapshot to show in (or leave)
 * the listing before taking its absence (or presence) as the answer (HOSTKEY's docs give no figure, only "a little after").
 */
export const LISTING_LAG_MS = 10_000;

/**
 * A snapshot call whose outcome, after a transient fault, the listing decides (provider/core/reconcile.ts):
 * its change shows there a little after the task ends, so "not shown" counts only after LISTING_LAG_MS
 * of looking; a repeat while the first task still runs is refused as busy and waited out.
 */
function sendShownInListing<T>(
  client: HostkeyClient,
  ctx: HandlerContext,
  listing: { serverId: number; type: string; timeoutMs: number; shows: (l: SnapshotListing) => boolean },
  operation: string,
  send: () => Promise<T>,
) {
  const { serverId, type, timeoutMs, shows } = listing;
  const look = async (): Promise<Seen<SnapshotListing>> => {
    const l = await getListing(client, ctx, serverId, type, timeoutMs);
    return shows(l) ? { state: "done", found: l } : { state: "absent" };
  };
  const busyWait = { timeoutMs, clock: ctx.clock, signal: ctx.signal };
  return sendReconciled({ host: HOSTKEY_HOST, operation, send, repeat: { kind: "observable", look, settleMs: LISTING_LAG_MS }, logger: ctx.logger, busyWait });
}

export const snapshotInputs = {
  serverId: serverIdInput(),
  name: {
    schema: snapshotNameSchema,
    description: "Snapshot name: ASCII letters, digits, `_`, `-` and `.` (sent in the form body, encoded).",
    replaceOnChange: true,
  },
  type: snapshotTypeInput(),
  importFrom: {
    schema: z.string().regex(SNAPSHOT_ID_PATTERN, 'must be "<serverId>/<name>", e.g. "1001/nightly"').optional(),
    description: 'Adopt an existing snapshot, given as `"<serverId>/<name>"`, instead of creating one; it must match `serverId` and `name`.',
    createOnly: true,
  },
  operationTimeout: HOSTKEY_TIMEOUTS.input(["snapshot"]),
};

export const snapshotOutputs = {
  snapshotId: { schema: z.string().optional(), description: "The host's `snapshot_id` (absent while the host has not assigned one)." },
  createdAt: { schema: z.string().optional(), description: "The snapshot's `date` as the host lists it." },
};

type Inputs = ShapeOf<typeof snapshotInputs>;

function outsOf(s: SnapshotEntry) {
  return { snapshotId: s.snapshot_id, createdAt: s.date };
}

function typeOf(inputs: { type?: string }): string {
  return inputs.type ?? DEFAULT_SNAPSHOT_TYPE;
}

/** `importFrom` must name the snapshot the program declares (its replace-only inputs). */
function importConflicts(inputs: Inputs): string[] {
  if (!inputs.importFrom) return [];
  const target = parseSnapshotId(inputs.importFrom);
  if (!target) return [];
  const out: string[] = [];
  if (target.serverId !== inputs.serverId) out.push(`importFrom names server ${target.serverId} but serverId is ${inputs.serverId}`);
  if (target.name !== inputs.name) out.push(`importFrom names snapshot "${target.name}" but name is "${inputs.name}"`);
  return out;
}

async function adopt(client: HostkeyClient, inputs: Inputs, ctx: HandlerContext, timeoutMs: number) {
  const type = typeOf(inputs);
  const id = snapshotId(inputs.serverId, inputs.name);
  const listing = await getListing(client, ctx, inputs.serverId, type, timeoutMs);
  const found = findSnapshot(listing, inputs.name);
  if (!found) {
    throw new VpsError(
      {
        kind: "notFound",
        host: HOSTKEY_HOST,
        operation: `adopting snapshot ${id}`,
        hint:
          `server ${inputs.serverId} has no ${type} named "${inputs.name}" (it has: ${namesOf(listing)}); fix importFrom or remove it to create the ` +
          `snapshot`,
      },
      "nothing to adopt",
    );
  }
  ctx.logger.info(`${ctx.label}: adopted existing snapshot ${id} (snapshot_id ${found.snapshot_id ?? "not assigned"})`);
  return { id, outs: { ...inputs, ...outsOf(found) } };
}

async function create(inputs: Inputs, ctx: HandlerContext) {
  const client = hostkeyClientFromSettings();
  const type = typeOf(inputs);
  const { serverId, name } = inputs;
  const id = snapshotId(serverId, name);
  const conflicts = importConflicts(inputs);
  if (conflicts.length)
    throw new VpsError(
      { kind: "conflict", host: HOSTKEY_HOST, operation: `adopting snapshot ${inputs.importFrom}`, hint: conflicts.join("; ") },
      "importFrom does not match the inputs",
    );
  // Each wait (get_snapshot's task, create_snapshot's task, the listing) gets the whole limit.
  const timeoutMs = HOSTKEY_TIMEOUTS.ms("snapshot", inputs.operationTimeout, ctx);
  return underServerLock(serverId, async () => {
    if (inputs.importFrom) return adopt(client, inputs, ctx, timeoutMs);
    // Names are how invapi addresses snapshots, and nothing says it refuses a duplicate: look first.
    const before = await getListing(client, ctx, serverId, type, timeoutMs);
    if (findSnapshot(before, name)) {
      throw new VpsError(
        {
          kind: "conflict",
          host: HOSTKEY_HOST,
          operation: "vm/create_snapshot",
          hint: `server ${serverId} already has a ${type} named "${name}"; adopt it with importFrom: "${id}", or choose another name`,
        },
        "the snapshot already exists",
      );
    }
    const listed = (l: Parameters<typeof findSnapshot>[0]) => findSnapshot(l, name) !== undefined;
    // A repeat would make a second snapshot of this name: after a transient fault the listing decides.
    const r = await sendShownInListing(client, ctx, { serverId, type, timeoutMs, shows: listed }, `vm/create_snapshot "${name}" on server ${serverId}`, () =>
      client.createSnapshot(serverId, name, type, ctx.signal),
    );
    if (r.kind !== "sent") return { id, outs: { ...inputs, ...outsOf(findSnapshot(r.found, name)!) } };
    const answer = r.answer;
    reportStarted(ctx, `${type} "${name}" of server ${serverId}`, "being created", answer.kind === "task" ? `task ${answer.key}` : undefined);
    if (answer.kind === "task") {
      try {
        await waitForTask(client, ctx, answer.key, { action: "create_snapshot", timeoutMs, objectId: id });
      } catch (e) {
        if (isVpsError(e, "notFound")) {
          warnTaskVanished(ctx, answer.key);
        } else if (isVpsError(e, "operationFailed")) {
          // A failed task may still leave a snapshot behind: name it so the state keeps it.
          const after = await getListing(client, ctx, serverId, type, timeoutMs).catch(() => undefined);
          if (after && findSnapshot(after, name))
            throw e.with({
              objectId: id,
              createdId: id,
              hint: extendHint(e.hint, `A snapshot named "${name}" exists anyway: run \`pulumi refresh\`, then remove it or adopt it.`),
            });
          throw e;
        } else if (isVpsError(e, "timeout")) {
          throw e.with({ objectId: id, createdId: id });
        } else throw e;
      }
    }
    const listing = await waitForListing(client, ctx, {
      serverId,
      type,
      what: `snapshot ${id} to appear in the listing`,
      timeoutMs,
      objectId: id,
      until: listed,
    }).catch((e: unknown) => {
      throw isVpsError(e, "timeout") ? e.with({ objectId: id, createdId: id }) : e;
    });
    return { id, outs: { ...inputs, ...outsOf(findSnapshot(listing, name)!) } };
  });
}

/** The snapshot an id names, or (an id of another form) the state's server and name. */
function targetOf(id: string, state: Partial<Inputs>, operation: string): { serverId: number; name: string } {
  const target = parseSnapshotId(id) ?? (state.serverId !== undefined && state.name ? { serverId: state.serverId, name: state.name } : undefined);
  if (!target)
    throw new VpsError({ kind: "invalid", host: HOSTKEY_HOST, operation, hint: `the id must be "<serverId>/<name>", got ${JSON.stringify(id)}` }, "bad id");
  return target;
}

async function read(id: string, state: Partial<Inputs>, ctx: HandlerContext) {
  const target = targetOf(id, state, "reading a snapshot");
  const client = hostkeyClientFromSettings();
  let listing;
  try {
    listing = await refreshListing(client, target.serverId, typeOf(state), HOSTKEY_TIMEOUTS.ms("snapshot", state.operationTimeout, ctx));
  } catch (e) {
    if (isGone(e)) return undefined; // the VM itself is gone
    throw e;
  }
  const found = findSnapshot(listing, target.name);
  if (!found) return undefined;
  const inputs: Inputs = {
    serverId: target.serverId,
    name: found.name,
    type: state.type,
    importFrom: state.importFrom,
    operationTimeout: state.operationTimeout,
  };
  return { id: snapshotId(target.serverId, found.name), inputs, outs: { ...inputs, ...outsOf(found) } };
}

async function remove(id: string, state: Inputs, ctx: HandlerContext) {
  const { serverId, name } = targetOf(id, state, "deleting a snapshot");
  const type = typeOf(state);
  const client = hostkeyClientFromSettings();
  const timeoutMs = HOSTKEY_TIMEOUTS.ms("snapshot", state.operationTimeout, ctx);
  const gone = (l: Parameters<typeof findSnapshot>[0]) => findSnapshot(l, name) === undefined;
  await underServerLock(serverId, async () => {
    let before;
    try {
      before = await getListing(client, ctx, serverId, type, timeoutMs);
    } catch (e) {
      if (isGone(e)) {
        ctx.logger.info(`${ctx.label}: server ${serverId} no longer exists; the snapshot went with it`);
        return;
      }
      throw e;
    }
    if (gone(before)) {
      ctx.logger.info(`${ctx.label}: snapshot ${id} is already gone`);
      return;
    }
    let answer;
    try {
      // A snapshot no longer listed shows the remove happened; a repeat after it is refused as not found.
      const r = await sendShownInListing(client, ctx, { serverId, type, timeoutMs, shows: gone }, `vm/remove_snapshot "${name}" on server ${serverId}`, () =>
        client.removeSnapshot(serverId, name, type, ctx.signal),
      );
      if (r.kind !== "sent") return;
      answer = r.answer;
    } catch (e) {
      if (!isVpsError(e)) throw e;
      if (isPowerStateRefusal(e.vendorMessage)) throw e.with({ objectId: id, createdId: id, hint: REMOVE_ON_RUNNING_VM_HINT });
      if (isGone(e)) return;
      throw e;
    }
    if (answer.kind === "task") {
      try {
        await waitForTask(client, ctx, answer.key, { action: "remove_snapshot", timeoutMs, objectId: id });
      } catch (e) {
        if (isVpsError(e, "notFound")) warnTaskVanished(ctx, answer.key);
        else if (isVpsError(e, "operationFailed") && isPowerStateRefusal(e.vendorMessage))
          throw e.with({ objectId: id, createdId: id, hint: REMOVE_ON_RUNNING_VM_HINT });
        else throw e;
      }
    }
    await waitForListing(client, ctx, { serverId, type, what: `snapshot ${id} to leave the listing`, timeoutMs, objectId: id, until: gone });
  });
}

export const snapshotResource = recordingOperationSeconds(
  defineResource({
    host: HOSTKEY_HOST,
    type: "Snapshot",
    description: "A snapshot of a HOSTKEY virtual machine (invapi vm/create_snapshot), waited for until it is listed.",
    inputs: snapshotInputs,
    outputs: snapshotOutputs,
    notes: { id: '`"<serverId>/<name>"` (`"1001/before-upgrade.v1"`)' },
    handler: {
      async check(inputs) {
        const conflicts = importConflicts(inputs);
        if (conflicts.length) throw new CheckFailures(conflicts.map((reason) => ({ property: "importFrom", reason })));
        return inputs;
      },
      create,
      read,
      delete: remove,
    },
  }),
);
