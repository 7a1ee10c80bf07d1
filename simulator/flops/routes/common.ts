import { FLOPS_ERRORS, FlopsError } from "../errors";
import type { OperationType, Tariff, VmRecord } from "../model";
import type { OperationEngine, OperationFailure } from "../operations";
import type { Params } from "../params";
import type { FlopsState } from "../state";

/** What every route family shares: the request context, the route table's shape and the VM-call helpers. */

export type GuestIpDelivery = "operation" | "call";

export interface GuestIpFailureSetting {
  remaining: number;
  /**
   * `operation`: the call starts an operation that applies the change and ends in ERROR with the code;
   * `call`: the call applies the change at once and answers the ERROR envelope itself (no operation).
   * The vendor documentation says the error "will be returned" without saying where, so a client must
   * handle both and the simulator offers both.
   */
  delivery: GuestIpDelivery;
}

export interface FlopsContext {
  state: FlopsState;
  ops: OperationEngine;
  clientId: string;
  apiKey: string;
  guestIp: { add?: GuestIpFailureSetting; remove?: GuestIpFailureSetting };
  /** Download tokens handed out by backup_download → backup id. */
  downloads: Map<string, string>;
  /** Whether backup_download is also answered under `/v1` (the vendor documentation's path for it); see V1_ONLY. */
  backupDownloadV1: boolean;
  /** The server's base URL (`http://127.0.0.1:port`), for download links. */
  baseUrl(): string;
  /** Ends due operations and takes scheduled backups. */
  tick(): void;
}

export type Ids = Record<string, string>;
export type Handler = (ctx: FlopsContext, p: Params, ids: Ids) => unknown;

export interface Route {
  re: RegExp;
  names: string[];
  handler: Handler;
}

export function route(pattern: string, handler: Handler): Route {
  const names: string[] = [];
  const body = pattern.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${body}/?$`), names, handler };
}

export function numericId(ids: Ids, name: string, what: string): number {
  const raw = ids[name];
  // A path id that is not a number cannot name an object.
  if (!/^\d+$/.test(raw)) throw FlopsError.of("notFound", `${what} ${raw}`);
  return Number(raw);
}

export const ok = (extra: Record<string, unknown> = {}) => ({ status: "OK", ...extra });

// ---- helpers shared by the VM calls ----

/** The VM named in the path, for a call that changes it: the VM must exist and `tenantId` be its tenant. */
export function ownedVm(ctx: FlopsContext, p: Params, ids: Ids): VmRecord {
  const vm = ctx.state.vm(numericId(ids, "vmId", "server"));
  const tenantId = p.int("tenantId", true);
  ctx.state.tenant(tenantId);
  if (vm.tenantId !== tenantId) throw FlopsError.of("notOwner", `server ${vm.id} is not in tenant ${tenantId}`);
  return vm;
}

export function startOp(
  ctx: FlopsContext,
  type: OperationType,
  vm: VmRecord,
  effect: (live: VmRecord, at: number) => string | void,
  extra: { locks?: number[]; onFail?: () => void; failure?: OperationFailure } = {},
): { status: string; operationId: number } {
  const vmId = vm.id;
  const op = ctx.ops.start({
    type,
    vmId,
    tenantId: vm.tenantId,
    locks: extra.locks,
    onFail: extra.onFail,
    failure: extra.failure,
    // The VM is looked up again when the operation ends: one deleted meanwhile (out of band) makes
    // the operation end with error.object.not.found instead of being resurrected.
    effect: (at) => effect(ctx.state.vm(vmId), at),
  });
  return { status: "OK", operationId: op.id };
}

export function takeGuestFailure(ctx: FlopsContext, kind: "add" | "remove"): GuestIpDelivery | undefined {
  const s = ctx.guestIp[kind];
  if (!s || s.remaining <= 0) return undefined;
  s.remaining--;
  if (s.remaining <= 0) delete ctx.guestIp[kind];
  return s.delivery;
}

export function guestError(kind: "add" | "remove"): OperationFailure {
  const e = kind === "add" ? FLOPS_ERRORS.guestIpAdd : FLOPS_ERRORS.guestIpRemove;
  return { code: e.code, message: e.message, applyEffect: true };
}

export function vmTariff(ctx: FlopsContext, vm: VmRecord): Tariff | undefined {
  return ctx.state.findTariff(vm.tariffId);
}
