import { z } from "zod";
import { isVpsError, VpsError } from "../core";
import type { FlopsClient } from "./client";
import { FLOPS_ERROR_CODE, FLOPS_HOST } from "./errors";
import { FLOPS_TIMEOUTS } from "./operations";
import type { Vm } from "./schemas";
import { flopsClientFromSettings } from "./settings";

/** What the flops resources share: the `serverId` input, `operationTimeout`, looking a VM up. */

export const serverIdSchema = z.string().regex(/^\d+$/, "must be a flops server id: the VM id as a decimal string (a flops.Server's id)");

export const operationTimeoutInput = FLOPS_TIMEOUTS.input(["other"]);

/** The VM, or undefined when it does not exist (a 401-like `error.not.owner` is never "gone"). */
export async function findVm(c: FlopsClient, vmId: number): Promise<Vm | undefined> {
  try {
    return await c.getVm(vmId);
  } catch (e) {
    if (isVpsError(e, "notFound")) return undefined;
    throw e;
  }
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

export function flopsClient(): FlopsClient {
  return flopsClientFromSettings();
}
