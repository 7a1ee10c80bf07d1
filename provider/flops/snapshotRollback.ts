import { z } from "zod";
import { defineAction, type HandlerContext, type Seen, unlessGone, VpsError, type ShapeOf, recordingOperationSeconds } from "../core";
import type { FlopsClient } from "./client";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import { operationTimeoutInput, requireVm } from "./common";
import { adoptRollback, rollbackOutputs, rollbackServerIdInput, rollbackTarget, runRollback } from "./rollback";

/**
 * `flops.SnapshotRollback`: rolls a server back to one of its snapshots (`snapshot_rollback`) and
 * waits. An action as a resource: creating it performs the rollback; a change of `triggers` (any
 * values) or of the target (server, snapshot) performs it again (a replacement: a new action); delete
 * only forgets the record and leaves the server alone. `confirm: true` is required at check, before
 * any call, because a rollback replaces the server's current disk.
 *
 * id `"<serverId>/<snapshotId>/<operationId>"`: the vendor's operation is what identifies a rollback
 * that happened. `importFrom` takes that form to adopt a rollback already started (the operation a
 * timed-out `pulumi up` names, or one run from the panel): it is waited for, not started again.
 */

const target = rollbackTarget({
  resource: "flops.SnapshotRollback",
  kind: "snapshot rollback",
  noun: "snapshot",
  key: "snapshotId",
  part: "\\d+",
  value: Number,
});

const inputs = {
  serverId: rollbackServerIdInput,
  snapshotId: {
    schema: z.number().int().positive("must be a snapshot number (a flops.Snapshot's snapshotId)"),
    description: "The vendor's snapshot number to roll back to (a flops.Snapshot's snapshotId output).",
    replaceOnChange: true,
  },
  importFrom: target.importFrom(
    'Adopt a rollback already started ("<serverId>/<snapshotId>/<operationId>", as a timed-out run names it): it is waited for, not started again.',
  ),
};

const outputs = {
  ...rollbackOutputs,
  snapshotName: { schema: z.string().optional(), description: "Name of the snapshot rolled back to." },
};

type Inputs = ShapeOf<typeof inputs> & { operationTimeout?: number };

/** Operation types the vendor documentation documents for other work: an adopted snapshot rollback is none of them. */
const OTHER_DOCUMENTED_TYPES = new Set(["VM_DESTROY", "VM_REVERT_TO_BACKUP", "DOWNLOAD_BACKUP"]);

async function perform<I extends Inputs>(c: FlopsClient, news: I, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  const what = `roll server ${vmId} back to snapshot ${news.snapshotId}`;
  const snap = (await unlessGone(c.listSnapshots(vmId), [])).find((s) => s.id === news.snapshotId);
  if (news.importFrom !== undefined) {
    const ref = target.adopted(news.importFrom, news);
    const run = await adoptRollback(c, vmId, ref.operationId, what, ctx, {
      operationTimeout: news.operationTimeout,
      acceptType: (t) => !OTHER_DOCUMENTED_TYPES.has(t),
    });
    return { id: news.importFrom, outs: { ...news, ...run, snapshotName: snap?.name } };
  }
  if (!snap) {
    await requireVm(c, vmId, what);
    throw new VpsError({
      kind: "notFound",
      host: FLOPS_HOST,
      operation: what,
      hint: `server ${vmId} has no snapshot ${news.snapshotId} (flops.getSnapshots lists them)`,
    });
  }
  ctx.logger.warn(
    `${ctx.label}: rolling server ${vmId} back to snapshot ${snap.id} ("${snap.name}"): its current disk is replaced, and its ` +
      `tariff goes back to the one it had then`,
  );
  const run = await runRollback(c, vmId, what, ctx, {
    operationTimeout: news.operationTimeout,
    target,
    to: snap.id,
    start: (vm) => c.rollbackSnapshot({ vmId, tenantId: vm.tenantId, snapshotId: snap.id }),
    // A rolled-back server runs from that snapshot (currentSnapshot); one that already did cannot show it.
    repeat: async (before) =>
      before.currentSnapshot === snap.id
        ? {
            kind: "neither",
            check:
              `server ${vmId} already ran from snapshot ${snap.id}, so its info cannot show whether the rollback happened: look at the ` +
              `server in the panel before \`pulumi up\` again, which would roll it back again`,
          }
        : {
            kind: "observable",
            look: async (): Promise<Seen<unknown>> =>
              (await c.getVm(vmId)).currentSnapshot === snap.id ? { state: "done", found: undefined } : { state: "absent" },
          },
  });
  return { id: target.id(vmId, snap.id, run.operationId), outs: { ...news, ...run, snapshotName: snap.name } };
}

export const snapshotRollbackResource = recordingOperationSeconds(
  defineAction({
    host: FLOPS_HOST,
    type: "SnapshotRollback",
    description: "Rolls a flops server back to a snapshot (snapshot_rollback) when created or when its triggers change; deleting it leaves the server alone.",
    confirm: "a rollback replaces the server's current disk with the snapshot's state (and its tariff with the snapshot's), and cannot be undone",
    inputs,
    operationTimeout: operationTimeoutInput,
    outputs,
    notes: { id: '`"<serverId>/<snapshotId>/<operationId>"` (`"88977/2206/61572"`)' },
    run: (news, ctx) => perform(flopsClientFromSettings(), news, ctx),
    ...target.record,
  }),
);
