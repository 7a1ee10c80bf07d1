import { z } from "zod";
import { defineResource, isVpsError, objectLocks, operationTimeoutMs, VpsError, recordingOperationSeconds } from "../core";
import { NETANGELS_DEFAULT_OPERATION_TIMEOUT_SECONDS } from "./client";
import { backupDateParts, matchingBackupDates } from "./dates";
import { NETANGELS_HOST } from "./errors";
import { backupDateInput, confirmInput, noSuchBackupError, operationTimeoutInput, triggersInput, vmIdInput, volumeIdInput, withHint } from "./inputs";
import { runRollback } from "./rollback";
import { netangelsClientFromSettings } from "./settings";
import { refreshVm } from "./vmWait";

/**
 * netangels.VolumeRollback: rolls an additional disk back to one of its backups
 * (`POST /cloud/vms/{id}/volumes/{volume_id}/backups/{date}/`). An action resource like VmRollback.
 *
 * The seed prints this path's date as `{date}(\.\d+)?`: the fractional part is optional. So the date
 * may be given with or without it, and is sent exactly as given. Before sending, it must name exactly
 * one backup of `GET /cloud/vms/{id}/volumes/{volume_id}/backups/`: the same string, or (without a
 * fraction) the one backup made in that second; two in one second is an error listing both.
 */

export const volumeRollbackResource = recordingOperationSeconds(defineResource({
  host: NETANGELS_HOST,
  type: "VolumeRollback",
  description: "Rolls an additional disk of a NetAngels VM back to one of its backups and waits until the VM has left Restoring. Deleting it changes nothing on the host.",
  inputs: {
    vmId: { schema: vmIdInput, description: "Id of the VM the disk belongs to; a change runs the rollback again.", replaceOnChange: true },
    volumeId: { schema: volumeIdInput, description: "Id of the additional disk; a change runs the rollback again.", replaceOnChange: true },
    backupDate: {
      schema: backupDateInput,
      description: "Date of the disk's backup as getVolumeBackups gives it, with or without its fractional part (e.g. 2024-11-29T04:26:40.900150729 or 2024-11-29T04:26:40); a change runs the rollback again.",
      replaceOnChange: true,
    },
    confirm: confirmInput,
    triggers: triggersInput,
    operationTimeout: operationTimeoutInput,
  },
  outputs: {
    matchedBackupDate: { schema: z.string(), description: "The listed date the given backupDate named (with its full fraction)." },
    vmState: { schema: z.string(), description: "The VM's state after the rollback (refreshed by `pulumi refresh`)." },
    rolledBackAt: { schema: z.string(), description: "When the provider saw the rollback finish (ISO 8601, the provider's clock)." },
  },
  handler: {
    async create(inputs, ctx) {
      const client = netangelsClientFromSettings();
      const { vmId, volumeId, backupDate } = inputs;
      const timeoutMs = operationTimeoutMs(NETANGELS_HOST, inputs.operationTimeout, ctx, NETANGELS_DEFAULT_OPERATION_TIMEOUT_SECONDS);
      const what = `rollback of volume ${volumeId} of VM ${vmId} to ${backupDate}`;
      return objectLocks.run(`${NETANGELS_HOST}:${vmId}`, async () => {
        let entries;
        try {
          entries = await client.listVolumeBackups(vmId, volumeId, { signal: ctx.signal });
        } catch (e) {
          if (isVpsError(e, "notFound")) throw withHint(e, `no volume ${volumeId} on VM ${vmId} in this account; check vmId, volumeId and netangels:token`, `volume ${volumeId} of VM ${vmId} not found`);
          throw e;
        }
        const listed = [...new Set(entries.map((e) => e.backup_date))];
        const matches = matchingBackupDates(backupDate, listed);
        if (matches.length === 0) throw noSuchBackupError(what, `volume ${volumeId} of VM ${vmId}`, backupDate, listed);
        if (matches.length > 1) {
          throw new VpsError(
            { kind: "invalid", host: NETANGELS_HOST, operation: what, hint: `${matches.length} backups were made in second ${backupDateParts(backupDate)?.wholeSecond}: ${matches.map((d) => JSON.stringify(d)).join(", ")}; give the full date of one` },
            "ambiguous backup date",
          );
        }
        const vm = await runRollback({ client, vmId, ctx, timeoutMs, what, kind: "volume rollback", send: () => client.rollbackVolume(vmId, volumeId, backupDate, { signal: ctx.signal }) });
        const at = ctx.clock.now();
        ctx.logger.info(`${ctx.label}: volume ${volumeId} of VM ${vmId} rolled back to ${matches[0]}`);
        return { id: `${vmId}/${volumeId}/${backupDate}/${at}`, outs: { ...inputs, matchedBackupDate: matches[0], vmState: vm.state, rolledBackAt: new Date(at).toISOString() } };
      });
    },

    async read(id, state) {
      const vmId = state.vmId;
      if (vmId === undefined || state.volumeId === undefined) return undefined;
      // Concurrent reads (a refresh) share one account listing of VMs (see vmWait.ts).
      const vm = await refreshVm(netangelsClientFromSettings(), vmId);
      if (!vm) return undefined;
      const inputs = { vmId, volumeId: state.volumeId, backupDate: state.backupDate!, confirm: state.confirm ?? true, triggers: state.triggers, operationTimeout: state.operationTimeout };
      return { id, inputs, outs: { ...inputs, matchedBackupDate: state.matchedBackupDate ?? state.backupDate!, vmState: vm.state, rolledBackAt: state.rolledBackAt ?? "" } };
    },

    async delete(_id, state, ctx) {
      ctx.logger.info(`${ctx.label}: a rollback cannot be undone; removing it from the stack changes nothing on volume ${state.volumeId} of VM ${state.vmId}`);
    },
  },
}));
