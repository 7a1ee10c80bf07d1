import { z } from "zod";
import { defineAction, VpsError, recordingOperationSeconds } from "../core";
import { NETANGELS_HOST } from "./errors";
import { listVmBackupsOf } from "./common";
import { backupDateInput, noSuchBackupError, operationTimeoutInput, vmIdInput } from "./inputs";
import { performRollback, refreshRollback, ROLLBACK_CONFIRM } from "./rollback";

/**
 * netangels.VmRollback: rolls a VM back to one of its backups (`POST /cloud/vms/{id}/backups/{date}/`).
 * An action resource: `confirm: true` is required, a change of vmId, backupDate or triggers runs it
 * again (as a new resource), and delete does nothing to the server.
 *
 * Before sending, the date must be listed exactly in `GET /cloud/vms/{id}/backups/` (for this path the
 * the vendor documentation shows one format, with the fraction): a rollback overwrites the disk, so it is only sent for a
 * backup that provably exists. The date reaches the URL exactly as given.
 */

export const vmRollbackResource = recordingOperationSeconds(
  defineAction({
    host: NETANGELS_HOST,
    type: "VmRollback",
    description: "Rolls a NetAngels VM back to one of its backups and waits until the VM has left Restoring. Deleting it changes nothing on the host.",
    confirm: ROLLBACK_CONFIRM,
    inputs: {
      vmId: { schema: vmIdInput, description: "Id of the VM to roll back.", replaceOnChange: true },
      backupDate: {
        schema: backupDateInput,
        description: "Date of the backup exactly as getVmBackups (or a Backup's backupDate) gives it, e.g. 2024-11-29T04:26:40.900150729.",
        replaceOnChange: true,
      },
    },
    operationTimeout: operationTimeoutInput,
    outputs: {
      vmState: { schema: z.string(), description: "The VM's state after the rollback (refreshed by `pulumi refresh`)." },
      rolledBackAt: { schema: z.string(), description: "When the provider saw the rollback finish (ISO 8601, the provider's clock)." },
    },
    notes: { id: '`"<vmId>/<backup_date>/<epoch ms>"`' },
    async run(inputs, ctx) {
      const { vmId, backupDate } = inputs;
      const what = `rollback of VM ${vmId} to ${backupDate}`;
      const { vm, rolledBackAt } = await performRollback({
        vmId,
        operationTimeout: inputs.operationTimeout,
        ctx,
        what,
        kind: "VM rollback",
        prepare: async (client) => {
          const entries = await listVmBackupsOf(client, vmId, { signal: ctx.signal });
          const matches = entries.filter((e) => e.backup_date === backupDate);
          if (matches.length === 0) throw noSuchBackupError(what, `VM ${vmId}`, backupDate, [...new Set(entries.map((e) => e.backup_date))]);
          if (matches.every((e) => e.resource_type === "Volume")) {
            const disks = matches.map((e) => e.resource_name).join(", ");
            throw new VpsError(
              {
                kind: "invalid",
                host: NETANGELS_HOST,
                operation: what,
                hint: `the backup dated ${backupDate} is of an additional disk (${disks}); roll it back with netangels.VolumeRollback`,
              },
              "not a VM backup",
            );
          }
        },
        send: (client) => client.rollbackVm(vmId, backupDate, { signal: ctx.signal }),
      });
      ctx.logger.info(`${ctx.label}: VM ${vmId} rolled back to ${backupDate}`);
      return { id: `${vmId}/${backupDate}/${rolledBackAt}`, outs: { ...inputs, vmState: vm.state, rolledBackAt: new Date(rolledBackAt).toISOString() } };
    },
    // With only the id (an import), the record is what the id `<vmId>/<backupDate>/<ms>` says.
    fromId(id) {
      const m = /^(\d+)\/(.+)\/(\d+)$/.exec(id);
      return m ? { vmId: Number(m[1]), backupDate: m[2], rolledBackAt: new Date(Number(m[3])).toISOString() } : {};
    },
    refresh: async (_id, record) => {
      const live = await refreshRollback(record.vmId);
      return live && { ...live, rolledBackAt: record.rolledBackAt ?? "" };
    },
    forgotten: (state) => `a rollback cannot be undone; removing it from the stack changes nothing on VM ${state.vmId}`,
  }),
);
