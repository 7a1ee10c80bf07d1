import { z } from "zod";
import {
  type HandlerContext,
  isVpsError,
  lookForCreated,
  recordingOperationSeconds,
  type Repeat,
  reportStarted,
  type Seen,
  VpsError,
  defineResource,
  type ShapeOf,
  importFromInput,
} from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_ERROR_CODE, FLOPS_HOST } from "./errors";
import { awaitOperation, startReconciled, withVmLock } from "./operations";
import type { OperationStarted, Vm } from "./schemas";
import { findVm, isGone, operationTimeoutInput, requireVm, serverIdSchema } from "./common";
import { flopsClientFromSettings } from "./settings";

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
  serverId: {
    schema: serverIdSchema,
    description: "Id of the flops.Server the address is on. A change moves the address there in place (ip_move), keeping it.",
  },
  importFrom: importFromInput(
    z.string().regex(IPV4, "must be an IPv4 address such as 185.22.60.234"),
    "Adopt this existing address (the resource's id form) instead of adding one; if it is on another server it is moved to serverId.",
  ),
  operationTimeout: operationTimeoutInput,
};

const outputs = {
  address: { schema: z.string(), description: "The IPv4 address (also the resource id)." },
  guestConfigured: {
    schema: z.boolean(),
    description:
      "False when flops reported that the server's OS could not be reconfigured for the last add or move (error.inet.ip.guest.add / " +
      ".remove): configure the address there by hand.",
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
    ? `flops gave address ${address} to server ${vmId} but could not configure it in the server's OS (${code}): add ${address} to ` +
        `the server's network settings by hand (e.g. /etc/network/interfaces or netplan), then restart its networking`
    : `flops took address ${address} off server ${vmId} but it is still configured in that server's OS (${code}): remove ${address} ` +
        `from the server's network settings by hand, so the two do not conflict`;
}

/**
 * Starts an IP operation and waits for it. A guest-reconfigure code, from the call or from the
 * operation, is the vendor documentation's "the address change happened": returned, not thrown. Every IP call is
 * observable (`repeat`, provider/core/reconcile.ts): after a transient fault the VMs' addresses show
 * whether it happened, and it is sent again only when not; one found done has nothing to wait for.
 */
async function runIpOperation(
  c: FlopsClient,
  start: () => Promise<OperationStarted>,
  repeat: Repeat<unknown>,
  what: string,
  kind: string,
  ctx: HandlerContext,
  operationTimeout: number | undefined,
  announce?: { subject: string; activity: string },
): Promise<GuestCode | undefined> {
  let started: OperationStarted;
  try {
    const r = await startReconciled(ctx, what, start, repeat, operationTimeout);
    if (r.kind !== "sent") return undefined;
    started = r.answer;
  } catch (e) {
    const code = guestCodeOf(e);
    if (code) return code;
    throw e;
  }
  if (announce) reportStarted(ctx, announce.subject, announce.activity, `operation ${started.operationId}`);
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

/**
 * Under both servers' locks: the address moved to `toVmId`, found first on `fromVmId` (or wherever it
 * is now); `already` when it is on `toVmId` already; `missing` when no server has it.
 */
async function moveUnderLocks(
  c: FlopsClient,
  address: string,
  fromVmId: number,
  toVmId: number,
  ctx: HandlerContext,
  operationTimeout: number | undefined,
  already: boolean,
  missing: { operation: string; hint: string },
): Promise<boolean> {
  return withVmLocks([fromVmId, toVmId], async () => {
    const holder = await holderOf(c, address, fromVmId);
    if (!holder) throw new VpsError({ kind: "notFound", host: FLOPS_HOST, ...missing });
    return holder.id === toVmId ? already : moveAddress(c, address, holder, toVmId, ctx, operationTimeout);
  });
}

/** Moves `address` from the VM holding it to `toVmId`; returns whether the guest OS was reconfigured. */
async function moveAddress(c: FlopsClient, address: string, from: Vm, toVmId: number, ctx: HandlerContext, operationTimeout?: number): Promise<boolean> {
  await requireVm(c, toVmId, `move address ${address} to server ${toVmId}`);
  ctx.logger.info(`${ctx.label}: moving address ${address} from server ${from.id} to server ${toVmId}`);
  const moved = async (): Promise<Seen<unknown>> =>
    (await findVm(c, toVmId))?.ipAddresses.includes(address) ? { state: "done", found: undefined } : { state: "absent" };
  const guest = await runIpOperation(
    c,
    () => c.moveIp({ vmId: from.id, tenantId: from.tenantId, toVmId, ip: address }),
    { kind: "observable", look: moved },
    `ip_move of ${address} from server ${from.id} to server ${toVmId}`,
    "address move",
    ctx,
    operationTimeout,
  );
  if (guest) ctx.logger.warn(`${ctx.label}: ${guestWarning(guest, address, guest === FLOPS_ERROR_CODE.guestIpAdd ? toVmId : from.id)}`);
  const target = await c.getVm(toVmId);
  if (!target.ipAddresses.includes(address)) {
    throw new VpsError({
      kind: "badResponse",
      host: FLOPS_HOST,
      operation: `move address ${address} to server ${toVmId}`,
      hint: `ip_move finished, but server ${toVmId} does not list ${address}; run \`pulumi refresh\` to see where it is`,
    });
  }
  return !guest;
}

async function addAddress(c: FlopsClient, news: Inputs, ctx: HandlerContext) {
  const vmId = Number(news.serverId);
  return withVmLock(vmId, async () => {
    const vm = await requireVm(c, vmId, `add an address to server ${vmId}`);
    const before = new Set(vm.ipAddresses);
    const operation = `ip_add on server ${vmId}`;
    // A repeat would add a second address; the VM shows the one the call added (not there before), but
    // only once ip_add has ended: the look runs over a window before any repeat (hiddenWork).
    const newAddress = lookForCreated({ host: FLOPS_HOST, operation, describe: (a: string) => `address ${a}` }, async () =>
      ((await findVm(c, vmId))?.ipAddresses ?? []).filter((a) => !before.has(a)),
    );
    const guest = await runIpOperation(
      c,
      () => c.addIp({ vmId, tenantId: vm.tenantId }),
      { kind: "observable", look: newAddress, hiddenWork: true },
      operation,
      "address add",
      ctx,
      news.operationTimeout,
      { subject: `a new address for server ${vmId}`, activity: "being added" },
    );
    const added = (await c.getVm(vmId)).ipAddresses.filter((a) => !before.has(a));
    if (added.length !== 1) {
      throw new VpsError({
        kind: added.length === 0 ? "badResponse" : "conflict",
        host: FLOPS_HOST,
        operation: `add an address to server ${vmId}`,
        hint:
          added.length === 0
            ? `ip_add finished, but server ${vmId} lists no new address (it has ${[...before].join(", ") || "none"}); run \`pulumi up\` again`
            : `server ${vmId} gained ${added.length} addresses meanwhile (${added.join(", ")}), so which one ip_add gave cannot be told; ` +
              `adopt the right one with importFrom and delete the other in the panel`,
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
  if (!holder)
    throw new VpsError({
      kind: "notFound",
      host: FLOPS_HOST,
      operation: `import address ${address}`,
      hint: `no server of this account has address ${address}: check importFrom`,
    });
  // The program says the address belongs on serverId: applied as an update would (in place, kept).
  const guestConfigured =
    holder.id === toVmId ||
    (await moveUnderLocks(c, address, holder.id, toVmId, ctx, news.operationTimeout, true, {
      operation: `import address ${address}`,
      hint: `address ${address} left server ${holder.id} meanwhile`,
    }));
  return { id: address, outs: { ...news, address, guestConfigured } };
}

export const ipAddressResource = recordingOperationSeconds(
  defineResource({
    host: FLOPS_HOST,
    type: "IpAddress",
    description: "An extra public IPv4 address on a flops server (ip_add); moved between servers in place (ip_move), released with ip_delete.",
    inputs,
    outputs,
    notes: { id: 'the address itself (`"185.22.60.234"`)' },
    handler: {
      async create(news, ctx) {
        const c = flopsClientFromSettings();
        return news.importFrom !== undefined ? adoptAddress(c, news, ctx) : addAddress(c, news, ctx);
      },
      async read(id, prior) {
        const holder = await holderOf(flopsClientFromSettings(), id, numberOrUndefined(prior.serverId));
        if (!holder) return undefined;
        const live = { serverId: String(holder.id), importFrom: prior.importFrom, operationTimeout: prior.operationTimeout };
        return { id, inputs: live, outs: { ...live, address: id, guestConfigured: prior.guestConfigured ?? true } };
      },
      async update(id, olds, news, ctx) {
        const c = flopsClientFromSettings();
        const toVmId = Number(news.serverId);
        const fromVmId = Number(olds.serverId);
        const guestConfigured = await moveUnderLocks(c, id, fromVmId, toVmId, ctx, news.operationTimeout, olds.guestConfigured ?? true, {
          operation: `move address ${id}`,
          hint: `no server of this account has address ${id} any more; run \`pulumi refresh\`, then \`pulumi up\` adds a new one`,
        });
        return { ...news, address: id, guestConfigured };
      },
      async delete(id, state, ctx) {
        const c = flopsClientFromSettings();
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
            const gone = async (): Promise<Seen<unknown>> =>
              (await findVm(c, vm.id))?.ipAddresses.includes(id) ? { state: "absent" } : { state: "done", found: undefined };
            const guest = await runIpOperation(
              c,
              () => c.deleteIp({ vmId: vm.id, tenantId: vm.tenantId, ip: id }),
              { kind: "observable", look: gone },
              `ip_delete of address ${id} of server ${vm.id}`,
              "address delete",
              ctx,
              state.operationTimeout,
            );
            if (guest) ctx.logger.warn(`${ctx.label}: ${guestWarning(guest, id, vm.id)}`);
          } catch (e) {
            if (!isGone(e)) throw e;
          }
        });
      },
    },
  }),
);
