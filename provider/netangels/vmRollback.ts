import { z } from "zod";
import { defineResource, isVpsError, objectLocks, operationTimeoutMs, VpsError, recordingOperationSeconds } from "../core";
import { NETANGELS_DEFAULT_OPERATION_TIMEOUT_SECONDS } from "./client";
import { NETANGELS_HOST } from "./errors";
import { backupDateInput, confirmInput, noSuchBackupError, operationTimeoutInput, triggersInput, vmIdInput, withHint } from "./inputs";
import { runRollback } from "./rollback";
import { netangelsClientFromSettings } from "./settings";
import { refreshVm } from "./vmWait";

/**
 * netangels.VmRollback: rolls a VM back to one of its backups (`POST /cloud/vms/{id}/backups/{date}/`).
 * An action resource: `confirm: true` is required, a change of vmId, backupDate or triggers runs it
 * again (as a new resource), and delete does nothing to the server.
 *
 * Before sending, the date must be listed exactly in `GET /cloud/vms/{id}/backups/` (for this path the
 * seed shows one format, with the fraction): a rollback overwrites the disk, so it is only sent for a
 * backup that provably exists. The date reaches the URL exactly as given.
 */

export const vmRollbackResource = recordingOperationSeconds(defineResource({
  host: NETANGELS_HOST,
  type: "VmRollback",
  description: "Rolls a NetAngels VM back to one of its backups and waits until the VM has left Restoring. Deleting it changes nothing on the host.",
  inputs: {
    vmId: { schema: vmIdInput, description: "Id of the VM to roll back; a change runs the rollback again.", replaceOnChange: true },
    backupDate: {
      schema: backupDateInput,
      description: "Date of the backup exactly as getVmBackups (or a Backup's backupDate) gives it, e.g. 2024-11-29T04:26:40.900150729; a change runs the rollback again.",
      replaceOnChange: true,
    },
    confirm: confirmInput,
    triggers: triggersInput,
    operationTimeout: operationTimeoutInput,
  },
  outputs: {
    vmState: { schema: z.string(), description: "The VM's state after the rollback (refreshed by `pulumi refresh`)." },
    rolledBackAt: { schema: z.string(), description: "When the provider saw the rollback finish (ISO 8601, the provider's clock)." },
  },
  handler: {
    async create(inputs, ctx) {
      const client = netangelsClientFromSettings();
      const { vmId, backupDate } = inputs;
      const timeoutMs = operationTimeoutMs(NETANGELS_HOST, inputs.operationTimeout, ctx, NETANGELS_DEFAULT_OPERATION_TIMEOUT_SECONDS);
      const what = `rollback of VM ${vmId} to ${backupDate}`;
      return objectLocks.run(`${NETANGELS_HOST}:${vmId}`, async () => {
        let entries;
        try {
          entries = await client.listVmBackups(vmId, { signal: ctx.signal });
        } catch (e) {
          if (isVpsError(e, "notFound")) throw withHint(e, `no VM ${vmId} in this account; check vmId and netangels:token`, `VM ${vmId} not found`);
          throw e;
        }
        const matches = entries.filter((e) => e.backup_date === backupDate);
        if (matches.length === 0) throw noSuchBackupError(what, `VM ${vmId}`, backupDate, [...new Set(entries.map((e) => e.backup_date))]);
        if (matches.every((e) => e.resource_type === "Volume")) {
          throw new VpsError({ kind: "invalid", host: NETANGELS_HOST, operation: what, hint: `the backup dated ${backupDate} is of an additional disk (${matches.map((e) => e.resource_name).join(", ")}); roll it back with netangels.VolumeRollback` }, "not a VM backup");
        }
        const vm = await runRollback({ client, vmId, ctx, timeoutMs, what, kind: "VM rollback", send: () => client.rollbackVm(vmId, backupDate, { signal: ctx.signal }) });
        const at = ctx.clock.now();
        ctx.logger.info(`${ctx.label}: VM ${vmId} rolled back to ${backupDate}`);
        return { id: `${vmId}/${backupDate}/${at}`, outs: { ...inputs, vmState: vm.state, rolledBackAt: new Date(at).toISOString() } };
      });
    },

    async read(id, state) {
      const vmId = state.vmId;
      if (vmId === undefined) return undefined;
      // Concurrent reads (a refresh) share one account listing of VMs (see vmWait.ts).
      const vm = await refreshVm(netangelsClientFromSettings(), vmId);
      // The VM is gone: nothing is left to say about its rollback.
      if (!vm) return undefined;
      const inputs = { vmId, backupDate: state.backupDate!, confirm: state.confirm ?? true, triggers: state.triggers, operationTimeout: state.operationTimeout };
      return { id, inputs, outs: { ...inputs, vmState: vm.state, rolledBackAt: state.rolledBackAt ?? "" } };
    },

    async delete(_id, state, ctx) {
      ctx.logger.info(`${ctx.label}: a rollback cannot be undone; removing it from the stack changes nothing on VM ${state.vmId}`);
    },
  },
}));
