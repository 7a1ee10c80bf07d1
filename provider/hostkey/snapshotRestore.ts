import { z } from "zod";
import {
  defineAction,
  extendHint,
  type HandlerContext,
  isVpsError,
  reportStarted,
  sendUnrepeatable,
  type ShapeOf,
  VpsError,
  recordingOperationSeconds,
} from "../core";
import { DEFAULT_SNAPSHOT_TYPE } from "./client";
import { HOSTKEY_HOST } from "./errors";
import {
  findSnapshot,
  getListing,
  HOSTKEY_TIMEOUTS,
  namesOf,
  serverIdInput,
  snapshotId,
  snapshotNameSchema,
  snapshotTypeInput,
  underServerLock,
  waitForTask,
} from "./operations";
import { hostkeyClientFromSettings } from "./settings";

/**
 * `hostkey.SnapshotRestore`: an action resource. Create runs vm/restore_snapshot and waits for its
 * task; it runs again when `triggers`, the server or the snapshot change (each forces a new action);
 * delete does nothing to the server. `confirm: true` is required because a restore overwrites the VM's
 * disk (HOSTKEY's MCP server marks restore_snapshot destructive).
 */

export const snapshotRestoreInputs = {
  serverId: serverIdInput("Id of the HOSTKEY virtual machine to restore."),
  name: { schema: snapshotNameSchema, description: "Name of the snapshot to restore (e.g. a `hostkey.Snapshot`'s `name`).", replaceOnChange: true },
  type: snapshotTypeInput(),
};

export const snapshotRestoreOutputs = {
  restoredAt: { schema: z.string(), description: "When the restore finished (ISO 8601, provider clock)." },
  snapshotId: { schema: z.string().optional(), description: "The restored snapshot's `snapshot_id`." },
  taskKey: { schema: z.string().optional(), description: "The invapi task key of the restore." },
};

type Inputs = ShapeOf<typeof snapshotRestoreInputs> & { operationTimeout?: number };

async function create<I extends Inputs>(inputs: I, ctx: HandlerContext) {
  const client = hostkeyClientFromSettings();
  const { serverId, name } = inputs;
  const type = inputs.type ?? DEFAULT_SNAPSHOT_TYPE;
  const target = snapshotId(serverId, name);
  const timeoutMs = HOSTKEY_TIMEOUTS.ms("snapshot", inputs.operationTimeout, ctx);
  return underServerLock(serverId, async () => {
    const listing = await getListing(client, ctx, serverId, type, timeoutMs);
    const snapshot = findSnapshot(listing, name);
    if (!snapshot) {
      throw new VpsError(
        {
          kind: "notFound",
          host: HOSTKEY_HOST,
          operation: "vm/restore_snapshot",
          hint: `server ${serverId} has no ${type} named "${name}" (it has: ${namesOf(listing)})`,
        },
        "no such snapshot",
      );
    }
    // A second restore would throw away what the VM did since the first, and a restored VM lists the
    // same snapshots as before: after a transient fault it is not sent again (provider/core/reconcile.ts).
    const answer = await sendUnrepeatable({
      host: HOSTKEY_HOST,
      operation: `vm/restore_snapshot "${name}" on server ${serverId}`,
      send: () => client.restoreSnapshot(serverId, name, type, ctx.signal),
      logger: ctx.logger,
      check:
        `whether server ${serverId} was restored from "${name}" shows only on the VM itself: look at it (or at its tasks in the HOSTKEY panel) ` +
        `before \`pulumi up\` again, which restores it again`,
    });
    const startedAt = new Date(ctx.clock.now()).toISOString();
    const id = `${target}@${startedAt}`;
    let taskKey: string | undefined;
    if (answer.kind === "task") {
      taskKey = answer.key;
      reportStarted(ctx, `server ${serverId}`, `restoring from "${name}"`, `task ${answer.key}`);
      try {
        await waitForTask(client, ctx, answer.key, { action: "restore_snapshot", timeoutMs, objectId: id });
      } catch (e) {
        // The restore was accepted; its end was not seen. Record the action (objectId) so a later
        // `pulumi up` does not run a destructive restore again by itself; change `triggers` to re-run.
        if (isVpsError(e, "notFound") || isVpsError(e, "timeout")) {
          throw e.with({
            objectId: id,
            createdId: id,
            hint: extendHint(
              e.hint,
              `The restore of server ${serverId} from "${name}" was accepted but its end was not seen: check the VM; the action is ` +
                `recorded, change \`triggers\` to run it again.`,
            ),
          });
        }
        throw e;
      }
    }
    const restoredAt = new Date(ctx.clock.now()).toISOString();
    ctx.logger.info(`${ctx.label}: server ${serverId} restored from "${name}"`);
    return { id, outs: { ...inputs, restoredAt, snapshotId: snapshot.snapshot_id, taskKey } };
  });
}

export const snapshotRestoreResource = recordingOperationSeconds(
  defineAction({
    host: HOSTKEY_HOST,
    type: "SnapshotRestore",
    description:
      "Restores a HOSTKEY virtual machine from one of its snapshots (invapi vm/restore_snapshot); an action that runs again when its triggers change.",
    confirm: "restoring a snapshot overwrites the VM's current disk with the snapshot's state, and this cannot be undone",
    inputs: snapshotRestoreInputs,
    operationTimeout: HOSTKEY_TIMEOUTS.input(["snapshot"]),
    outputs: snapshotRestoreOutputs,
    notes: { id: '`"<serverId>/<name>@<ISO time>"`' },
    run: create,
    // An action has no live object to compare: what happened stays as recorded. `SnapshotRestore.get`
    // passes no state: the id `<serverId>/<name>@<time>` still names the target.
    fromId(id) {
      const m = /^(\d+)\/([A-Za-z0-9_.-]+)@/.exec(id);
      return { serverId: Number(m?.[1]), name: m?.[2] ?? "", restoredAt: id.slice(id.indexOf("@") + 1) };
    },
    forgotten: (_state, id) => `removing the restore action ${id} from the stack; nothing is done on the server (a restore cannot be undone)`,
  }),
);
