import { FlopsError } from "../errors";
import { OPERATION_TYPES, type VmRecord } from "../model";
import { guestError, type Handler, ownedVm, route, type Route, startOp, takeGuestFailure } from "./common";

/** The IP address calls: add, delete and move, each of which may meet a configured guest-OS failure. */

const ipAdd: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  ctx.ops.assertIdle(vm.id);
  const [ip] = ctx.state.takeIps(1);
  const guest = takeGuestFailure(ctx, "add");
  if (guest === "call") {
    vm.ipAddresses.push(ip);
    const e = guestError("add");
    throw new FlopsError(e.code, e.message);
  }
  return startOp(
    ctx,
    OPERATION_TYPES.ipAdd,
    vm,
    (live) => {
      live.ipAddresses.push(ip);
    },
    { onFail: () => ctx.state.releaseIps([ip]), failure: guest ? guestError("add") : undefined },
  );
};

const ipDelete: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const ip = p.str("ip", true);
  if (!vm.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${vm.id}`);
  ctx.ops.assertIdle(vm.id);
  const remove = (live: VmRecord) => {
    live.ipAddresses = live.ipAddresses.filter((x) => x !== ip);
    ctx.state.releaseIps([ip]);
  };
  const guest = takeGuestFailure(ctx, "remove");
  if (guest === "call") {
    remove(vm);
    const e = guestError("remove");
    throw new FlopsError(e.code, e.message);
  }
  return startOp(ctx, OPERATION_TYPES.ipDelete, vm, remove, { failure: guest ? guestError("remove") : undefined });
};

const ipMove: Handler = (ctx, p, ids) => {
  const vm = ownedVm(ctx, p, ids);
  const toVmId = p.int("toVmId", true);
  const ip = p.str("ip", true);
  if (toVmId === vm.id) throw FlopsError.of("paramInvalid", "toVmId is the server the address is on");
  const dest = ctx.state.vm(toVmId);
  ctx.state.tenant(dest.tenantId);
  if (!vm.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${vm.id}`);
  ctx.ops.assertIdle(vm.id, dest.id);
  const move = (src: VmRecord) => {
    const to = ctx.state.vm(toVmId);
    if (!src.ipAddresses.includes(ip)) throw FlopsError.of("notFound", `address ${ip} on server ${src.id}`);
    src.ipAddresses = src.ipAddresses.filter((x) => x !== ip);
    to.ipAddresses.push(ip);
  };
  // Either guest step may fail: removing it from the source's OS or adding it to the target's.
  const removeFailure = takeGuestFailure(ctx, "remove");
  const addFailure = removeFailure ? undefined : takeGuestFailure(ctx, "add");
  const kind = removeFailure ? "remove" : addFailure ? "add" : undefined;
  const delivery = removeFailure ?? addFailure;
  if (kind && delivery === "call") {
    move(vm);
    const e = guestError(kind);
    throw new FlopsError(e.code, e.message);
  }
  return startOp(ctx, OPERATION_TYPES.ipMove, vm, move, { locks: [vm.id, dest.id], failure: kind ? guestError(kind) : undefined });
};

export const ADDRESS_ROUTES: Route[] = [route("/vm/:vmId/ip_add", ipAdd), route("/vm/:vmId/ip_delete", ipDelete), route("/vm/:vmId/ip_move", ipMove)];
