import { z } from "zod";
import { defineResource, type HandlerContext, isVpsError, objectLocks, operationTimeoutMs, VpsError, recordingOperationSeconds } from "../core";
import { DEFAULT_SNAPSHOT_TYPE, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS } from "./client";
import { HOSTKEY_HOST } from "./errors";
import { Deadline, findSnapshot, namesOf, operationTimeoutSchema, progressTo, serverIdSchema, snapshotId, snapshotNameSchema, snapshotTypeSchema, withObjectId } from "./operations";
import { hostkeyClientFromSettings } from "./settings";

/**
 * `hostkey.SnapshotRestore`: an action resource. Create runs vm/restore_snapshot and waits for its
 * task; it runs again when `triggers`, the server or the snapshot change (each forces a new action);
 * delete does nothing to the server. `confirm: true` is required because a restore overwrites the VM's
 * disk (HOSTKEY's MCP server marks restore_snapshot destructive).
 */

export const snapshotRestoreInputs = {
  serverId: { schema: serverIdSchema, description: "Id of the HOSTKEY virtual machine to restore.", replaceOnChange: true },
  name: { schema: snapshotNameSchema, description: "Name of the snapshot to restore (e.g. a `hostkey.Snapshot`'s `name`).", replaceOnChange: true },
  type: { schema: snapshotTypeSchema, description: "Snapshot type (invapi `type`; default `snapshot`).", replaceOnChange: true },
  confirm: {
    // z.custom keeps this message (a literal's mismatch is reported as "must be one of true").
    schema: z.custom<true>((v) => v === true, { message: "must be true: restoring a snapshot overwrites the VM's current disk with the snapshot's state, and this cannot be undone" }),
    description: "Must be `true`: a restore overwrites the VM's disk.",
    createOnly: true,
  },
  triggers: { schema: z.array(z.unknown()).optional(), description: "Any values; a change runs the restore again.", replaceOnChange: true },
  operationTimeout: {
    schema: operationTimeoutSchema,
    description: `Seconds the restore may take (default: config hostkey:operationTimeout, then ${HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS / 60} minutes).`,
    createOnly: true,
  },
};

export const snapshotRestoreOutputs = {
  restoredAt: { schema: z.string(), description: "When the restore finished (ISO 8601, provider clock)." },
  snapshotId: { schema: z.string().optional(), description: "The restored snapshot's `snapshot_id`." },
  taskKey: { schema: z.string().optional(), description: "The invapi task key of the restore." },
};

type Inputs = { serverId: number; name: string; type?: string; confirm: true; triggers?: unknown[]; operationTimeout?: number };

async function create(inputs: Inputs, ctx: HandlerContext) {
  const client = hostkeyClientFromSettings();
  const { serverId, name } = inputs;
  const type = inputs.type ?? DEFAULT_SNAPSHOT_TYPE;
  const target = snapshotId(serverId, name);
  const deadline = new Deadline(ctx, operationTimeoutMs(HOSTKEY_HOST, inputs.operationTimeout, ctx, HOSTKEY_DEFAULT_SNAPSHOT_TIMEOUT_SECONDS));
  return objectLocks.run(`${HOSTKEY_HOST}:${serverId}`, async () => {
    const listing = await client.getSnapshots(serverId, type, { timeoutMs: deadline.remaining(), signal: ctx.signal });
    const snapshot = findSnapshot(listing, name);
    if (!snapshot) {
      throw new VpsError({ kind: "notFound", host: HOSTKEY_HOST, operation: "vm/restore_snapshot", hint: `server ${serverId} has no ${type} named "${name}" (it has: ${namesOf(listing)})` }, "no such snapshot");
    }
    const answer = await client.restoreSnapshot(serverId, name, type, ctx.signal);
    const startedAt = new Date(ctx.clock.now()).toISOString();
    const id = `${target}@${startedAt}`;
    let taskKey: string | undefined;
    if (answer.kind === "task") {
      taskKey = answer.key;
      ctx.logger.info(`${ctx.label}: restoring server ${serverId} from "${name}" (task ${answer.key})`);
      try {
        await client.waitTask(answer.key, { action: "restore_snapshot", timeoutMs: deadline.remaining(), signal: ctx.signal, onProgress: progressTo(ctx, `task ${answer.key} (restore_snapshot)`), objectId: id });
      } catch (e) {
        // The restore was accepted; its end was not seen. Record the action (objectId) so a later
        // `pulumi up` does not run a destructive restore again by itself; change `triggers` to re-run.
        if (isVpsError(e, "notFound") || isVpsError(e, "timeout")) {
          throw withObjectId(e, id, `${e.hint ?? ""}; the restore of server ${serverId} from "${name}" was accepted but its end was not seen: check the VM; the action is recorded, change \`triggers\` to run it again`);
        }
        throw e;
      }
    }
    const restoredAt = new Date(ctx.clock.now()).toISOString();
    ctx.logger.info(`${ctx.label}: server ${serverId} restored from "${name}"`);
    return { id, outs: { ...inputs, restoredAt, snapshotId: snapshot.snapshot_id, taskKey } };
  });
}

export const snapshotRestoreResource = recordingOperationSeconds(defineResource({
  host: HOSTKEY_HOST,
  type: "SnapshotRestore",
  description: "Restores a HOSTKEY virtual machine from one of its snapshots (invapi vm/restore_snapshot); an action that runs again when its triggers change.",
  inputs: snapshotRestoreInputs,
  outputs: snapshotRestoreOutputs,
  handler: {
    create,
    // An action has no live object to compare: what happened stays as recorded.
    async read(id, state) {
      // `SnapshotRestore.get` passes no state: the id `<serverId>/<name>@<time>` still names the target.
      const fromId = /^(\d+)\/([A-Za-z0-9_.-]+)@/.exec(id);
      const inputs = {
        serverId: state.serverId ?? Number(fromId?.[1]),
        name: state.name ?? fromId?.[2] ?? "",
        type: state.type,
        confirm: true as const,
        triggers: state.triggers,
        operationTimeout: state.operationTimeout,
      };
      return { id, inputs, outs: { ...inputs, restoredAt: state.restoredAt ?? id.slice(id.indexOf("@") + 1), snapshotId: state.snapshotId, taskKey: state.taskKey } };
    },
    async delete(id, _state, ctx) {
      ctx.logger.info(`${ctx.label}: removing the restore action ${id} from the stack; nothing is done on the server (a restore cannot be undone)`);
    },
  },
}));
