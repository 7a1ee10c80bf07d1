import { type HandlerContext, isVpsError, type PollResult, sharedListing, VpsError, waitFor } from "../core";
import type { NetangelsClient } from "./client";
import { NETANGELS_HOST } from "./errors";
import type { Vm } from "./schemas";
import { isKnownVmState, vmStateInfo, vmStateKind } from "./states";

/**
 * Waits on a VM's `state` and `transitions`, through the core waiter (the only polling loop). The API
 * reports no percentage and the vendor's documentation gives no durations, so the waiter's estimate of an
 * operation's end comes from earlier operations of its kind; progress lines give the state and the
 * time spent.
 *
 * Errors here never carry `objectId`: the VM is not the resource's object, and the dynamic adapter
 * would turn an `objectId` into partial state with the VM id as the resource's id (a Backup's id is
 * `<vmId>/<date>`), which every later refresh would then fail to read.
 */

export interface VmWaitOptions {
  client: NetangelsClient;
  vmId: number;
  ctx: HandlerContext;
  timeoutMs: number;
  /** What the wait is for, e.g. `backup of VM 42`. */
  what: string;
}

/** `state Backuping (making a backup), 1 pending task: {...}` */
export function describeVm(vm: Vm): string {
  const info = vmStateInfo(vm.state);
  const state = `state ${vm.state}${info ? ` (${info.meaning})` : " (a state the API documentation does not list)"}`;
  if (vm.transitions.length === 0) return state;
  const tasks = JSON.stringify(vm.transitions);
  const shown = tasks.length > 300 ? `${tasks.slice(0, 300)}…` : tasks;
  return `${state}, ${vm.transitions.length} pending task${vm.transitions.length === 1 ? "" : "s"}: ${shown}`;
}

/** Steady, with no pending task: a backup or rollback may start, a wait may end. */
export function isSettled(vm: Vm): boolean {
  return vmStateKind(vm.state) === "steady" && vm.transitions.length === 0;
}

/** The VM is in a failure state: an error naming the state, its tasks and what to do. */
export function vmFailureError(vm: Vm, what: string): VpsError {
  const info = vmStateInfo(vm.state);
  return new VpsError(
    {
      kind: "operationFailed",
      host: NETANGELS_HOST,
      operation: what,
      vendorMessage: describeVm(vm),
      hint: info?.remedy,
    },
    `VM ${vm.id} is in state ${vm.state}`,
  );
}

export function vmGoneError(vmId: number, what: string): VpsError {
  return new VpsError(
    {
      kind: "notFound",
      host: NETANGELS_HOST,
      operation: what,
      hint: `no VM ${vmId} in this account (GET /cloud/backups/vms/ does not list it); check vmId and netangels:token`,
    },
    `VM ${vmId} not found`,
  );
}

/** Warns once per wait about a state the vendor documentation does not list (treated as transitional). */
function unknownStateWarner(o: VmWaitOptions): (vm: Vm) => void {
  const seen = new Set<string>();
  return (vm) => {
    if (isKnownVmState(vm.state) || seen.has(vm.state)) return;
    seen.add(vm.state);
    o.ctx.logger.warn(
      `${o.ctx.label}: VM ${vm.id} is in state ${JSON.stringify(vm.state)}, which the NetAngels documentation does not list; waiting for it to ` +
        `change (up to the operation timeout)`,
    );
  };
}

async function currentVm(o: VmWaitOptions): Promise<Vm> {
  const vm = await polledVm(o.client, o.vmId);
  if (!vm) throw vmGoneError(o.vmId, o.what);
  return vm;
}

/**
 * A VM for a wait's poll: `getVm` reads it from `GET /cloud/backups/vms/`, the listing of every VM, so
 * the polls of waits on many VMs (backups of ten servers in one `pulumi up`) share one listing sent
 * after each of them asked (provider/core/coalesce.ts) instead of one listing each.
 */
async function polledVm(client: NetangelsClient, vmId: number): Promise<Vm | undefined> {
  const list = (await sharedListing(
    `${NETANGELS_HOST}|${client.endpoint}|vms|poll`,
    async () => new Map([["all", await client.listVms({ priority: "poll" })]]),
  ).get("all"))!;
  const vm = list.entities.find((v) => v.id === vmId);
  // A listing that says it holds more VMs than it returned cannot tell "gone": getVm says so.
  if (vm || list.count <= list.entities.length) return vm;
  return client.getVm(vmId, { priority: "poll" });
}

/**
 * Waits until the VM is steady with no pending task, then sends `start` (the mutating call). A VM in a
 * failure state stops the wait before anything is sent. A refusal as busy (the VM got new work between
 * the look and the call) is waited out too, as long as the VM then shows that work; a refusal while it
 * shows none is a real error and is thrown.
 */
export async function startWhenSettled<T>(o: VmWaitOptions, start: (vm: Vm) => Promise<T>): Promise<{ before: Vm; value: T }> {
  const warnUnknown = unknownStateWarner(o);
  const r = await waitFor<{ before: Vm; value: T }>({
    host: NETANGELS_HOST,
    what: `VM ${o.vmId} to settle before ${o.what}`,
    timeoutMs: o.timeoutMs,
    signal: o.ctx.signal,
    clock: o.ctx.clock,
    progress: { logger: o.ctx.logger, label: o.ctx.label },
    timeoutHint: "Nothing was started. Raise `operationTimeout` (or netangels:operationTimeout) or wait until the VM has settled, then run `pulumi up` again.",
    poll: async (): Promise<PollResult<{ before: Vm; value: T }>> => {
      const vm = await currentVm(o);
      warnUnknown(vm);
      if (vmStateKind(vm.state) === "failure") throw vmFailureError(vm, `${o.what} (not started)`);
      if (!isSettled(vm)) return { done: false, status: describeVm(vm) };
      try {
        return { done: true, value: { before: vm, value: await start(vm) } };
      } catch (e) {
        if (!isVpsError(e, "busy")) throw e;
        const now = await currentVm(o);
        if (isSettled(now)) throw e;
        return { done: false, status: `refused as busy, ${describeVm(now)}` };
      }
    },
  });
  return r.value!;
}

export interface SettleOptions<T> extends VmWaitOptions {
  /** Called with the settled VM; the wait ends when it returns a value, goes on while it returns undefined. */
  until: (vm: Vm) => Promise<T | undefined>;
  /** Sees every polled VM (to note that the work was seen under way). */
  onVm?: (vm: Vm) => void;
  /** Status shown while the VM is settled but `until` is not yet satisfied. */
  pendingStatus?: string;
  timeoutHint?: string;
  /** The operation awaited (`backup`, `VM rollback`): operations of one kind set each other's schedule. */
  kind?: string;
}

/** Waits until the VM is steady with no pending task and `until` is satisfied; a failure state is an error. */
export async function waitUntilSettled<T>(o: SettleOptions<T>): Promise<{ vm: Vm; value: T }> {
  const warnUnknown = unknownStateWarner(o);
  const r = await waitFor<{ vm: Vm; value: T }>({
    host: NETANGELS_HOST,
    what: o.what,
    timeoutMs: o.timeoutMs,
    signal: o.ctx.signal,
    clock: o.ctx.clock,
    progress: { logger: o.ctx.logger, label: o.ctx.label },
    timeoutHint: o.timeoutHint,
    operation: o.kind ? { kind: o.kind, scope: o.client.endpoint } : undefined,
    poll: async () => {
      const vm = await currentVm(o);
      warnUnknown(vm);
      o.onVm?.(vm);
      if (vmStateKind(vm.state) === "failure") throw vmFailureError(vm, o.what);
      if (!isSettled(vm)) return { done: false, status: describeVm(vm) };
      const value = await o.until(vm);
      if (value === undefined) return { done: false, status: `${describeVm(vm)}, ${o.pendingStatus ?? "waiting"}` };
      return { done: true, value: { vm, value } };
    },
  });
  return r.value!;
}

/** Lost answer to a mutating call: was the work seen under way on the VM? */
export function showsWork(vm: Vm, workState: string): boolean {
  return vm.state === workState || vm.transitions.length > 0;
}

/**
 * A VM for a refresh read: concurrent reads share one `GET /cloud/backups/vms/` (provider/core/coalesce.ts),
 * answered only by a listing sent after the read was asked. Undefined when the listing does not hold it.
 */
export async function refreshVm(client: NetangelsClient, vmId: number): Promise<Vm | undefined> {
  const list = (await sharedListing(`${NETANGELS_HOST}|${client.endpoint}|vms`, async () => new Map([["all", await client.listVms()]])).get("all"))!;
  const vm = list.entities.find((v) => v.id === vmId);
  // A listing that says it holds more VMs than it returned cannot tell "gone": getVm says so.
  if (vm || list.count <= list.entities.length) return vm;
  return client.getVm(vmId);
}
