import { z } from "zod";
import { defineResource, recordingOperationSeconds } from "../core";
import { FLOPS_HOST } from "./errors";
import { awaitOperation, withVmLock } from "./operations";
import { flopsClient, operationTimeoutInput, requireVm, serverIdSchema } from "./snapshot";
import { triggersInput } from "./snapshotRollback";

/**
 * `flops.ServerRestart`: a restart as an action resource, so the seed's `reboot` (soft: a signal to
 * the guest OS, marked failed by flops after 3 minutes) and `reset` (hard) are reachable from a
 * program, e.g. after a config change: `triggers: [configHash]`. Creating it restarts the server and
 * waits; a change of `triggers`, `serverId` or `hard` restarts again; delete does nothing to the
 * server. No `confirm`: a restart loses no disk data (a hard reset loses only unsaved memory).
 * id `"<serverId>/<operationId>"`.
 */
export const serverRestartResource = recordingOperationSeconds(defineResource({
  host: FLOPS_HOST,
  type: "ServerRestart",
  description: "Restarts a flops server (reboot, or reset when hard) when created and whenever its triggers change; deleting it does nothing to the server.",
  inputs: {
    serverId: { schema: serverIdSchema, description: "Id of the flops.Server to restart.", replaceOnChange: true },
    hard: { schema: z.boolean().optional(), description: "true: hard reset (like pressing the reset button); default false: soft reboot through the guest OS.", replaceOnChange: true },
    triggers: { ...triggersInput, description: "Any values; a change restarts the server again." },
    operationTimeout: operationTimeoutInput,
  },
  outputs: {
    operationId: { schema: z.number(), description: "The vendor operation that restarted the server." },
    restartedAt: { schema: z.number(), description: "When the restart finished, epoch milliseconds." },
  },
  handler: {
    async create(inputs, ctx) {
      const c = flopsClient();
      const vmId = Number(inputs.serverId);
      const what = inputs.hard ? "reset" : "reboot";
      return withVmLock(vmId, async () => {
        const vm = await requireVm(c, vmId, what);
        const ref = { vmId, tenantId: vm.tenantId };
        const started = inputs.hard ? await c.resetVm(ref) : await c.rebootVm(ref);
        await awaitOperation(c, started, what, ctx, { operationTimeout: inputs.operationTimeout });
        return { id: `${vmId}/${started.operationId}`, outs: { ...inputs, operationId: started.operationId, restartedAt: ctx.clock.now() } };
      });
    },
    // A restart that happened stays happened: the record is kept while its server exists.
    async read(id, state) {
      const vmId = Number(id.split("/")[0]);
      const c = flopsClient();
      const exists = (await c.listVms()).some((v) => v.id === vmId);
      if (!exists) return undefined;
      const inputs = { serverId: String(vmId), hard: state.hard, triggers: state.triggers, operationTimeout: state.operationTimeout };
      return { id, inputs, outs: { ...inputs, operationId: state.operationId ?? Number(id.split("/")[1]), restartedAt: state.restartedAt ?? 0 } };
    },
    async delete(_id, _state, ctx) {
      ctx.logger.info(`${ctx.label}: forgotten; a restart cannot be undone, and the server is left as it is`);
    },
  },
}));
