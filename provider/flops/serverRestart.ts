import { z } from "zod";
import { defineAction, reportStarted, recordingOperationSeconds } from "../core";
import { flopsClientFromSettings } from "./settings";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, startUnrepeatable, withVmLock } from "./operations";
import { operationTimeoutInput, requireVm, serverIdSchema, serverNumberIdForm, vmListing } from "./common";

const restartIdForm = serverNumberIdForm({
  resource: "flops.ServerRestart",
  operation: "read server restart",
  key: "operationId",
  example: "88977/61591",
});

/**
 * `flops.ServerRestart`: a restart as an action resource, so the vendor documentation's `reboot` (soft: a signal to
 * the guest OS, marked failed by flops after 3 minutes) and `reset` (hard) are reachable from a
 * program, e.g. after a config change: `triggers: [configHash]`. Creating it restarts the server and
 * waits; a change of `triggers`, `serverId` or `hard` restarts again; delete does nothing to the
 * server. No `confirm`: a restart loses no disk data (a hard reset loses only unsaved memory).
 * id `"<serverId>/<operationId>"`.
 */
export const serverRestartResource = recordingOperationSeconds(
  defineAction({
    host: FLOPS_HOST,
    type: "ServerRestart",
    description: "Restarts a flops server (reboot, or reset when hard) when created and whenever its triggers change; deleting it does nothing to the server.",
    inputs: {
      serverId: { schema: serverIdSchema, description: "Id of the flops.Server to restart.", replaceOnChange: true },
      hard: {
        schema: z.boolean().optional(),
        description: "true: hard reset (like pressing the reset button); false: soft reboot through the guest OS.",
        default: false,
        replaceOnChange: true,
      },
    },
    operationTimeout: operationTimeoutInput,
    outputs: {
      operationId: { schema: z.number(), description: "The vendor operation that restarted the server." },
      restartedAt: { schema: z.number(), description: "When the restart finished, epoch milliseconds." },
    },
    notes: { id: '`"<serverId>/<operationId>"`' },
    async run(inputs, ctx) {
      const c = flopsClientFromSettings();
      const vmId = Number(inputs.serverId);
      const what = inputs.hard ? "reset" : "reboot";
      return withVmLock(vmId, async () => {
        const vm = await requireVm(c, vmId, what);
        const ref = { vmId, tenantId: vm.tenantId };
        // A second restart is a second outage, and a restarted server looks the same as before: after
        // a transient fault it is not sent again (provider/core/reconcile.ts, "neither").
        const started = await startUnrepeatable(
          ctx,
          `${what} of VM ${vmId}`,
          () => (inputs.hard ? c.resetVm(ref) : c.rebootVm(ref)),
          `whether server ${vmId} restarted shows only inside it (its uptime) or in the panel: look there before \`pulumi up\` again, which restarts it again`,
        );
        reportStarted(ctx, `server ${vmId}`, inputs.hard ? "resetting" : "rebooting", `operation ${started.operationId}`);
        await awaitOperation(c, started, what, ctx, { operationTimeout: inputs.operationTimeout });
        return { id: `${vmId}/${started.operationId}`, outs: { ...inputs, operationId: started.operationId, restartedAt: ctx.clock.now() } };
      });
    },
    fromId: (id) => {
      const { vmId, operationId } = restartIdForm.parse(id);
      return { serverId: String(vmId), operationId, restartedAt: 0 };
    },
    // A restart that happened stays happened: the record is kept while its server exists (one listing
    // for all the records a refresh reads).
    refresh: async (id) => ((await vmListing(flopsClientFromSettings(), "refresh").get(restartIdForm.parse(id).vmId)) ? {} : undefined),
    forgotten: () => "forgotten; a restart cannot be undone, and the server is left as it is",
  }),
);
