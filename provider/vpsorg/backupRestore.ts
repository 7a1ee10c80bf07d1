import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { defineResource } from "../core/resource";
import { clientFor, confirmProperty, idString, operationTimeoutProperty, requireConfirm, serverIdProperty, triggersProperty, vendorId } from "./common";
import { HOST } from "./errors";
import { explainNotFound, performRestore } from "./restore";

/**
 * `vpsorg.BackupRestore`: `POST /servers/{server_id}/restore/` with `{"backup_id": ...}` (the backup
 * the VPS.org documentation points to the Servers API for this), then wait until the server leaves `restoring`. The vendor documentation
 * shows no answer for this call: it is read like the snapshot restore's where it matches (see
 * backupRestoreSchema). An action as a resource (provider/vpsorg/restore.ts). id =
 * `backup-<backupId>-<epoch ms of the restore>`.
 */

const inputs = {
  serverId: serverIdProperty(true),
  backupId: { schema: idString("backup"), description: "Id of the backup to restore (a vpsorg.Backup's id, or one from vpsorg.getBackups)", replaceOnChange: true },
  confirm: confirmProperty,
  triggers: triggersProperty,
  operationTimeout: operationTimeoutProperty("restore"),
};

const outputs = {
  restoredAt: { schema: z.string(), description: "When the restore was seen to finish (ISO 8601)" },
  serverStatus: { schema: z.string().optional(), description: "The server's status after the restore" },
  message: { schema: z.string().optional(), description: "The host's message when the restore started" },
};

export const backupRestore = recordingOperationSeconds(defineResource({
  host: HOST,
  type: "BackupRestore",
  description: "Restores a VPS.org server from a backup (overwrites all current data on the server)",
  inputs,
  outputs,
  notes: {
    id: "`backup-<id>-<epoch ms>`",
    behaviour: [
      "A restore as a resource: create calls `POST /servers/{server_id}/restore/` with `{\"backup_id\": …}` and waits; a change of the target or of `triggers` replaces the resource, which restores again; refresh keeps the record; delete does nothing to the server. The host stops the server before restoring.",
    ],
    waits: ["Create waits until `GET /servers/{id}/` shows the server out of `restoring` (see [when a restore has finished](index.md#where-the-vendors-api-documentation-is-silent))."],
    adoption: ["Nothing to adopt: a restore leaves no object on the host."],
    errors: [{ error: "`backup ... does not exist`", action: "Check `backupId` (`vpsorg.getBackups` lists them)." }],
    example: {
      typescript: `import { vpsorg } from "pulumi-vps";

const backup = new vpsorg.Backup("pre-deploy", { serverId: 12345 });
// Opt-in, destructive: overwrites the server's disk.
new vpsorg.BackupRestore("restore", { serverId: 12345, backupId: backup.id, confirm: true, triggers: ["1"] });`,
      yaml: `name: vpsorg-backup-restore
runtime: yaml
resources:
  restore:
    type: vps:vpsorg:BackupRestore
    properties:
      serverId: 12345
      backupId: "4321"
      confirm: true
      triggers: [ "1" ]`,
    },
  },
  handler: {
    async check(news) {
      requireConfirm(news);
      return news;
    },

    async create(news, ctx) {
      const client = clientFor(ctx);
      const backupId = vendorId(news.backupId, "backup");
      const outcome = await performRestore({
        client,
        serverId: news.serverId,
        source: `backup ${backupId}`,
        send: () => client.restoreBackup(news.serverId, backupId, ctx.signal).catch((e: unknown) => Promise.reject(explainNotFound(e, `server ${news.serverId} or its backup ${backupId}`))),
        operationTimeout: news.operationTimeout,
        ctx,
      });
      const outs = { ...news, restoredAt: outcome.restoredAt, serverStatus: outcome.serverStatus, message: outcome.message };
      return { id: `backup-${backupId}-${Date.parse(outcome.restoredAt)}`, outs };
    },

    // As SnapshotRestore's: the record as it is; with only the id (an import), what the id says, and
    // the server from the backup's listing entry.
    async read(id, state, ctx) {
      const fromId = /^backup-(\d+)-(\d+)$/.exec(id);
      const { triggers, operationTimeout } = state;
      const backupId = state.backupId ?? fromId?.[1];
      const serverId = state.serverId ?? (fromId ? (await clientFor(ctx).listBackups({ signal: ctx.signal })).find((b) => b.id === Number(fromId[1]))?.server.id : undefined);
      const confirm = state.confirm === true || (state.backupId === undefined && fromId !== null);
      const restoredAt = state.restoredAt ?? (fromId ? new Date(Number(fromId[2])).toISOString() : undefined);
      return { id, inputs: { serverId: serverId!, backupId: backupId!, confirm, triggers, operationTimeout }, outs: { ...state, serverId, backupId, confirm, restoredAt } as never };
    },

    async delete(_id, _state, ctx) {
      ctx.logger.info(`${ctx.label}: removing the record of a restore; the server is left as it is`);
    },
  },
}));
