import { defineAction } from "../core/action";
import { recordingOperationSeconds } from "../core/durations";
import { idString, serverIdProperty } from "./common";
import { vpsorgClientFromSettings } from "./settings";
import { parseRestoreId, restoreActionParts, restoreOutcomeOutputs, runRestore } from "./restore";

/**
 * `vpsorg.BackupRestore`: `POST /servers/{server_id}/restore/` with `{"backup_id": ...}` (the backup
 * the VPS.org documentation points to the Servers API for this), then wait until the server leaves `restoring`. The vendor documentation
 * shows no answer for this call: it is read like the snapshot restore's where it matches (see
 * backupRestoreSchema). An action as a resource (provider/vpsorg/restore.ts). id =
 * `backup-<backupId>-<epoch ms of the restore>`.
 */

const inputs = {
  serverId: serverIdProperty(true),
  backupId: {
    schema: idString("backup"),
    description: "Id of the backup to restore (a vpsorg.Backup's id, or one from vpsorg.getBackups)",
    replaceOnChange: true,
  },
};

const outputs = {
  ...restoreOutcomeOutputs("The server's status after the restore"),
};

export const backupRestore = recordingOperationSeconds(
  defineAction({
    ...restoreActionParts,
    type: "BackupRestore",
    description: "Restores a VPS.org server from a backup (overwrites all current data on the server)",
    inputs,
    outputs,
    notes: { id: "`backup-<id>-<epoch ms>`" },
    async run(news, ctx) {
      return runRestore(ctx, news, "backup", news.backupId, (client, backupId) => ({
        serverId: news.serverId,
        source: `backup ${backupId}`,
        missing: `server ${news.serverId} or its backup ${backupId}`,
        send: () => client.restoreBackup(news.serverId, backupId, ctx.signal),
        outs: {},
      }));
    },
    // As SnapshotRestore's: the record as it is; with only the id (an import), what the id says, and
    // the server from the backup's listing entry.
    fromId(id) {
      const said = parseRestoreId("backup", id);
      return said ? { backupId: said.sourceId, restoredAt: said.restoredAt } : {};
    },
    async refresh(id, record, ctx) {
      const said = parseRestoreId("backup", id);
      if (record.serverId !== undefined || !said) return {};
      return { serverId: (await vpsorgClientFromSettings().listBackups({ signal: ctx.signal })).find((b) => b.id === Number(said.sourceId))?.server.id };
    },
  }),
);
