import { z } from "zod";
import { recordingOperationSeconds } from "../core/durations";
import { defineResource } from "../core/resource";
import { clientFor, confirmProperty, idString, operationTimeoutProperty, requireConfirm, serverIdProperty, triggersProperty, vendorId } from "./common";
import { HOST } from "./errors";
import { explainNotFound, performRestore } from "./restore";

/**
 * `vpsorg.BackupRestore`: `POST /servers/{server_id}/restore/` with `{"backup_id": ...}` (the backup
 * seed points to the Servers API for this), then wait until the server leaves `restoring`. The seed
 * shows no answer for this call: it is read like the snapshot restore's where it matches (see
 * backupRestoreSchema). An action as a resource (provider/vpsorg/restore.ts). id =
 * `backup-<backupId>-<epoch ms of the restore>`.
 */

const inputs = {
  serverId: serverIdProperty(true),
  backupId: { schema: idString("backup"), description: "Id of the backup to restore (a vpsorg.Backup's id, or one from vpsorg.getBackups)", replaceOnChange: true },
  confirm: confirmProperty,
  triggers: triggersProperty,
  operationTimeout: operationTimeoutProperty,
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

    async read(id, state) {
      const { serverId, backupId, confirm, triggers, operationTimeout } = state;
      return { id, inputs: { serverId: serverId!, backupId: backupId!, confirm: confirm === true, triggers, operationTimeout }, outs: state as never };
    },

    async delete(_id, _state, ctx) {
      ctx.logger.info(`${ctx.label}: removing the record of a restore; the server is left as it is`);
    },
  },
}));
