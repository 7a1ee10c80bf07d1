import { z } from "zod";
import { type CoalescedListing, idForm, isVpsError, sharedListing, unlessGone, VpsError } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_ERROR_CODE, FLOPS_HOST } from "./errors";
import { FLOPS_TIMEOUTS } from "./operations";
import type { Vm } from "./schemas";

/** What the flops resources share: the `serverId` input, `operationTimeout`, looking a VM up. */

export const serverIdSchema = z.string().regex(/^\d+$/, "must be a flops server id: the VM id as a decimal string (a flops.Server's id)");

export const operationTimeoutInput = FLOPS_TIMEOUTS.input(["other"]);

/**
 * An id `"<serverId>/<n>"` (a snapshot's, a restart's): the server's VM id and the vendor's number named `key`.
 * `example` is how messages show one (`"88977/2206"`).
 */
export function serverNumberIdForm<K extends string>(o: { resource: string; operation: string; key: K; example: string }) {
  return idForm({
    host: FLOPS_HOST,
    resource: o.resource,
    operation: o.operation,
    pattern: /^(\d+)\/(\d+)$/,
    form: `"<serverId>/<${o.key}>", e.g. "${o.example}"`,
    // A computed key widens to string: the record holds `vmId` and exactly the one number `key` names.
    fromParts: ([vmId, n]) => ({ vmId: Number(vmId), [o.key]: Number(n) }) as { vmId: number } & Record<K, number>,
  });
}

/** The VM, or undefined when it does not exist (a 401-like `error.not.owner` is never "gone"). */
export function findVm(c: FlopsClient, vmId: number): Promise<Vm | undefined> {
  return unlessGone(c.getVm(vmId), undefined);
}

/** The VM a resource works on; a clear error when it does not exist. */
export async function requireVm(c: FlopsClient, vmId: number, operation: string): Promise<Vm> {
  const vm = await findVm(c, vmId);
  if (!vm)
    throw new VpsError({
      kind: "notFound",
      host: FLOPS_HOST,
      operation,
      hint: `there is no server ${vmId} in this flops account: check serverId (flops.getServers lists them)`,
    });
  return vm;
}

/** Whether an error (of a call or of its operation) says the object is already gone. */
export function isGone(e: unknown): boolean {
  return isVpsError(e, "notFound") || (isVpsError(e) && e.vendorCode === FLOPS_ERROR_CODE.objectNotFound);
}

/**
 * The account's VMs through one `GET /vm/` shared by the reads that arrive together (the same VM object
 * as `GET /vm/{id}/`). Refresh reads wait for each other longer: the engine's reads of a refresh reach
 * the provider over a second or more on a busy machine, so 100 servers cost one call or two, not 100.
 * The read after a create has its own, shorter window: a create does not wait for others not about to finish.
 */
export function vmListing(c: FlopsClient, use: "refresh" | "create"): CoalescedListing<number, Vm> {
  return sharedListing(
    `${FLOPS_HOST}|${c.endpoint}|${c.clientId}|vms for ${use}`,
    async () => new Map((await c.listVms()).map((vm) => [vm.id, vm])),
    use === "refresh" ? { maxWaitMs: 1_000, maxGapMs: 100 } : {},
  );
}
