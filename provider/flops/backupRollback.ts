import { z } from "zod";
import { defineAction, type HandlerContext, type Repeat, type Seen, unlessGone, VpsError, type ShapeOf, recordingOperationSeconds } from "../core";
import type { FlopsClient } from "./client";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import type { Backup, Vm } from "./schemas";
import { operationTimeoutInput, requireVm } from "./common";
import { adoptRollback, rollbackOutputs, rollbackServerIdInput, rollbackTarget, runRollback } from "./rollback";

/**
 * `flops.BackupRollback`: rolls a server back to one of its backups (`backup_rollback`) and waits.
 * An action as a resource, like flops.SnapshotRollback (see there): `confirm: true` at check, a
 * change of `triggers` or of the target performs it again, delete leaves the server alone.
 *
 * The vendor documentation's warning, repeated in the log: the rollback deletes every snapshot of the server, the
 * current disk is lost for good, and the tariff goes back to the one of the backup's time. So after
 * it, flops.Snapshot resources of that server are gone on the next refresh, and the Server's tariff
 * and sizes may show as drift.
 *
 * id `"<serverId>/<backup>/<operationId>"`; `importFrom` takes that form (a rollback already started).
 */

/** The only operation type the vendor documentation shows for a backup rollback. */
const BACKUP_ROLLBACK_TYPE = "VM_REVERT_TO_BACKUP";

const target = rollbackTarget({
  resource: "flops.BackupRollback",
  kind: "backup rollback",
  noun: "backup",
  key: "backup",
  part: ".+",
  value: (part) => part,
});

const inputs = {
  serverId: rollbackServerIdInput,
  backup: {
    schema: z
      .string()
      .min(1, "must be a backup id such as diff-backupsnap20141019011721-backupsnap20141022015414.lz4 (flops.getBackups lists them)")
      .regex(/^[^/]+$/, "must be a backup id (a file name, no /)"),
    description: "Id of the backup to roll back to (a file name from flops.getBackups).",
    replaceOnChange: true,
  },
  createBackup: {
    schema: z.boolean().optional(),
    description: "Save the server's current state as a backup first (backup_rollback's createBackup). Read when the rollback runs.",
    createOnly: true,
  },
  importFrom: target.importFrom(
    'Adopt a backup rollback already started ("<serverId>/<backup>/<operationId>", as a timed-out run names it): it is waited for, not started again.',
  ),
};

const outputs = {
  ...rollbackOutputs,
  backupTimeAdded: { schema: z.number().optional(), description: "When the backup rolled back to was taken, epoch milliseconds." },
};

type Inputs = ShapeOf<typeof inputs> & { operationTimeout?: number };

function backupsOf(c: FlopsClient, vmId: number): Promise<Backup[]> {
  return unlessGone(c.listBackups(vmId), []);
}

async function perform<I extends Inputs>(c: FlopsClient, news: I, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  const what = `roll server ${vmId} back to backup ${news.backup}`;
  const backups = await backupsOf(c, vmId);
  const backup = backups.find((b) => b.id === news.backup);
  if (news.importFrom !== undefined) {
    const ref = target.adopted(news.importFrom, news);
    const run = await adoptRollback(c, vmId, ref.operationId, what, ctx, {
      operationTimeout: news.operationTimeout,
      acceptType: (t) => t === BACKUP_ROLLBACK_TYPE,
    });
    return { id: news.importFrom, outs: { ...news, ...run, backupTimeAdded: backup?.timeAdded } };
  }
  if (!backup) {
    await requireVm(c, vmId, what);
    const known = backups.map((b) => b.id);
    throw new VpsError({
      kind: "notFound",
      host: FLOPS_HOST,
      operation: what,
      hint:
        `server ${vmId} has no backup ${news.backup}; it has ` +
        `${known.length ? known.join(", ") : "none yet (they are taken on the server's backup schedule)"}`,
    });
  }
  ctx.logger.warn(
    `${ctx.label}: rolling server ${vmId} back to backup ${backup.id}: every snapshot of the server is deleted, its current disk ` +
      `is lost${news.createBackup ? " (a backup of it is taken first)" : ""}, and its tariff goes back to the one of the backup's time`,
  );
  const run = await runRollback(c, vmId, what, ctx, {
    operationTimeout: news.operationTimeout,
    target,
    to: backup.id,
    start: (vm) => c.rollbackBackup({ vmId, tenantId: vm.tenantId, backup: backup.id, createBackup: news.createBackup }),
    repeat: (before) => backupRollbackRepeat(c, before, news.createBackup === true),
  });
  return { id: target.id(vmId, backup.id, run.operationId), outs: { ...news, ...run, backupTimeAdded: backup.timeAdded } };
}

/**
 * What shows a backup rollback happened: the backup it saves first (createBackup), or the server's
 * snapshots, which it deletes. A server with neither cannot show it.
 */
async function backupRollbackRepeat(c: FlopsClient, before: Vm, createBackup: boolean): Promise<Repeat<unknown>> {
  const vmId = before.id;
  // Only what this rollback would change is listed: the backups (createBackup) or the snapshots.
  const backupsBefore = createBackup ? new Set((await backupsOf(c, vmId)).map((b) => b.id)) : new Set<Backup["id"]>();
  if (!createBackup && before.currentSnapshot === null && (await c.listSnapshots(vmId)).length === 0) {
    return {
      kind: "neither",
      check:
        `server ${vmId} has no snapshots for the rollback to delete, so nothing shows whether it happened: look at the server in the ` +
        `panel before \`pulumi up\` again, which would roll it back again`,
    };
  }
  const happened = async (): Promise<Seen<unknown>> => {
    const saved = createBackup && (await backupsOf(c, vmId)).some((b) => !backupsBefore.has(b.id));
    const wiped = !createBackup && (await c.listSnapshots(vmId)).length === 0 && (await c.getVm(vmId)).currentSnapshot === null;
    return saved || wiped ? { state: "done", found: undefined } : { state: "absent" };
  };
  return { kind: "observable", look: happened };
}

export const backupRollbackResource = recordingOperationSeconds(
  defineAction({
    host: FLOPS_HOST,
    type: "BackupRollback",
    description: "Rolls a flops server back to a backup (backup_rollback) when created or when its triggers change; deleting it leaves the server alone.",
    confirm: "a backup rollback deletes every snapshot of the server, loses its current disk for good, and puts back the tariff of the backup's time",
    inputs,
    operationTimeout: operationTimeoutInput,
    outputs,
    notes: { id: '`"<serverId>/<backup>/<operationId>"`' },
    run: (news, ctx) => perform(flopsClientFromSettings(), news, ctx),
    ...target.record,
  }),
);
