import { type HandlerContext, lockKey, objectLocks, reportStarted, type Seen, sendReconciled } from "../core";
import { NETANGELS_HOST } from "./errors";
import { type NetangelsClient, NETANGELS_TIMEOUTS } from "./client";
import type { Vm } from "./schemas";
import { netangelsClientFromSettings } from "./settings";
import { refreshVm, showsWork, startWhenSettled, vmGoneError, waitUntilSettled } from "./vmWait";

/**
 * The wait shared by VmRollback and VolumeRollback: settle first, send the rollback once, then wait
 * until the VM has left Restoring (steady, no pending task).
 *
 * "Left Restoring" needs the rollback to have been seen under way: right after the request the VM may
 * still look settled because the work is only being queued. It counts as seen when the answer or a
 * poll shows Restoring or a pending task, or when the VM's `updated` time has moved.
 */

/** What `confirm: true` of a rollback agrees to. */
export const ROLLBACK_CONFIRM = "a rollback overwrites the disk with the backup's contents, and everything written since the backup is lost";

/** A refresh of a rollback's record: dropped when its VM is gone, else the VM's state now. */
export async function refreshRollback(vmId: number | undefined): Promise<{ vmState: string } | undefined> {
  if (vmId === undefined) return undefined;
  // Concurrent reads (a refresh) share one account listing of VMs (see vmWait.ts).
  const vm = await refreshVm(netangelsClientFromSettings(), vmId);
  // The VM is gone: nothing is left to say about its rollback.
  return vm ? { vmState: vm.state } : undefined;
}

/**
 * One rollback under the VM's lock: `prepare` checks the backup against its listing before anything
 * is sent (its answer comes back as `prepared`), then the rollback is sent and awaited (runRollback).
 * `at` is when the provider saw it finish.
 */
export async function performRollback<P>(o: {
  vmId: number;
  operationTimeout?: number;
  ctx: HandlerContext;
  what: string;
  kind: string;
  prepare: (client: NetangelsClient) => Promise<P>;
  send: (client: NetangelsClient) => Promise<Vm>;
}): Promise<{ prepared: P; vm: Vm; rolledBackAt: number }> {
  const { vmId, ctx } = o;
  const client = netangelsClientFromSettings();
  const timeoutMs = NETANGELS_TIMEOUTS.ms("wait", o.operationTimeout, ctx);
  return objectLocks.run(lockKey(NETANGELS_HOST, "vm", vmId), async () => {
    const prepared = await o.prepare(client);
    const vm = await runRollback({ client, vmId, ctx, timeoutMs, what: o.what, kind: o.kind, send: () => o.send(client) });
    return { prepared, vm, rolledBackAt: ctx.clock.now() };
  });
}

/** What to do when a rollback outlasts its wait. */
const ROLLBACK_TIMEOUT_HINT =
  "The rollback may still run on the host: look at the VM in the NetAngels panel, then run `pulumi refresh`; running `pulumi up` again sends " +
  "the rollback again.";

interface RollbackRun {
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

async function runRollback(r: RollbackRun): Promise<Vm> {
  const wait = { client: r.client, vmId: r.vmId, ctx: r.ctx, timeoutMs: r.timeoutMs, what: r.what };
  // A repeat would roll back again. After a transient fault the VM shows whether the request took
  // (provider/core/reconcile.ts): Restoring, a pending task, or a moved `updated` time (the request
  // queued or ran); with none of them, it is sent again.
  const started = await startWhenSettled(wait, async (settled) => {
    const look = async (): Promise<Seen<undefined>> => {
      const vm = await r.client.getVm(r.vmId, { signal: r.ctx.signal });
      if (!vm) throw vmGoneError(r.vmId, r.what);
      return showsWork(vm, "Restoring") || vm.updated !== settled.updated ? { state: "running", found: undefined } : { state: "absent" };
    };
    return sendReconciled({
      host: NETANGELS_HOST,
      operation: r.what,
      send: r.send,
      repeat: { kind: "observable", look },
      logger: r.ctx.logger,
      busyWait: { timeoutMs: r.timeoutMs, clock: r.ctx.clock, signal: r.ctx.signal },
    });
  });
  const before = started.before;
  const sent = started.value;
  let seen = sent.kind !== "sent" || showsWork(sent.answer, "Restoring");
  if (sent.kind === "sent") reportStarted(r.ctx, r.what, "under way", `VM state ${sent.answer.state}`);
  const done = await waitUntilSettled({
    ...wait,
    kind: r.kind,
    onVm: (vm) => {
      if (showsWork(vm, "Restoring")) seen = true;
    },
    until: async (vm) => (seen || (vm.updated !== undefined && vm.updated !== before.updated) ? vm : undefined),
    pendingStatus: "the rollback has not shown up on the VM yet",
    timeoutHint: ROLLBACK_TIMEOUT_HINT,
  });
  if (done.vm.state !== before.state)
    r.ctx.logger.warn(`${r.ctx.label}: VM ${r.vmId} was ${before.state} before the rollback and is ${done.vm.state} after it`);
  return done.vm;
}
