import { z } from "zod";
import { awaitLostEffect, type HandlerContext, isVpsError, operationTimeoutMs, VpsError, defineResource, type ShapeOf, recordingOperationSeconds } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_ERROR_CODE, FLOPS_HOST } from "./errors";
import { awaitOperation, SHORT_OPERATION_SECONDS, withVmLock } from "./operations";
import type { OperationStarted, Vm } from "./schemas";
import { findVm, flopsClient, isGone, LOST_EFFECT_WINDOW_MS, operationTimeoutInput, requireVm, serverIdSchema, withUnknownOutcomeHint } from "./snapshot";

/**
 * `flops.IpAddress`: one extra public address on a server. `ip_add` names no address, so the new one
 * is the address that was not in the VM's `ipAddresses` before the call; every IP operation on a
 * server runs under that server's lock, so nothing else of this process changes the list in between.
 * id = the address. A change of `serverId` moves the address in place with `ip_move` (it is kept: the
 * blue/green case, a Server replaced create-before-delete, keeps its address, moved to the new server
 * before the old one is deleted). Delete is `ip_delete`.
 *
 * The vendor codes `error.inet.ip.guest.add` / `error.inet.ip.guest.remove` mean the address change
 * happened but the server's OS was not reconfigured. They may come as the call's own error answer or
 * in the operation; either way the resource succeeds and warns what to do by hand.
 *
 * How this lives with flops.Server: the Server's `ipAddresses` is an output (every address the VM has,
 * these included), never compared; its `ipCount` input is only what the server was installed with and
 * is not read back from the live address count, so adding or moving addresses here is no diff there.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const inputs = {
  serverId: { schema: serverIdSchema, description: "Id of the flops.Server the address is on. A change moves the address there in place (ip_move), keeping it." },
  importFrom: {
    schema: z.string().regex(IPV4, "must be an IPv4 address such as 185.22.60.234").optional(),
    description: "Adopt this existing address (the resource's id form) instead of adding one; if it is on another server it is moved to serverId. A later change is no diff.",
    createOnly: true,
  },
  operationTimeout: operationTimeoutInput,
};

const outputs = {
  address: { schema: z.string(), description: "The IPv4 address (also the resource id)." },
  guestConfigured: {
    schema: z.boolean(),
    description: "False when flops reported that the server's OS could not be reconfigured for the last add or move (error.inet.ip.guest.add / .remove): configure the address there by hand.",
  },
};

type Inputs = ShapeOf<typeof inputs>;

type GuestCode = typeof FLOPS_ERROR_CODE.guestIpAdd | typeof FLOPS_ERROR_CODE.guestIpRemove;

function guestCodeOf(e: unknown): GuestCode | undefined {
  if (!isVpsError(e)) return undefined;
  return e.vendorCode === FLOPS_ERROR_CODE.guestIpAdd || e.vendorCode === FLOPS_ERROR_CODE.guestIpRemove ? e.vendorCode : undefined;
}

/** What the user has to do by hand after a guest-reconfigure failure. */
export function guestWarning(code: GuestCode, address: string, vmId: number): string {
  return code === FLOPS_ERROR_CODE.guestIpAdd
    ? `flops gave address ${address} to server ${vmId} but could not configure it in the server's OS (${code}): add ${address} to the server's network settings by hand (e.g. /etc/network/interfaces or netplan), then restart its networking`
    : `flops took address ${address} off server ${vmId} but it is still configured in that server's OS (${code}): remove ${address} from the server's network settings by hand, so the two do not conflict`;
}

/**
 * Starts an IP operation and waits for it. A guest-reconfigure code, from the call or from the
 * operation, is the seed's "the address change happened": returned, not thrown.
 */
async function runIpOperation(c: FlopsClient, start: () => Promise<OperationStarted>, what: string, ctx: HandlerContext, operationTimeout: number | undefined, kind: string): Promise<GuestCode | undefined> {
  let started: OperationStarted;
  try {
    started = await start();
  } catch (e) {
    const code = guestCodeOf(e);
    if (code) return code;
    throw e;
  }
  try {
    await awaitOperation(c, started, what, ctx, { operationTimeout, kind });
    return undefined;
  } catch (e) {
    const code = guestCodeOf(e);
    if (code) return code;
    throw e;
  }
}

/** Locks every VM named, in id order (ip_move touches two; a fixed order cannot deadlock). */
function withVmLocks<T>(vmIds: number[], fn: () => Promise<T>): Promise<T> {
  const ids = [...new Set(vmIds)].sort((a, b) => a - b);
  const run = (i: number): Promise<T> => (i === ids.length ? fn() : withVmLock(ids[i], () => run(i + 1)));
  return run(0);
}

/** The VM holding `address`: `likely` first (one read), else the account's whole list. */
async function holderOf(c: FlopsClient, address: string, likely?: number): Promise<Vm | undefined> {
  if (likely !== undefined) {
    const vm = await findVm(c, likely);
    if (vm?.ipAddresses.includes(address)) return vm;
  }
  return (await c.listVms()).find((vm) => vm.ipAddresses.includes(address));
}

const numberOrUndefined = (id: string | undefined) => (id === undefined ? undefined : Number(id));

/** Moves `address` from the VM holding it to `toVmId`; returns whether the guest OS was reconfigured. */
async function moveAddress(c: FlopsClient, address: string, from: Vm, toVmId: number, ctx: HandlerContext, operationTimeout?: number): Promise<boolean> {
  await requireVm(c, toVmId, `move address ${address} to server ${toVmId}`);
  ctx.logger.info(`${ctx.label}: moving address ${address} from server ${from.id} to server ${toVmId}`);
  const guest = await runIpOperation(c, () => c.moveIp({ vmId: from.id, tenantId: from.tenantId, toVmId, ip: address }), `move ${address} from server ${from.id} to server ${toVmId}`, ctx, operationTimeout, "address move");
  if (guest) ctx.logger.warn(`${ctx.label}: ${guestWarning(guest, address, guest === FLOPS_ERROR_CODE.guestIpAdd ? toVmId : from.id)}`);
  const target = await c.getVm(toVmId);
  if (!target.ipAddresses.includes(address)) {
    throw new VpsError({ kind: "badResponse", host: FLOPS_HOST, operation: `move address ${address} to server ${toVmId}`, hint: `ip_move finished, but server ${toVmId} does not list ${address}; run \`pulumi refresh\` to see where it is` });
  }
  return !guest;
}

async function addAddress(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, `add an address to server ${vmId}`);
    const before = new Set(vm.ipAddresses);
    const start = () =>
      c.addIp({ vmId, tenantId: vm.tenantId }).catch((e: unknown) => {
        throw withUnknownOutcomeHint(e, `if server ${vmId} gets an address besides ${[...before].join(", ") || "none"} (flops.getServer), adopt it with importFrom: "<address>" instead of adding another`);
      });
    let guest: GuestCode | undefined;
    try {
      guest = await runIpOperation(c, start, `add an address to server ${vmId}`, ctx, news.operationTimeout, "address add");
    } catch (e) {
      if (!isVpsError(e) || !e.outcomeUnknown) throw e;
      // The answer was lost, so ip_add may have run; its address shows when the operation ends.
      const found = await awaitLostEffect({
        host: FLOPS_HOST,
        operation: `ip_add on server ${vmId}`,
        find: async () => ((await findVm(c, vmId))?.ipAddresses ?? []).filter((a) => !before.has(a)),
        describe: (a) => `address ${a}`,
        timeoutMs: Math.min(operationTimeoutMs(FLOPS_HOST, news.operationTimeout, ctx, SHORT_OPERATION_SECONDS), LOST_EFFECT_WINDOW_MS),
        clock: ctx.clock,
        signal: ctx.signal,
        logger: ctx.logger,
      });
      if (!found) throw e;
      return { id: found, outs: { ...news, address: found, guestConfigured: true } };
    }
    const added = (await c.getVm(vmId)).ipAddresses.filter((a) => !before.has(a));
    if (added.length !== 1) {
      throw new VpsError({
        kind: added.length === 0 ? "badResponse" : "conflict",
        host: FLOPS_HOST,
        operation: `add an address to server ${vmId}`,
        hint:
          added.length === 0
            ? `ip_add finished, but server ${vmId} lists no new address (it has ${[...before].join(", ") || "none"}); run \`pulumi up\` again`
            : `server ${vmId} gained ${added.length} addresses meanwhile (${added.join(", ")}), so which one ip_add gave cannot be told; adopt the right one with importFrom and delete the other in the panel`,
      });
    }
    const address = added[0];
    if (guest) ctx.logger.warn(`${ctx.label}: ${guestWarning(guest, address, vmId)}`);
    return { id: address, outs: { ...news, address, guestConfigured: !guest } };
  });
}

async function adoptAddress(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const address = news.importFrom!;
  const toVmId = Number(news.serverId);
  const holder = await holderOf(c, address, toVmId);
  if (!holder) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: `import address ${address}`, hint: `no server of this account has address ${address}: check importFrom` });
  let guestConfigured = true;
  if (holder.id !== toVmId) {
    // The program says the address belongs on serverId: applied as an update would (in place, kept).
    guestConfigured = await withVmLocks([holder.id, toVmId], async () => {
      const live = await holderOf(c, address, holder.id);
      if (!live) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: `import address ${address}`, hint: `address ${address} left server ${holder.id} meanwhile` });
      return live.id === toVmId ? true : moveAddress(c, address, live, toVmId, ctx, news.operationTimeout);
    });
  }
  return { id: address, outs: { ...news, address, guestConfigured } };
}

export const ipAddressResource = recordingOperationSeconds(defineResource({
  host: FLOPS_HOST,
  type: "IpAddress",
  description: "An extra public IPv4 address on a flops server (ip_add); moved between servers in place (ip_move), released with ip_delete.",
  inputs,
  outputs,
  handler: {
    async create(news, ctx) {
      const c = flopsClient();
      return news.importFrom !== undefined ? adoptAddress(c, news, ctx) : addAddress(c, news, ctx);
    },
    async read(id, prior) {
      const holder = await holderOf(flopsClient(), id, numberOrUndefined(prior.serverId));
      if (!holder) return undefined;
      const live = { serverId: String(holder.id), importFrom: prior.importFrom, operationTimeout: prior.operationTimeout };
      return { id, inputs: live, outs: { ...live, address: id, guestConfigured: prior.guestConfigured ?? true } };
    },
    async update(id, olds, news, ctx) {
      const c = flopsClient();
      const toVmId = Number(news.serverId);
      const fromVmId = Number(olds.serverId);
      const guestConfigured = await withVmLocks([fromVmId, toVmId], async () => {
        const holder = await holderOf(c, id, fromVmId);
        if (!holder) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, operation: `move address ${id}`, hint: `no server of this account has address ${id} any more; run \`pulumi refresh\`, then \`pulumi up\` adds a new one` });
        if (holder.id === toVmId) return olds.guestConfigured ?? true;
        return moveAddress(c, id, holder, toVmId, ctx, news.operationTimeout);
      });
      return { ...news, address: id, guestConfigured };
    },
    async delete(id, state, ctx) {
      const c = flopsClient();
      const likely = numberOrUndefined(state.serverId);
      const holder = await holderOf(c, id, likely);
      if (!holder) {
        ctx.logger.info(`${ctx.label}: address ${id} is already gone`);
        return;
      }
      await withVmLock(holder.id, async () => {
        const vm = await findVm(c, holder.id);
        if (!vm?.ipAddresses.includes(id)) return;
        try {
          const guest = await runIpOperation(c, () => c.deleteIp({ vmId: vm.id, tenantId: vm.tenantId, ip: id }), `delete address ${id} of server ${vm.id}`, ctx, state.operationTimeout, "address delete");
          if (guest) ctx.logger.warn(`${ctx.label}: ${guestWarning(guest, id, vm.id)}`);
        } catch (e) {
          if (!isGone(e)) throw e;
        }
      });
    },
  },
}));
