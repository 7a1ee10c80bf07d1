import { type HandlerContext, isVpsError } from "../core";
import type { NetangelsClient } from "./client";
import { withHint } from "./inputs";
import type { Vm } from "./schemas";
import { describeVm, showsWork, startWhenSettled, waitUntilSettled } from "./vmWait";

/**
 * The wait shared by VmRollback and VolumeRollback: settle first, send the rollback once, then wait
 * until the VM has left Restoring (steady, no pending task).
 *
 * "Left Restoring" needs the rollback to have been seen under way: right after the request the VM may
 * still look settled because the work is only being queued. It counts as seen when the answer or a
 * poll shows Restoring or a pending task, or when the VM's `updated` time has moved.
 */

export interface RollbackRun {
  client: NetangelsClient;
  vmId: number;
  ctx: HandlerContext;
  timeoutMs: number;
  /** e.g. `rollback of VM 42 to 2024-11-29T04:26:40.900150729` */
  what: string;
  /** `VM rollback` or `volume rollback`, for the waiter's estimate of its end. */
  kind: string;
  send: () => Promise<Vm>;
}

export async function runRollback(r: RollbackRun): Promise<Vm> {
  const wait = { client: r.client, vmId: r.vmId, ctx: r.ctx, timeoutMs: r.timeoutMs, what: r.what };
  const started = await startWhenSettled(wait, async () => {
    try {
      return { answer: await r.send() };
    } catch (e) {
      // A lost answer leaves the outcome unknown: a rollback is never sent again blindly.
      if (isVpsError(e) && e.outcomeUnknown) return { lost: e };
      throw e;
    }
  });
  const before = started.before;
  let seen = started.value.answer !== undefined && showsWork(started.value.answer, "Restoring");
  if (started.value.lost) {
    const vm = await r.client.getVm(r.vmId, { signal: r.ctx.signal });
    if (!vm || !(showsWork(vm, "Restoring") || vm.updated !== before.updated)) {
      throw withHint(
        started.value.lost,
        `the answer to the rollback request was lost, and VM ${r.vmId} shows no rollback under way${vm ? ` (${describeVm(vm)})` : ""}; look at the VM in the NetAngels panel before running \`pulumi up\` again, which would send the rollback again`,
        "no answer",
      );
    }
    r.ctx.logger.warn(`${r.ctx.label}: the answer to the rollback request was lost, but VM ${r.vmId} shows the rollback under way; waiting for it instead of asking again`);
    seen = true;
  }
  const done = await waitUntilSettled({
    ...wait,
    kind: r.kind,
    onVm: (vm) => {
      if (showsWork(vm, "Restoring")) seen = true;
    },
    until: async (vm) => (seen || (vm.updated !== undefined && vm.updated !== before.updated) ? vm : undefined),
    pendingStatus: "the rollback has not shown up on the VM yet",
    timeoutHint: "The rollback may still run on the host: look at the VM in the NetAngels panel, then run `pulumi refresh`; running `pulumi up` again sends the rollback again.",
  });
  if (done.vm.state !== before.state) r.ctx.logger.warn(`${r.ctx.label}: VM ${r.vmId} was ${before.state} before the rollback and is ${done.vm.state} after it`);
  return done.vm;
}
