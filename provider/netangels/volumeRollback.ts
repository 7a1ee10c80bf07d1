import { z } from "zod";
import { defineAction, VpsError, recordingOperationSeconds } from "../core";
import { backupDateParts, matchingBackupDates } from "./dates";
import { NETANGELS_HOST } from "./errors";
import { listVolumeBackupsOf } from "./common";
import { backupDateInput, noSuchBackupError, operationTimeoutInput, vmIdInput, volumeIdInput } from "./inputs";
import { performRollback, refreshRollback, ROLLBACK_CONFIRM } from "./rollback";

/**
 * netangels.VolumeRollback: rolls an additional disk back to one of its backups
 * (`POST /cloud/vms/{id}/volumes/{volume_id}/backups/{date}/`). An action resource like VmRollback.
 *
 * The vendor documentation prints this path's date as `{date}(\.\d+)?`: the fractional part is optional. So the date
 * may be given with or without it, and is sent exactly as given. Before sending, it must name exactly
 * one backup of `GET /cloud/vms/{id}/volumes/{volume_id}/backups/`: the same string, or (without a
 * fraction) the one backup made in that second; two in one second is an error listing both.
 */

export const volumeRollbackResource = recordingOperationSeconds(
  defineAction({
    host: NETANGELS_HOST,
    type: "VolumeRollback",
    description:
      "Rolls an additional disk of a NetAngels VM back to one of its backups and waits until the VM has left Restoring. Deleting it changes " +
      "nothing on the host.",
    confirm: ROLLBACK_CONFIRM,
    inputs: {
      vmId: { schema: vmIdInput, description: "Id of the VM the disk belongs to.", replaceOnChange: true },
      volumeId: { schema: volumeIdInput, description: "Id of the additional disk (getBackups lists each VM's volumeIds).", replaceOnChange: true },
      backupDate: {
        schema: backupDateInput,
        description:
          "Date of the disk's backup as getVolumeBackups gives it, with or without its fractional part (e.g. 2024-11-29T04:26:40.900150729 or " +
          "2024-11-29T04:26:40).",
        replaceOnChange: true,
      },
    },
    operationTimeout: operationTimeoutInput,
    outputs: {
      matchedBackupDate: { schema: z.string(), description: "The listed date the given backupDate named (with its full fraction)." },
      vmState: { schema: z.string(), description: "The VM's state after the rollback (refreshed by `pulumi refresh`)." },
      rolledBackAt: { schema: z.string(), description: "When the provider saw the rollback finish (ISO 8601, the provider's clock)." },
    },
    notes: { id: '`"<vmId>/<volumeId>/<backup_date>/<epoch ms>"`' },
    async run(inputs, ctx) {
      const { vmId, volumeId, backupDate } = inputs;
      const what = `rollback of volume ${volumeId} of VM ${vmId} to ${backupDate}`;
      const run = await performRollback({
        vmId,
        operationTimeout: inputs.operationTimeout,
        ctx,
        what,
        kind: "volume rollback",
        prepare: async (client) => {
          const entries = await listVolumeBackupsOf(client, vmId, volumeId, { signal: ctx.signal });
          const listed = [...new Set(entries.map((e) => e.backup_date))];
          const matches = matchingBackupDates(backupDate, listed);
          if (matches.length === 0) throw noSuchBackupError(what, `volume ${volumeId} of VM ${vmId}`, backupDate, listed);
          if (matches.length > 1) {
            const dates = matches.map((d) => JSON.stringify(d)).join(", ");
            throw new VpsError(
              {
                kind: "invalid",
                host: NETANGELS_HOST,
                operation: what,
                hint: `${matches.length} backups were made in second ${backupDateParts(backupDate)?.wholeSecond}: ${dates}; give the full date of one`,
              },
              "ambiguous backup date",
            );
          }
          return matches[0];
        },
        send: (client) => client.rollbackVolume(vmId, volumeId, backupDate, { signal: ctx.signal }),
      });
      ctx.logger.info(`${ctx.label}: volume ${volumeId} of VM ${vmId} rolled back to ${run.prepared}`);
      return {
        id: `${vmId}/${volumeId}/${backupDate}/${run.rolledBackAt}`,
        outs: { ...inputs, matchedBackupDate: run.prepared, vmState: run.vm.state, rolledBackAt: new Date(run.rolledBackAt).toISOString() },
      };
    },
    // With only the id (an import), the record is what the id `<vmId>/<volumeId>/<backupDate>/<ms>` says.
    fromId(id) {
      const m = /^(\d+)\/(\d+)\/(.+)\/(\d+)$/.exec(id);
      return m ? { vmId: Number(m[1]), volumeId: Number(m[2]), backupDate: m[3], rolledBackAt: new Date(Number(m[4])).toISOString() } : {};
    },
    refresh: async (_id, record) => {
      const live = record.volumeId === undefined ? undefined : await refreshRollback(record.vmId);
      return live && { ...live, matchedBackupDate: record.matchedBackupDate ?? record.backupDate, rolledBackAt: record.rolledBackAt ?? "" };
    },
    forgotten: (state) => `a rollback cannot be undone; removing it from the stack changes nothing on volume ${state.volumeId} of VM ${state.vmId}`,
  }),
);
