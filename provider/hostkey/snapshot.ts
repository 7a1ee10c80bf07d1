import { z } from "zod";
import { CheckFailures, defineResource, type HandlerContext, isVpsError, objectLocks, operationTimeoutMs, VpsError, recordingOperationSeconds } from "../core";
import { DEFAULT_SNAPSHOT_TYPE, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS, type HostkeyClient } from "./client";
import { HOSTKEY_HOST, isPowerStateRefusal, REMOVE_ON_RUNNING_VM_HINT } from "./errors";
import {
  Deadline,
  findSnapshot,
  isGone,
  namesOf,
  operationTimeoutSchema,
  parseSnapshotId,
  progressTo,
  refreshListing,
  serverIdSchema,
  SNAPSHOT_ID_PATTERN,
  snapshotId,
  snapshotNameSchema,
  snapshotTypeSchema,
  waitForListing,
  withObjectId,
} from "./operations";
import type { SnapshotEntry } from "./schemas";
import { hostkeyClientFromSettings } from "./settings";

/**
 * `hostkey.Snapshot`: vm/create_snapshot, then the task key is waited for at eq_callback.php, then
 * get_snapshot is polled until the snapshot is listed (it may appear a little after its task reports
 * OK: issue 7). Delete: vm/remove_snapshot, task, then the listing until it is gone. id
 * `"<serverId>/<name>"`; nothing can change in place, so any change replaces it.
 */

/** How long a create or remove whose answer was lost keeps looking for its effect before giving up. */
export const RECONCILE_WINDOW_MS = 120_000;

export const snapshotInputs = {
  serverId: { schema: serverIdSchema, description: "Id of the HOSTKEY virtual machine.", replaceOnChange: true },
  name: { schema: snapshotNameSchema, description: "Snapshot name: ASCII letters, digits, `_`, `-` and `.` (sent in the form body, encoded).", replaceOnChange: true },
  type: { schema: snapshotTypeSchema, description: "Snapshot type (invapi `type`; default `snapshot`).", replaceOnChange: true },
  importFrom: {
    schema: z.string().regex(SNAPSHOT_ID_PATTERN, "must be \"<serverId>/<name>\", e.g. \"1001/nightly\"").optional(),
    description: "Adopt an existing snapshot, given as `\"<serverId>/<name>\"`, instead of creating one; it must match `serverId` and `name`.",
    createOnly: true,
  },
  operationTimeout: {
    schema: operationTimeoutSchema,
    description: `Seconds each wait may take (default: config hostkey:operationTimeout, then ${HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS / 60} minutes).`,
    createOnly: true,
  },
};

export const snapshotOutputs = {
  snapshotId: { schema: z.string().optional(), description: "The host's `snapshot_id` (absent while the host has not assigned one)." },
  createdAt: { schema: z.string().optional(), description: "The snapshot's `date` as the host lists it." },
};

type Inputs = { serverId: number; name: string; type?: string; importFrom?: string; operationTimeout?: number };

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

async function adopt(client: HostkeyClient, inputs: Inputs, ctx: HandlerContext, deadline: Deadline) {
  const type = typeOf(inputs);
  const id = snapshotId(inputs.serverId, inputs.name);
  const listing = await client.getSnapshots(inputs.serverId, type, { timeoutMs: deadline.remaining(), signal: ctx.signal });
  const found = findSnapshot(listing, inputs.name);
  if (!found) {
    throw new VpsError({ kind: "notFound", host: HOSTKEY_HOST, operation: `adopting snapshot ${id}`, hint: `server ${inputs.serverId} has no ${type} named "${inputs.name}" (it has: ${namesOf(listing)}); fix importFrom or remove it to create the snapshot` }, "nothing to adopt");
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
  if (conflicts.length) throw new VpsError({ kind: "conflict", host: HOSTKEY_HOST, operation: `adopting snapshot ${inputs.importFrom}`, hint: conflicts.join("; ") }, "importFrom does not match the inputs");
  const deadline = new Deadline(ctx, operationTimeoutMs(HOSTKEY_HOST, inputs.operationTimeout, ctx, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS));
  return objectLocks.run(`${HOSTKEY_HOST}:${serverId}`, async () => {
    if (inputs.importFrom) return adopt(client, inputs, ctx, deadline);
    // Names are how invapi addresses snapshots, and nothing says it refuses a duplicate: look first.
    const before = await client.getSnapshots(serverId, type, { timeoutMs: deadline.remaining(), signal: ctx.signal });
    if (findSnapshot(before, name)) {
      throw new VpsError(
        { kind: "conflict", host: HOSTKEY_HOST, operation: "vm/create_snapshot", hint: `server ${serverId} already has a ${type} named "${name}"; adopt it with importFrom: "${id}", or choose another name` },
        "the snapshot already exists",
      );
    }
    const listed = (l: Parameters<typeof findSnapshot>[0]) => findSnapshot(l, name) !== undefined;
    let answer;
    try {
      answer = await client.createSnapshot(serverId, name, type, ctx.signal);
    } catch (e) {
      if (!isVpsError(e) || !e.outcomeUnknown) throw e;
      // The answer was lost: the call was not repeated (it is not idempotent). Look for its effect.
      ctx.logger.warn(`${ctx.label}: no answer to vm/create_snapshot (${e.message}); looking for the snapshot in the listing before anything else`);
      try {
        const listing = await waitForListing(client, ctx, { serverId, type, what: `snapshot ${id} to appear`, timeoutMs: Math.min(deadline.remaining(), RECONCILE_WINDOW_MS), until: listed });
        return { id, outs: { ...inputs, ...outsOf(findSnapshot(listing, name)!) } };
      } catch (e2) {
        if (isVpsError(e2, "timeout")) throw e;
        throw e2;
      }
    }
    ctx.logger.info(`${ctx.label}: creating ${type} "${name}" on server ${serverId}${answer.kind === "task" ? ` (task ${answer.key})` : ""}`);
    if (answer.kind === "task") {
      try {
        await client.waitTask(answer.key, { action: "create_snapshot", timeoutMs: deadline.remaining(), signal: ctx.signal, onProgress: progressTo(ctx, `task ${answer.key} (create_snapshot)`), objectId: id });
      } catch (e) {
        if (isVpsError(e, "notFound")) {
          ctx.logger.warn(`${ctx.label}: task ${answer.key} vanished before its answer was seen; checking the listing instead`);
        } else if (isVpsError(e, "operationFailed")) {
          // A failed task may still leave a snapshot behind: name it so the state keeps it.
          const after = await client.getSnapshots(serverId, type, { timeoutMs: deadline.remaining(), signal: ctx.signal }).catch(() => undefined);
          if (after && findSnapshot(after, name)) throw withObjectId(e, id, `${e.hint ?? ""}; a snapshot named "${name}" exists anyway: run \`pulumi refresh\`, then remove it or adopt it`);
          throw e;
        } else if (isVpsError(e, "timeout")) {
          throw withObjectId(e, id);
        } else throw e;
      }
    }
    const listing = await waitForListing(client, ctx, { serverId, type, what: `snapshot ${id} to appear in the listing`, timeoutMs: deadline.remaining(), objectId: id, until: listed }).catch((e: unknown) => {
      throw isVpsError(e, "timeout") ? withObjectId(e, id) : e;
    });
    return { id, outs: { ...inputs, ...outsOf(findSnapshot(listing, name)!) } };
  });
}

async function read(id: string, state: Partial<Inputs>, ctx: HandlerContext) {
  const target = parseSnapshotId(id) ?? (state.serverId !== undefined && state.name ? { serverId: state.serverId, name: state.name } : undefined);
  if (!target) throw new VpsError({ kind: "invalid", host: HOSTKEY_HOST, operation: "reading a snapshot", hint: `the id must be "<serverId>/<name>", got ${JSON.stringify(id)}` }, "bad id");
  const client = hostkeyClientFromSettings();
  let listing;
  try {
    listing = await refreshListing(client, target.serverId, typeOf(state), operationTimeoutMs(HOSTKEY_HOST, state.operationTimeout, ctx, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS));
  } catch (e) {
    if (isGone(e)) return undefined; // the VM itself is gone
    throw e;
  }
  const found = findSnapshot(listing, target.name);
  if (!found) return undefined;
  const inputs: Inputs = { serverId: target.serverId, name: found.name, type: state.type, importFrom: state.importFrom, operationTimeout: state.operationTimeout };
  return { id: snapshotId(target.serverId, found.name), inputs, outs: { ...inputs, ...outsOf(found) } };
}

async function remove(id: string, state: Inputs, ctx: HandlerContext) {
  const target = parseSnapshotId(id) ?? (state.serverId !== undefined && state.name ? { serverId: state.serverId, name: state.name } : undefined);
  if (!target) throw new VpsError({ kind: "invalid", host: HOSTKEY_HOST, operation: "deleting a snapshot", hint: `the id must be "<serverId>/<name>", got ${JSON.stringify(id)}` }, "bad id");
  const { serverId, name } = target;
  const type = typeOf(state);
  const client = hostkeyClientFromSettings();
  const deadline = new Deadline(ctx, operationTimeoutMs(HOSTKEY_HOST, state.operationTimeout, ctx, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS));
  const gone = (l: Parameters<typeof findSnapshot>[0]) => findSnapshot(l, name) === undefined;
  await objectLocks.run(`${HOSTKEY_HOST}:${serverId}`, async () => {
    let before;
    try {
      before = await client.getSnapshots(serverId, type, { timeoutMs: deadline.remaining(), signal: ctx.signal });
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
      answer = await client.removeSnapshot(serverId, name, type, ctx.signal);
    } catch (e) {
      if (!isVpsError(e)) throw e;
      if (isPowerStateRefusal(e.vendorMessage)) throw withObjectId(e, id, REMOVE_ON_RUNNING_VM_HINT);
      if (isGone(e)) return;
      if (!e.outcomeUnknown) throw e;
      ctx.logger.warn(`${ctx.label}: no answer to vm/remove_snapshot (${e.message}); checking whether the snapshot went away`);
      await waitForListing(client, ctx, { serverId, type, what: `snapshot ${id} to go away`, timeoutMs: Math.min(deadline.remaining(), RECONCILE_WINDOW_MS), until: gone }).catch((e2: unknown) => {
        throw isVpsError(e2, "timeout") ? e : e2;
      });
      return;
    }
    if (answer.kind === "task") {
      try {
        await client.waitTask(answer.key, { action: "remove_snapshot", timeoutMs: deadline.remaining(), signal: ctx.signal, onProgress: progressTo(ctx, `task ${answer.key} (remove_snapshot)`), objectId: id });
      } catch (e) {
        if (isVpsError(e, "notFound")) ctx.logger.warn(`${ctx.label}: task ${answer.key} vanished before its answer was seen; checking the listing instead`);
        else if (isVpsError(e, "operationFailed") && isPowerStateRefusal(e.vendorMessage)) throw withObjectId(e, id, REMOVE_ON_RUNNING_VM_HINT);
        else throw e;
      }
    }
    await waitForListing(client, ctx, { serverId, type, what: `snapshot ${id} to leave the listing`, timeoutMs: deadline.remaining(), objectId: id, until: gone });
  });
}

export const snapshotResource = recordingOperationSeconds(defineResource({
  host: HOSTKEY_HOST,
  type: "Snapshot",
  description: "A snapshot of a HOSTKEY virtual machine (invapi vm/create_snapshot), waited for until it is listed.",
  inputs: snapshotInputs,
  outputs: snapshotOutputs,
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
}));
